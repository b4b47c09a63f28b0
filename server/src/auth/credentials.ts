/**
 * Meeting credentials: JWTs (HS256) bound to one room and one role, with an
 * expiry. `host` runs the meeting, `participant` was admitted and may come
 * back without waiting (a webinar's panelist), `attendee` was admitted to a
 * webinar's audience and comes back to it without waiting, `guest` is a
 * lobby ticket that lets a host's denial stick, `viewer` lets a WHEP player
 * watch (in the meeting's page it is worth no more than no credential). The
 * subject identifies the credential so it can be revoked.
 */
import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { SignallingError } from '../protocol/errors.js';

export type CredentialRole = 'host' | 'participant' | 'attendee' | 'guest' | 'viewer';
const ROLES: readonly string[] = ['host', 'participant', 'attendee', 'guest', 'viewer'];

export interface CredentialClaims {
  room: string;
  role: CredentialRole;
  sub: string;
  /** The meeting's creator. */
  owner: boolean;
}

const ISSUER = 'parley';

export class Credentials {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  /**
   * A new credential; without `sub`, a fresh identity. `owner` marks the
   * meeting's creator (the host link), whom other hosts cannot remove.
   */
  issue(room: string, role: CredentialRole, sub: string = randomUUID(), owner = false): Promise<string> {
    return new SignJWT({ room, role, ...(owner && role === 'host' ? { owner: true } : {}) })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + this.ttlSeconds)
      .sign(this.key);
  }

  /** The claims of a credential for `room`, or a `credential_invalid` error saying why not. */
  async verify(token: string, room: string): Promise<CredentialClaims> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: ['HS256'] }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new SignallingError('credential_invalid', 'this invitation has expired');
      throw new SignallingError('credential_invalid', 'this invitation is not valid');
    }
    if (payload['room'] !== room) {
      throw new SignallingError('credential_invalid', 'this invitation is for a different meeting');
    }
    const role = payload['role'];
    if (typeof role !== 'string' || !ROLES.includes(role) || !payload.sub) {
      throw new SignallingError('credential_invalid', 'this invitation is not valid');
    }
    return { room, role: role as CredentialRole, sub: payload.sub, owner: role === 'host' && payload['owner'] === true };
  }
}
