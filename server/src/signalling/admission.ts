/**
 * Who gets in, and how. Hosts always enter; a participant credential
 * (someone admitted before) re-enters; anyone else is refused while the room
 * is locked, waits in the lobby when it is on, and enters when it is off.
 */
import { SignallingError } from '../protocol/errors.js';
import { CHAT_HISTORY_SIZE } from '../protocol/limits.js';
import type { Role } from '../protocol/messages.js';
import type { CredentialRole } from '../auth/credentials.js';
import type { Peer } from '../rooms/peer.js';
import type { Room } from '../rooms/room.js';
import type { ParticipantRecord, RoomRecord } from '../rooms/room-store.js';
import type { SessionDeps } from './session.js';

export type Admission = Role | 'lobby';

/** What letting someone into the meeting needs. */
export type EntryDeps = Pick<SessionDeps, 'store' | 'credentials' | 'nodeId' | 'ice'>;

export function participantRecord(peer: Peer, role: Role, state: ParticipantRecord['state'], nodeId: string): ParticipantRecord {
  return { peerId: peer.id, displayName: peer.displayName, role, state, nodeId, joinedAt: Date.now() };
}

export function decideAdmission(room: RoomRecord, credentialRole: CredentialRole | undefined): Admission {
  if (credentialRole === 'host' || credentialRole === 'participant') return credentialRole;
  if (room.locked) throw new SignallingError('room_locked', 'the host has locked this meeting');
  return room.lobby ? 'lobby' : 'participant';
}

/**
 * Brings a peer into the meeting with `role`, issues the credential that
 * lets it back in, and sends it the `joined` notification with the people
 * and the recent chat. Returns the credential.
 */
export async function enterMeeting(
  room: Room,
  peer: Peer,
  role: Role,
  deps: EntryDeps,
): Promise<string> {
  const [credential, chatHistory, record] = await Promise.all([
    deps.credentials.issue(room.id, role, peer.credentialId),
    deps.store.recentChat(room.id),
    deps.store.getRoom(room.id),
  ]);
  if (!record) throw new SignallingError('room_not_found', 'this meeting has ended');
  await deps.store.addParticipant(room.id, participantRecord(peer, role, 'joined', deps.nodeId));
  try {
    room.enter(peer, role);
  } catch (error) {
    await deps.store.removeParticipant(room.id, peer.id);
    throw error;
  }
  peer.notify('joined', {
    role,
    peers: room.peerInfos(peer),
    chatHistory: chatHistory.slice(-CHAT_HISTORY_SIZE),
    room: { locked: record.locked, lobby: record.lobby },
    credential,
    ...deps.ice(peer.id),
  });
  return credential;
}
