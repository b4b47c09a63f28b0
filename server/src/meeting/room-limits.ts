/**
 * Limits that belong to a room rather than to its live meeting on this node,
 * so that closing and reopening the meeting (the last person leaving, the
 * next one arriving) does not refill them: password guesses, lobby knocks,
 * and starts of recordings and streams (each costs the server a composition),
 * from everyone together. Kept per node for the rooms seen lately;
 * past MAX_ROOMS the least recently used room's limits are forgotten.
 */
import { TokenBucket } from './token-bucket.js';

/** Password guesses for one room: a burst of 10, then one every 6 s. */
const PASSWORD_BURST = 10;
const PASSWORD_REFILL_MS = 6_000;
/** Knocks on one room's lobby: a burst of 30 (a meeting starting), then two a second. */
const KNOCK_BURST = 30;
const KNOCK_REFILL_MS = 500;
/** Recordings and streams started in one room: a burst of 6, then one a minute. */
const EGRESS_BURST = 6;
const EGRESS_REFILL_MS = 60_000;
const MAX_ROOMS = 10_000;

export interface RoomLimit {
  passwordGuesses: TokenBucket;
  knocks: TokenBucket;
  egressStarts: TokenBucket;
}

export class RoomLimits {
  private readonly rooms = new Map<string, RoomLimit>();

  of(roomId: string): RoomLimit {
    let limit = this.rooms.get(roomId);
    if (limit) this.rooms.delete(roomId);
    else {
      limit = {
        passwordGuesses: new TokenBucket(PASSWORD_BURST, PASSWORD_REFILL_MS),
        knocks: new TokenBucket(KNOCK_BURST, KNOCK_REFILL_MS),
        egressStarts: new TokenBucket(EGRESS_BURST, EGRESS_REFILL_MS),
      };
    }
    // A Map keeps insertion order: re-inserting makes this room the most recent.
    this.rooms.set(roomId, limit);
    if (this.rooms.size > MAX_ROOMS) this.rooms.delete(this.rooms.keys().next().value!);
    return limit;
  }
}
