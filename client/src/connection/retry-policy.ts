/**
 * The one retry policy after a lost connection. First `resume`: the server
 * holds a session whose signalling connection vanished for a grace period,
 * and a new connection proving the same credential takes it back with its
 * media untouched. Once that cannot work (the grace is over, the server
 * refused, or the session itself is gone) `rejoin` the meeting with the
 * saved credential. When the delay table runs out, give up. A resume
 * refused by a server that answered (another node behind the load balancer,
 * or a restarted one) means that server is up and the session is gone:
 * rejoin at once. Pure: no DOM, no timers.
 */

/** Delay before each retry: about a minute in all. */
export const RETRY_DELAYS_MS: readonly number[] = [
  300, 700, 1000, 2000, 3000, 4000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000,
];

/** The server's grace period for `resume`, less time for the request to reach it. */
export const RESUME_WINDOW_MS = 15_000 - 2_000;

export interface Recovery {
  /** Retries started since the connection was lost. */
  attempts: number;
  /** Milliseconds since the connection was lost. */
  elapsedMs: number;
  /** The server may still hold the session: it was in the meeting, and no resume was refused. */
  resumable: boolean;
  /** The last attempt was a resume that a live server refused. */
  refused?: boolean;
}

export type Retry = { action: 'resume' | 'rejoin'; attempt: number; delayMs: number } | { action: 'give-up' };

export function nextRetry({ attempts, elapsedMs, resumable, refused }: Recovery): Retry {
  const delayMs = RETRY_DELAYS_MS[attempts];
  if (delayMs === undefined) return { action: 'give-up' };
  if (refused) return { action: 'rejoin', attempt: attempts + 1, delayMs: 0 };
  const resume = resumable && elapsedMs + delayMs < RESUME_WINDOW_MS;
  return { action: resume ? 'resume' : 'rejoin', attempt: attempts + 1, delayMs };
}
