/**
 * Recording and live streaming, as a host sees them: how this host's
 * latest request about each is going, and the meeting's finished
 * recordings. Whether each runs is the room's (reducers/room.ts).
 */
import type { RecordingInfo } from '@protocol/messages';
import type { MeetingEvent } from '../events.js';
import type { EgressKind, EgressRequest, MeetingState } from '../state.js';

type EgressRequests = MeetingState['egress'];

const IDLE: EgressRequest = { kind: 'idle' };

export function egressReducer(requests: EgressRequests, event: MeetingEvent): EgressRequests {
  switch (event.method) {
    case 'egressAsked':
      return { ...requests, [event.data.what]: { kind: 'asking' } };
    case 'egressAnswered':
      return { ...requests, [event.data.what]: IDLE };
    case 'egressRefused':
      return { ...requests, [event.data.what]: { kind: 'refused', message: event.data.message } };
    case 'egressFailed':
      return { ...requests, [event.data.what]: { kind: 'stopped', reason: event.data.reason } };
    case 'joined':
    case 'roomUpdated': {
      // Running again (another host started it): an earlier refusal or failure is old news.
      const { room } = event.data;
      const failed = (what: EgressKind) => requests[what].kind === 'refused' || requests[what].kind === 'stopped';
      const cleared = (['recording', 'streaming'] as const).filter((what) => room[what] && failed(what));
      if (cleared.length === 0) return requests;
      return { ...requests, ...Object.fromEntries(cleared.map((what) => [what, IDLE])) };
    }
    default:
      return requests;
  }
}

export function recordingsReducer(recordings: readonly RecordingInfo[] | undefined, event: MeetingEvent): readonly RecordingInfo[] | undefined {
  switch (event.method) {
    case 'recordingsListed':
      return event.data.recordings;
    case 'recordingReady': {
      const { recording } = event.data;
      // Newest first; the same recording again (listed meanwhile) is replaced, with its fresher link.
      return [recording, ...(recordings ?? []).filter((known) => known.id !== recording.id)];
    }
    default:
      return recordings;
  }
}
