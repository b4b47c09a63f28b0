/** Host controls: thin adapters onto the meeting. The session checks the host role before any of these runs. */
import type { HostCommand } from '../meeting/meeting.js';
import { SignallingError } from '../protocol/errors.js';
import type { RequestMethod } from '../protocol/messages.js';
import { done, type Handler, type HandlerTable } from './handler.js';

type TargetedMethod =
  | 'admit'
  | 'deny'
  | 'promote'
  | 'muteParticipant'
  | 'askToUnmute'
  | 'stopCamera'
  | 'stopScreenShare'
  | 'removeParticipant'
  | 'makePanelist'
  | 'makeAttendee';
type HostMethod =
  | TargetedMethod
  | 'admitAll'
  | 'muteAll'
  | 'setRoomLocked'
  | 'setLobbyEnabled'
  | 'setWebinar'
  | 'endMeeting'
  | 'dialOut'
  | 'startRecording'
  | 'stopRecording'
  | 'listRecordings'
  | 'startStreaming'
  | 'stopStreaming'
  | 'createStreamKey'
  | 'listStreamKeys'
  | 'revokeStreamKey'
  | 'createViewerToken';

function targeted<M extends TargetedMethod & RequestMethod>(command: HostCommand): Handler<M> {
  return {
    states: ['joined'],
    hostOnly: true,
    async run(session, data) {
      const { peerId } = data as { peerId: string };
      if (peerId === session.peer.id) throw new SignallingError('invalid_state', 'host controls act on other people');
      await (await session.attachedMeeting()).command(session.peer, peerId, command);
      return done;
    },
  };
}

export const hostHandlers: HandlerTable<HostMethod> = {
  admit: targeted('admit'),
  deny: targeted('deny'),
  promote: targeted('promote'),
  muteParticipant: targeted('mute'),
  askToUnmute: targeted('askToUnmute'),
  stopCamera: targeted('stopCamera'),
  stopScreenShare: targeted('stopScreenShare'),
  removeParticipant: targeted('remove'),
  makePanelist: targeted('makePanelist'),
  makeAttendee: targeted('makeAttendee'),
  admitAll: {
    states: ['joined'],
    hostOnly: true,
    async run(session) {
      await (await session.attachedMeeting()).admitAll(session.peer);
      return done;
    },
  },
  muteAll: {
    states: ['joined'],
    hostOnly: true,
    async run(session) {
      await (await session.attachedMeeting()).muteAll(session.peer);
      return done;
    },
  },
  setRoomLocked: {
    states: ['joined'],
    hostOnly: true,
    async run(session, { locked }) {
      await (await session.attachedMeeting()).updateSettings(session.peer, { locked });
      return done;
    },
  },
  setLobbyEnabled: {
    states: ['joined'],
    hostOnly: true,
    async run(session, { enabled }) {
      await (await session.attachedMeeting()).updateSettings(session.peer, { lobby: enabled });
      return done;
    },
  },
  setWebinar: {
    states: ['joined'],
    hostOnly: true,
    async run(session, { enabled }) {
      await (await session.attachedMeeting()).updateSettings(session.peer, { webinar: enabled });
      return done;
    },
  },
  dialOut: {
    states: ['joined'],
    hostOnly: true,
    async run(session, { target }) {
      return { data: { peerId: await (await session.attachedMeeting()).dialOut(session.peer, target) } };
    },
  },
  startRecording: {
    states: ['joined'],
    hostOnly: true,
    async run(session, { tracks }) {
      await (await session.attachedMeeting()).startRecording({ tracks: tracks ?? false });
      return done;
    },
  },
  stopRecording: {
    states: ['joined'],
    hostOnly: true,
    async run(session) {
      await (await session.attachedMeeting()).stopEgress('recording');
      return done;
    },
  },
  listRecordings: {
    states: ['joined'],
    hostOnly: true,
    async run(session) {
      return { data: { recordings: await (await session.attachedMeeting()).recordings() } };
    },
  },
  startStreaming: {
    states: ['joined'],
    hostOnly: true,
    async run(session, { url }) {
      await (await session.attachedMeeting()).startStreaming(url);
      return done;
    },
  },
  stopStreaming: {
    states: ['joined'],
    hostOnly: true,
    async run(session) {
      await (await session.attachedMeeting()).stopEgress('streaming');
      return done;
    },
  },
  createStreamKey: {
    states: ['joined'],
    hostOnly: true,
    async run(session, { label }) {
      const meeting = await session.attachedMeeting();
      return { data: await meeting.streamKeys.create(meeting.id, label) };
    },
  },
  listStreamKeys: {
    states: ['joined'],
    hostOnly: true,
    async run(session) {
      const meeting = await session.attachedMeeting();
      return { data: { streamKeys: await meeting.streamKeys.list(meeting.id) } };
    },
  },
  revokeStreamKey: {
    states: ['joined'],
    hostOnly: true,
    async run(session, { keyId }) {
      const meeting = await session.attachedMeeting();
      await meeting.streamKeys.revoke(meeting.id, keyId);
      await meeting.endStreamOf(keyId);
      return done;
    },
  },
  createViewerToken: {
    states: ['joined'],
    hostOnly: true,
    async run(session) {
      const meeting = await session.attachedMeeting();
      return { data: { token: await session.deps.credentials.issue(meeting.id, 'viewer') } };
    },
  },
  endMeeting: {
    states: ['joined'],
    hostOnly: true,
    async run(session) {
      const meeting = await session.attachedMeeting();
      const reason = await meeting.end();
      return { data: {}, afterResponse: async () => meeting.close(reason, 'ended') };
    },
  },
};
