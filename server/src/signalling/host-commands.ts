/**
 * What a host control does to its target. The host's node runs it when the
 * target is its own peer, and otherwise sends it to the target's node, which
 * runs it here. The host role was checked where the request arrived.
 */
import type { HostCommand } from '../cluster/events.js';
import { SignallingError } from '../protocol/errors.js';
import type { Peer } from '../rooms/peer.js';
import type { Room } from '../rooms/room.js';
import { enterMeeting, participantRecord, type EntryDeps } from './admission.js';

type Deps = EntryDeps;

const NEEDS_WAITING: readonly HostCommand[] = ['admit', 'deny'];
/** Peers being let in, so two hosts admitting at once let them in once. */
const admitting = new WeakSet<Peer>();

export async function runHostCommand(room: Room, target: Peer, command: HostCommand, deps: Deps): Promise<void> {
  const expected = NEEDS_WAITING.includes(command) ? 'waiting' : 'joined';
  if (target.state !== expected) {
    throw new SignallingError('invalid_state', expected === 'waiting' ? 'that person is not in the lobby' : 'that person is not in the meeting');
  }
  switch (command) {
    case 'admit':
      if (admitting.has(target)) return;
      admitting.add(target);
      try {
        await enterMeeting(room, target, 'participant', deps);
      } finally {
        admitting.delete(target);
      }
      return;
    case 'deny':
      await deps.store.revokeCredential(room.id, target.credentialId);
      target.notify('denied', { reason: 'The host did not let you in.' });
      target.disconnect();
      room.leave(target);
      await deps.store.removeParticipant(room.id, target.id);
      return;
    case 'promote': {
      if (target.role === 'host') return;
      const credential = await deps.credentials.issue(room.id, 'host', target.credentialId);
      target.role = 'host';
      await deps.store.addParticipant(room.id, participantRecord(target, 'host', 'joined', deps.nodeId));
      target.notify('promoted', { credential });
      room.announce(target);
      room.notifyLobby();
      return;
    }
    case 'mute':
      return room.stopMedia(target, ['mic']);
    case 'stopCamera':
      return room.stopMedia(target, ['camera']);
    case 'stopScreenShare':
      return room.stopMedia(target, ['screen', 'screen-audio']);
    case 'remove':
      await deps.store.revokeCredential(room.id, target.credentialId);
      await deps.store.removeParticipant(room.id, target.id);
      room.dismiss(target, 'A host removed you from the meeting.', 'removed');
      return;
  }
}

/** Runs a host control on a peer of this node, or sends it to the node that has the peer. */
export async function applyHostCommand(room: Room, peerId: string, command: HostCommand, deps: Deps): Promise<void> {
  const local = room.peers.get(peerId);
  if (local && local.state !== 'closed') return runHostCommand(room, local, command, deps);
  const remoteJoined = room.remote.peers.has(peerId);
  const remoteWaiting = room.remote.nodeOfWaiting(peerId) !== undefined;
  if (!remoteJoined && !remoteWaiting) throw new SignallingError('not_found', 'that participant is no longer here');
  if (NEEDS_WAITING.includes(command) !== remoteWaiting) {
    throw new SignallingError('invalid_state', remoteWaiting ? 'that person is still in the lobby' : 'that person is not in the lobby');
  }
  room.publish({ type: 'command', targetPeerId: peerId, command });
}
