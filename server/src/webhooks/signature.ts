/**
 * The webhook signature: `Parley-Signature: t=<unix seconds>,v1=<hex>`,
 * where v1 is HMAC-SHA256(secret, "<t>.<raw body>"). Signing the time with
 * the body lets a receiver refuse a replayed old delivery.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Parley-Signature';

function digest(secret: string, timestamp: number, rawBody: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

/** The Parley-Signature header value for `rawBody` sent at `nowMs`. */
export function signatureHeader(secret: string, rawBody: string, nowMs = Date.now()): string {
  const timestamp = Math.floor(nowMs / 1000);
  return `t=${timestamp},v1=${digest(secret, timestamp, rawBody).toString('hex')}`;
}

/**
 * Whether `header` is a valid signature of `rawBody` (the exact bytes
 * received) made with `secret` within `toleranceSeconds` of `nowMs`. Any v1
 * may match, so a sender may sign with an old and a new secret at once.
 */
export function verifySignature(secret: string, header: string | undefined, rawBody: string | Buffer, toleranceSeconds = 300, nowMs = Date.now()): boolean {
  if (!header) return false;
  let timestamp: number | undefined;
  const candidates: Buffer[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) candidates.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined || Math.abs(nowMs / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = digest(secret, timestamp, rawBody);
  return candidates.some((candidate) => timingSafeEqual(candidate, expected));
}
