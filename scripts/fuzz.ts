/**
 * The full fuzz run: 100,000 random and mutated signalling messages (or
 * FUZZ_MESSAGES) over 8 connections into a room holding a real two-browser
 * call, SDP-dangerous strings in every string field among them, then
 * FUZZ_ROUNDS (100) rounds of concurrent state-changing bursts. Reports
 * crashes, stalled calls and requests, and RSS. Prints the figures and writes them to fuzz-results.json
 * (FUZZ_OUTPUT). Run it through scripts/fuzz.sh.
 */
import { writeFile } from 'node:fs/promises';
import { fuzzDuringCall } from '../server/testkit/fuzz/fuzz-with-call.js';

const messages = Number(process.env['FUZZ_MESSAGES'] ?? 100_000);
const seed = Number(process.env['FUZZ_SEED'] ?? 1);
const output = process.env['FUZZ_OUTPUT'] ?? 'fuzz-results.json';

const rounds = Number(process.env['FUZZ_ROUNDS'] ?? 100);
// The whole run is bounded: a server that stops answering fails it instead of hanging it.
const LIMIT_MS = Number(process.env['FUZZ_TIME_LIMIT_MS'] ?? 30 * 60_000);
const watchdog = setTimeout(() => {
  console.log(`RESULT: FAIL (not finished within ${LIMIT_MS / 1000} s)`);
  process.exit(2);
}, LIMIT_MS);
watchdog.unref();

const figures = await fuzzDuringCall(messages, seed, rounds);
const healthy =
  figures.workersAfter.join() === figures.workersBefore.join() &&
  figures.stalledSeconds <= 2 &&
  figures.stalledRequests === 0 &&
  figures.dangerousAccepted === 0 &&
  figures.rssPeakMb - figures.rssStartMb < 200;
console.log(`messages sent           ${figures.sent} (seed ${seed})`);
console.log(`duration                ${(figures.durationMs / 1000).toFixed(1)} s, ${figures.messagesPerSecond} messages/s`);
console.log(`responses               ${figures.answered}`);
console.log(`errors by code          ${JSON.stringify(figures.errorsByCode)}`);
console.log(`connection closes       ${JSON.stringify(figures.closeCodes)}, reconnects ${figures.reconnects}`);
console.log(`dangerous strings       ${figures.dangerousSent} sent, ${figures.dangerousAccepted} accepted`);
console.log(`concurrent bursts       ${figures.interleavings} (${figures.interleavedRequests} requests), ${figures.stalledRequests} unanswered in time`);
console.log(`crashes                 ${figures.workersAfter.join() === figures.workersBefore.join() ? 'none (same worker pids)' : 'a worker died or was replaced'}`);
console.log(`process RSS             ${figures.rssStartMb} MB -> peak ${figures.rssPeakMb} MB -> ${figures.rssEndMb} MB`);
console.log(`mediasoup workers       ${figures.workersBefore.join(',')} -> ${figures.workersAfter.join(',')}`);
console.log(`call during fuzzing     ${JSON.stringify(figures.framesDecodedDuringFuzz)} frames decoded, ${figures.stalledSeconds} stalled seconds`);
console.log(healthy ? 'RESULT: PASS' : 'RESULT: FAIL');
await writeFile(output, `${JSON.stringify({ date: new Date().toISOString(), seed, ...figures }, null, 2)}\n`);
process.exit(healthy ? 0 : 1);
