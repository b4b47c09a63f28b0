/**
 * Bounded waiting for tests and benchmarks: every wait has a deadline and,
 * when it passes, fails with an error that says what it was waiting for.
 * Prefer an event (nextEvent) to polling (waitUntil), and both to a sleep.
 */
import { once, type EventEmitter } from 'node:events';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Settles as `promise` does, or rejects after `ms` with "timed out after … waiting for <what>". */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** The arguments of `emitter`'s next `event` (rejecting on its 'error'), within `ms`. */
export async function nextEvent(emitter: EventEmitter, event: string, ms: number, what: string): Promise<unknown[]> {
  const listening = new AbortController();
  try {
    return await withDeadline(once(emitter, event, { signal: listening.signal }), ms, what);
  } finally {
    listening.abort();
  }
}

/**
 * Polls `probe` until `done` holds, failing with the last value after
 * `timeoutMs`. A probe that itself hangs counts against the same deadline.
 */
export async function waitUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const next = () => withDeadline(probe(), Math.max(deadline - Date.now(), 1_000), `${what} (a probe did not answer)`);
  let value = await next();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await sleep(250);
    value = await next();
  }
  return value;
}
