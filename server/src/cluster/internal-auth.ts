/**
 * Node-to-node requests are signed with the deployment's shared secret:
 * HMAC-SHA256 over a timestamp, a random nonce and the body, checked in
 * constant time, refused when older than MAX_SKEW_MS, and refused when the
 * nonce was seen before: a captured request cannot be replayed, not even
 * within the time window.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-parley-signature';
export const MAX_SKEW_MS = 30_000;
/** Signatures remembered at most; past it new ones are refused until old ones expire (fail closed). */
export const MAX_REMEMBERED_NONCES = 100_000;

const mac = (secret: string, timestamp: string, nonce: string, body: string) =>
  createHmac('sha256', secret).update(`${timestamp}.${nonce}.${body}`).digest('base64url');

export function sign(secret: string, body: string, now = Date.now(), nonce = randomBytes(16).toString('base64url')): string {
  return `t=${now},n=${nonce},v=${mac(secret, String(now), nonce, body)}`;
}

export type Verdict = 'ok' | 'invalid' | 'expired' | 'replayed' | 'busy';

/**
 * Checks signatures and remembers the nonces of valid ones until they
 * expire (timestamp + MAX_SKEW_MS), so each is accepted once. Memory is
 * bounded: expired nonces are dropped as new ones come, and at most
 * `maxNonces` are kept. Only correctly signed requests are remembered, so
 * filling the memory needs the secret.
 */
export class SignatureVerifier {
  /** nonce -> when it expires; insertion order is roughly expiry order. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly secret: string,
    private readonly maxNonces = MAX_REMEMBERED_NONCES,
  ) {}

  verify(body: string, header: string | undefined, now = Date.now()): Verdict {
    const match = /^t=(\d{1,16}),n=([A-Za-z0-9_-]{16,64}),v=([A-Za-z0-9_-]+)$/.exec(header ?? '');
    if (!match) return 'invalid';
    const [, timestamp, nonce, given] = match as unknown as [string, string, string, string];
    const expected = Buffer.from(mac(this.secret, timestamp, nonce, body));
    const actual = Buffer.from(given);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return 'invalid';
    const signedAt = Number(timestamp);
    if (Math.abs(now - signedAt) > MAX_SKEW_MS) return 'expired';
    this.forgetExpired(now);
    if (this.seen.has(nonce)) return 'replayed';
    if (this.seen.size >= this.maxNonces) return 'busy';
    this.seen.set(nonce, signedAt + MAX_SKEW_MS);
    return 'ok';
  }

  /** Nonces remembered now (for tests). */
  get remembered(): number {
    return this.seen.size;
  }

  private forgetExpired(now: number): void {
    for (const [nonce, expiresAt] of this.seen) {
      // Signatures arrive roughly in time order; the first one still valid ends the sweep.
      if (expiresAt >= now) break;
      this.seen.delete(nonce);
    }
  }
}
