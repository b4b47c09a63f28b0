/**
 * Who gets in, and how: one pure decision over everything that matters, so
 * that every combination can be tested as a table.
 *
 * In order: only a fresh session may join; a revoked credential never gets
 * in; hosts always enter; a participant credential (someone admitted
 * before) re-enters, even into a locked room; anyone else is refused while
 * the room is locked, must give the room's password if it has one, then
 * waits in the lobby when it is on and enters when it is off.
 *
 * In a webinar, whoever enters without a panelist's credential (host or
 * participant) enters as an attendee; an attendee's credential re-enters
 * like a participant's, as an attendee (as a participant once the meeting
 * is no longer a webinar). `newcomerRole` is the role a host's admission
 * from the lobby gives.
 */
import type { CredentialRole } from '../auth/credentials.js';
import type { ErrorCode } from '../protocol/errors.js';
import type { Role } from '../protocol/messages.js';
import type { PeerState } from '../roster/peer.js';

export interface AdmissionInput {
  peerState: PeerState;
  /** The role of a valid credential the peer presented, if any. */
  credential: CredentialRole | undefined;
  revoked: boolean;
  locked: boolean;
  lobby: boolean;
  webinar: boolean;
  hasPassword: boolean;
  /** `unchecked` until the meeting has checked the password the peer gave. */
  password: 'unchecked' | 'absent' | 'wrong' | 'right';
}

export type Admission =
  | { kind: 'enter'; role: Role }
  | { kind: 'lobby' }
  /** Ask again with the password checked. */
  | { kind: 'check-password' }
  | { kind: 'refuse'; code: ErrorCode; message: string };

const refuse = (code: ErrorCode, message: string): Admission => ({ kind: 'refuse', code, message });

/** The role of someone let in without a panelist's credential. */
export const newcomerRole = (webinar: boolean): Role => (webinar ? 'attendee' : 'participant');

export function decideAdmission(input: AdmissionInput): Admission {
  if (input.peerState !== 'connected') return refuse('invalid_state', 'this session has already joined');
  if (input.revoked) return refuse('credential_revoked', 'a host turned you away from this meeting');
  if (input.credential === 'host' || input.credential === 'participant') return { kind: 'enter', role: input.credential };
  if (input.credential === 'attendee') return { kind: 'enter', role: newcomerRole(input.webinar) };
  if (input.locked) return refuse('room_locked', 'the host has locked this meeting');
  if (input.hasPassword) {
    switch (input.password) {
      case 'unchecked':
        return { kind: 'check-password' };
      case 'absent':
        return refuse('password_required', 'this meeting needs a password');
      case 'wrong':
        return refuse('password_incorrect', 'that password is not right');
      case 'right':
        break;
    }
  }
  return input.lobby ? { kind: 'lobby' } : { kind: 'enter', role: newcomerRole(input.webinar) };
}
