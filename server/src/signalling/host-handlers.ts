/** Host controls. The session checks the host role before any of these runs. */
import { SignallingError } from '../protocol/errors.js';
import type { Peer } from '../rooms/peer.js';
import type { Room } from '../rooms/room.js';
import { enterMeeting } from './admission.js';
import { done, type HandlerTable } from './handler.js';
import type { Session } from './session.js';

type HostMethod =
  | 'admit'
  | 'admitAll'
  | 'deny'
  | 'promote'
  | 'muteParticipant'
  | 'stopCamera'
  | 'stopScreenShare'
  | 'removeParticipant'
  | 'setRoomLocked'
  | 'setLobbyEnabled'
  | 'endMeeting';

async function target(session: Session, peerId: string, state: 'waiting' | 'joined'): Promise<{ room: Room; peer: Peer }> {
  const room = await session.attachedRoom();
  const peer = room.peer(peerId);
  if (peer.state !== state) {
    throw new SignallingError('invalid_state', state === 'waiting' ? 'that person is not in the lobby' : 'that person is not in the meeting');
  }
  return { room, peer };
}

const admitAllWaiting = async (session: Session, room: Room) => {
  await Promise.all(room.waitingPeers().map((peer) => enterMeeting(room, peer, 'participant', session.deps)));
};

export const hostHandlers: HandlerTable<HostMethod> = {
  admit: {
    states: ['joined'],
    hostOnly: true,
    async run(session, { peerId }) {
      const { room, peer } = await target(session, peerId, 'waiting');
      await enterMeeting(room, peer, 'participant', session.deps);
      return done;
    },
  },
  admitAll: {
    states: ['joined'],
    hostOnly: true,
    async run(session) {
      await admitAllWaiting(session, await session.attachedRoom());
      return done;
    },
  },
  deny: {
    states: ['joined'],
    hostOnly: true,
    async run(session, { peerId }) {
      const { room, peer } = await target(session, peerId, 'waiting');
      await session.deps.store.revokeCredential(room.id, peer.credentialId);
      peer.notify('denied', { reason: 'The host did not let you in.' });
      peer.disconnect?.();
      room.leave(peer);
      return done;
    },
  },
  promote: {
    states: ['joined'],
    hostOnly: true,
    async run(session, { peerId }) {
      const { room, peer } = await target(session, peerId, 'joined');
      if (peer.role === 'host') return done;
      const credential = await session.deps.credentials.issue(room.id, 'host', peer.credentialId);
      peer.role = 'host';
      peer.notify('promoted', { credential });
      room.announce(peer);
      room.notifyLobby();
      return done;
    },
  },
  muteParticipant: {
    states: ['joined'],
    hostOnly: true,
    async run(session, { peerId }) {
      const { room, peer } = await target(session, peerId, 'joined');
      await room.stopMedia(peer, ['mic']);
      return done;
    },
  },
  stopCamera: {
    states: ['joined'],
    hostOnly: true,
    async run(session, { peerId }) {
      const { room, peer } = await target(session, peerId, 'joined');
      await room.stopMedia(peer, ['camera']);
      return done;
    },
  },
  stopScreenShare: {
    states: ['joined'],
    hostOnly: true,
    async run(session, { peerId }) {
      const { room, peer } = await target(session, peerId, 'joined');
      await room.stopMedia(peer, ['screen', 'screen-audio']);
      return done;
    },
  },
  removeParticipant: {
    states: ['joined'],
    hostOnly: true,
    async run(session, { peerId }) {
      const { room, peer } = await target(session, peerId, 'joined');
      if (peer === session.peer) throw new SignallingError('invalid_state', 'use leave to leave the meeting');
      await session.deps.store.revokeCredential(room.id, peer.credentialId);
      await session.deps.store.removeParticipant(room.id, peer.id);
      room.dismiss(peer, 'A host removed you from the meeting.', 'removed');
      return done;
    },
  },
  setRoomLocked: {
    states: ['joined'],
    hostOnly: true,
    async run(session, { locked }) {
      const room = await session.attachedRoom();
      const record = await session.deps.store.updateRoom(room.id, { locked });
      if (record) room.broadcast('roomUpdated', { room: { locked: record.locked, lobby: record.lobby } });
      return done;
    },
  },
  setLobbyEnabled: {
    states: ['joined'],
    hostOnly: true,
    async run(session, { enabled }) {
      const room = await session.attachedRoom();
      const record = await session.deps.store.updateRoom(room.id, { lobby: enabled });
      if (record) room.broadcast('roomUpdated', { room: { locked: record.locked, lobby: record.lobby } });
      // Turning the lobby off lets in whoever was waiting.
      if (!enabled) await admitAllWaiting(session, room);
      return done;
    },
  },
  endMeeting: {
    states: ['joined'],
    hostOnly: true,
    async run(session) {
      const room = await session.attachedRoom();
      await session.deps.store.deleteRoom(room.id);
      return { data: {}, afterResponse: async () => room.close('The host ended the meeting.', 'ended') };
    },
  },
};
