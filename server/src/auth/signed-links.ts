/**
 * Download links that prove themselves: a path, an expiry time and an
 * HMAC-SHA256 of both under the server's secret. Whoever holds the link may
 * fetch that one path until it expires; nothing else is needed, so links
 * work from any node that shares the secret, and nothing is stored.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const signature = (secret: string, path: string, expires: number) => createHmac('sha256', secret).update(`${path}\n${expires}`).digest('base64url');

/** `path?expires=…&signature=…`, valid until `expiresAt` (ms since the epoch). */
export function signPath(secret: string, path: string, expiresAt: number): string {
  const expires = Math.floor(expiresAt / 1000);
  return `${path}?expires=${expires}&signature=${signature(secret, path, expires)}`;
}

/** Why a link is refused, or undefined when it is good. */
export function checkSignedPath(secret: string, path: string, expires: number, given: string, now = Date.now()): 'expired' | 'forged' | undefined {
  const expected = Buffer.from(signature(secret, path, expires));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return 'forged';
  return expires * 1000 < now ? 'expired' : undefined;
}
