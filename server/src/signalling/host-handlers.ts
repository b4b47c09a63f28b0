/** Host controls. The session checks the host role before any of these runs. */
import type { HostCommand } from '../cluster/events.js';
import type { RequestMethod } from '../protocol/messages.js';
import { SignallingError } from '../protocol/errors.js';
import type { Room } from '../rooms/room.js';
import { done, type Handler, type HandlerTable } from './handler.js';
import { applyHostCommand } from './host-commands.js';
import type { Session } from './session.js';

type TargetedMethod = 'admit' | 'deny' | 'promote' | 'muteParticipant' | 'stopCamera' | 'stopScreenShare' | 'removeParticipant';
type HostMethod = TargetedMethod | 'admitAll' | 'setRoomLocked' | 'setLobbyEnabled' | 'endMeeting';

function targeted<M extends TargetedMethod & RequestMethod>(command: HostCommand): Handler<M> {
  return {
    states: ['joined'],
    hostOnly: true,
    async run(session, data) {
      const { peerId } = data as { peerId: string };
      if (peerId === session.peer.id) throw new SignallingError('invalid_state', 'host controls act on other people');
      await applyHostCommand(await session.attachedRoom(), peerId, command, session.deps);
      return done;
    },
  };
}

/** Everyone waiting, on this node and on others, comes in. */
async function admitAllWaiting(session: Session, room: Room): Promise<void> {
  const waiting = [...room.waitingPeers().map((peer) => peer.id), ...room.remote.waiting().map((peer) => peer.peerId)];
  await Promise.all(waiting.map((peerId) => applyHostCommand(room, peerId, 'admit', session.deps)));
}

async function updateSettings(session: Session, settings: { locked?: boolean; lobby?: boolean }): Promise<Room> {
  const room = await session.attachedRoom();
  const record = await session.deps.store.updateRoom(room.id, settings);
  if (!record) throw new SignallingError('room_not_found', 'this meeting has ended');
  const updated = { locked: record.locked, lobby: record.lobby };
  room.broadcast('roomUpdated', { room: updated });
  room.publish({ type: 'room', room: updated });
  return room;
}

export const hostHandlers: HandlerTable<HostMethod> = {
  admit: targeted('admit'),
  deny: targeted('deny'),
  promote: targeted('promote'),
  muteParticipant: targeted('mute'),
  stopCamera: targeted('stopCamera'),
  stopScreenShare: targeted('stopScreenShare'),
  removeParticipant: targeted('remove'),
  admitAll: {
    states: ['joined'],
    hostOnly: true,
    async run(session) {
      await admitAllWaiting(session, await session.attachedRoom());
      return done;
    },
  },
  setRoomLocked: {
    states: ['joined'],
    hostOnly: true,
    async run(session, { locked }) {
      await updateSettings(session, { locked });
      return done;
    },
  },
  setLobbyEnabled: {
    states: ['joined'],
    hostOnly: true,
    async run(session, { enabled }) {
      const room = await updateSettings(session, { lobby: enabled });
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
      const reason = 'The host ended the meeting.';
      room.publish({ type: 'ended', reason });
      return { data: {}, afterResponse: async () => room.close(reason, 'ended') };
    },
  },
};
