/**
 * Node-to-node requests are signed with the deployment's shared secret:
 * HMAC-SHA256 over the timestamp and the body, checked in constant time and
 * refused when older than MAX_SKEW_MS.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-parley-signature';
const MAX_SKEW_MS = 30_000;

const mac = (secret: string, timestamp: string, body: string) =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('base64url');

export function sign(secret: string, body: string, now = Date.now()): string {
  return `t=${now},v=${mac(secret, String(now), body)}`;
}

export function verify(secret: string, body: string, header: string | undefined, now = Date.now()): boolean {
  const match = /^t=(\d+),v=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!match) return false;
  const [, timestamp, given] = match as unknown as [string, string, string];
  if (Math.abs(now - Number(timestamp)) > MAX_SKEW_MS) return false;
  const expected = Buffer.from(mac(secret, timestamp, body));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
