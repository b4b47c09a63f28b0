/**
 * API keys for the HTTP API. Without configured keys the API is open (local
 * development, or a server where anyone may start a meeting); with keys,
 * each request needs "Authorization: Bearer KEY". Keys are compared by
 * their SHA-256 digests in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(keys: string | undefined) {
    this.digests = (keys ?? '').split(',').filter(Boolean).map(digest);
  }

  get open(): boolean {
    return this.digests.length === 0;
  }

  /** Whether an Authorization header carries a valid key (always true in open mode). */
  allows(authorization: string | undefined): boolean {
    return this.open || this.keyIndex(authorization) !== undefined;
  }

  /** Which configured key an Authorization header carries (its position in the list), if any. */
  keyIndex(authorization: string | undefined): number | undefined {
    const match = /^Bearer ([A-Za-z0-9_-]+)$/.exec(authorization ?? '');
    if (!match) return undefined;
    const given = digest(match[1]!);
    const index = this.digests.findIndex((known) => timingSafeEqual(known, given));
    return index === -1 ? undefined : index;
  }
}
