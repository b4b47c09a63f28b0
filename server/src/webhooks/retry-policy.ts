/**
 * When a webhook delivery is tried again: what an answer means, and how long
 * to wait before the next attempt (exponential, with jitter so that many
 * queues that failed together do not retry together).
 */

export type AttemptOutcome = 'delivered' | 'rejected' | 'retry';

/** 2xx delivers; a 4xx other than 408 and 429 will not change on retry; anything else (3xx too: redirects are not followed) is retried. */
export function outcomeOf(status: number): AttemptOutcome {
  if (status >= 200 && status < 300) return 'delivered';
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return 'rejected';
  return 'retry';
}

/**
 * The wait after the `failures`-th failed attempt (1, 2, ...): `initialMs`
 * doubling up to `capMs`, then a random point in its upper half.
 */
export function backoffDelay(failures: number, initialMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, initialMs * 2 ** Math.min(Math.max(failures - 1, 0), 40));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
