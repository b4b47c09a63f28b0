/**
 * Stream keys: what a WHIP publisher (OBS, an encoder) presents as its
 * bearer token. A key is `<id>.<secret>`; the room store keeps the id and a
 * SHA-256 of the secret only, so a leaked store cannot publish, and a key is
 * checked in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY_PATTERN = /^([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{43})$/;

export interface NewStreamKey {
  id: string;
  /** The whole key, shown to the host once. */
  key: string;
  secretHash: string;
}

export function newStreamKey(): NewStreamKey {
  const id = randomBytes(9).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  return { id, key: `${id}.${secret}`, secretHash: hashSecret(secret) };
}

/** The id and secret of a well-formed key, or undefined. */
export function parseStreamKey(text: string): { id: string; secret: string } | undefined {
  const match = KEY_PATTERN.exec(text);
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

export function secretMatches(secret: string, secretHash: string): boolean {
  const expected = Buffer.from(secretHash, 'hex');
  const given = Buffer.from(hashSecret(secret), 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
