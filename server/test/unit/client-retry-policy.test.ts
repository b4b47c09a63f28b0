/**
 * The browser client's one retry policy after a lost connection: resume
 * within the server's grace period, then rejoin, then give up when the delay
 * table runs out. Pure, so it runs here without a browser.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextRetry, RESUME_WINDOW_MS, RETRY_DELAYS_MS } from '../../../client/src/connection/retry-policy.js';

const FAST = { timeout: 5_000 };

/** Plays the policy from the loss on, as if every retry failed at once: the actions and when they start. */
function playOut(resumable: boolean): { action: string; at: number }[] {
  const steps: { action: string; at: number }[] = [];
  let elapsedMs = 0;
  for (let attempts = 0; ; ) {
    const next = nextRetry({ attempts, elapsedMs, resumable });
    if (next.action === 'give-up') return [...steps, { action: 'give-up', at: elapsedMs }];
    elapsedMs += next.delayMs;
    steps.push({ action: next.action, at: elapsedMs });
    attempts = next.attempt;
  }
}

test('a session the server still holds is resumed first, within its grace period', FAST, () => {
  const first = nextRetry({ attempts: 0, elapsedMs: 0, resumable: true });
  assert.deepEqual(first, { action: 'resume', attempt: 1, delayMs: RETRY_DELAYS_MS[0] });
  const steps = playOut(true);
  const resumes = steps.filter((step) => step.action === 'resume');
  assert.ok(resumes.length >= 3, `several resume attempts (${resumes.length})`);
  assert.ok(resumes.every((step) => step.at < RESUME_WINDOW_MS), 'every resume inside the window');
  assert.ok(RESUME_WINDOW_MS < 15_000, 'the window ends before the server forgets the session');
});

test('after the grace period it rejoins, and gives up when the table runs out', FAST, () => {
  const steps = playOut(true);
  const firstRejoin = steps.findIndex((step) => step.action === 'rejoin');
  assert.ok(firstRejoin > 0, 'resume comes before rejoin');
  assert.ok(steps.slice(firstRejoin, -1).every((step) => step.action === 'rejoin'), 'no resume after the first rejoin');
  assert.equal(steps.at(-1)?.action, 'give-up');
  assert.equal(steps.length, RETRY_DELAYS_MS.length + 1, 'one retry per delay, then give up');
  const total = steps.at(-1)!.at;
  assert.ok(total >= 45_000 && total <= 90_000, `about a minute in all (${total} ms)`);
});

test('a session that cannot be resumed goes straight to rejoining', FAST, () => {
  assert.deepEqual(nextRetry({ attempts: 0, elapsedMs: 0, resumable: false }), {
    action: 'rejoin',
    attempt: 1,
    delayMs: RETRY_DELAYS_MS[0],
  });
  assert.ok(playOut(false).slice(0, -1).every((step) => step.action === 'rejoin'));
});

test('a resume that would start after the window rejoins instead', FAST, () => {
  const late = nextRetry({ attempts: 2, elapsedMs: RESUME_WINDOW_MS - RETRY_DELAYS_MS[2]! + 1, resumable: true });
  assert.equal(late.action, 'rejoin');
  const inTime = nextRetry({ attempts: 2, elapsedMs: RESUME_WINDOW_MS - RETRY_DELAYS_MS[2]! - 1, resumable: true });
  assert.equal(inTime.action, 'resume');
});

test('the retry count only grows, so a failing rejoin cannot loop for ever', FAST, () => {
  assert.deepEqual(nextRetry({ attempts: RETRY_DELAYS_MS.length, elapsedMs: 0, resumable: true }), { action: 'give-up' });
  const next = nextRetry({ attempts: 5, elapsedMs: 60_000, resumable: false });
  assert.equal(next.action !== 'give-up' && next.attempt, 6);
});

test('a resume refused by a live server (another node, a restart) rejoins at once', FAST, () => {
  assert.deepEqual(nextRetry({ attempts: 1, elapsedMs: 400, resumable: false, refused: true }), { action: 'rejoin', attempt: 2, delayMs: 0 });
  assert.equal(nextRetry({ attempts: RETRY_DELAYS_MS.length, elapsedMs: 60_000, resumable: false, refused: true }).action, 'give-up');
});
