/**
 * What the operator does to a live meeting through the HTTP API, as data: a
 * node runs it on its own meeting, or hands it to the node that serves the
 * meeting, which runs it there. The rules stay in Meeting; this only names
 * each action and calls the method that applies it.
 */
import type { RecordingInfo } from '../protocol/messages.js';
import type { Meeting } from './meeting.js';

export type ServerAction =
  | { action: 'remove'; peerId: string }
  | { action: 'end' }
  | { action: 'startRecording'; tracks: boolean }
  | { action: 'stopRecording' }
  | { action: 'startStreaming'; url: string }
  | { action: 'stopStreaming' }
  | { action: 'listRecordings' };

/** Only listing recordings has something to say besides "done". */
export interface ServerActionResult {
  recordings?: RecordingInfo[];
}

/** What people in a meeting the operator ended are told. */
export const ENDED_BY_SERVER = 'The meeting was ended by its organiser.';

export async function runServerAction(meeting: Meeting, request: ServerAction): Promise<ServerActionResult> {
  switch (request.action) {
    case 'remove':
      await meeting.removeByServer(request.peerId);
      return {};
    case 'end':
      // As a host's End: the store first (the link stops working, other nodes close theirs), then everyone here.
      meeting.close(await meeting.end(ENDED_BY_SERVER), 'ended');
      return {};
    case 'startRecording':
      await meeting.startRecording({ tracks: request.tracks });
      return {};
    case 'stopRecording':
      await meeting.stopEgress('recording');
      return {};
    case 'startStreaming':
      await meeting.startStreaming(request.url);
      return {};
    case 'stopStreaming':
      await meeting.stopEgress('streaming');
      return {};
    case 'listRecordings':
      return { recordings: await meeting.recordings() };
  }
}
