/**
 * A short fuzz run in the test suite (scripts/fuzz.sh runs 100,000
 * messages): thousands of random and mutated messages into a room while two
 * real browsers hold a call in it. The process, the worker, memory and the
 * call must all come through.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuzzDuringCall } from '../../testkit/fuzz/fuzz-with-call.js';

const MESSAGES = Number(process.env['FUZZ_MESSAGES'] ?? 6000);
const ROUNDS = 5;

test(`${MESSAGES} fuzzed messages and ${ROUNDS} rounds of concurrent state changes leave the process, the worker and a live call intact`, { timeout: 240_000 }, async () => {
  const figures = await fuzzDuringCall(MESSAGES, 1, ROUNDS);
  console.log(`# fuzz: ${JSON.stringify(figures)}`);
  assert.equal(figures.sent, MESSAGES);
  assert.ok(figures.dangerousSent > MESSAGES / 20, `SDP-dangerous strings were sent (${figures.dangerousSent})`);
  assert.equal(figures.dangerousAccepted, 0, 'no request carrying a dangerous string was accepted');
  assert.ok(figures.interleavings >= ROUNDS * 4, `concurrent bursts ran (${figures.interleavings})`);
  assert.equal(figures.stalledRequests, 0, 'every request and ping was answered in time');
  assert.ok(figures.answered > MESSAGES / 2, 'the server kept answering');
  assert.ok((figures.errorsByCode['bad_message'] ?? 0) > 0, 'malformed messages were refused');
  assert.deepEqual(figures.workersAfter, figures.workersBefore, 'no worker died or was replaced');
  assert.ok(figures.rssPeakMb - figures.rssStartMb < 200, `memory stayed bounded (${figures.rssStartMb} -> ${figures.rssPeakMb} MB)`);
  // The fake camera sends 20 frames a second; at least 8 a second must have been decoded while fuzzing.
  const expected = Math.max(5, (figures.durationMs / 1000) * 8);
  assert.ok(
    figures.framesDecodedDuringFuzz.alice >= expected && figures.framesDecodedDuringFuzz.bob >= expected,
    `the call kept decoding (${JSON.stringify(figures.framesDecodedDuringFuzz)} frames in ${figures.durationMs} ms)`,
  );
  assert.ok(figures.stalledSeconds <= 2, `the call stalled for ${figures.stalledSeconds} s`);
});
