/**
 * The full fuzz run: 100,000 random and mutated signalling messages (or
 * FUZZ_MESSAGES) over 8 connections into a room holding a real two-browser
 * call. Prints the figures and writes them to fuzz-results.json
 * (FUZZ_OUTPUT). Run it through scripts/fuzz.sh.
 */
import { writeFile } from 'node:fs/promises';
import { fuzzDuringCall } from '../server/test/fuzz/fuzz-with-call.js';

const messages = Number(process.env['FUZZ_MESSAGES'] ?? 100_000);
const seed = Number(process.env['FUZZ_SEED'] ?? 1);
const output = process.env['FUZZ_OUTPUT'] ?? 'fuzz-results.json';

const figures = await fuzzDuringCall(messages, seed);
const healthy =
  figures.workersAfter.join() === figures.workersBefore.join() &&
  figures.stalledSeconds <= 2 &&
  figures.rssPeakMb - figures.rssStartMb < 200;
console.log(`messages sent           ${figures.sent} (seed ${seed})`);
console.log(`duration                ${(figures.durationMs / 1000).toFixed(1)} s, ${figures.messagesPerSecond} messages/s`);
console.log(`responses               ${figures.answered}`);
console.log(`errors by code          ${JSON.stringify(figures.errorsByCode)}`);
console.log(`connection closes       ${JSON.stringify(figures.closeCodes)}, reconnects ${figures.reconnects}`);
console.log(`process RSS             ${figures.rssStartMb} MB -> peak ${figures.rssPeakMb} MB -> ${figures.rssEndMb} MB`);
console.log(`mediasoup workers       ${figures.workersBefore.join(',')} -> ${figures.workersAfter.join(',')}`);
console.log(`call during fuzzing     ${JSON.stringify(figures.framesDecodedDuringFuzz)} frames decoded, ${figures.stalledSeconds} stalled seconds`);
console.log(healthy ? 'RESULT: PASS' : 'RESULT: FAIL');
await writeFile(output, `${JSON.stringify({ date: new Date().toISOString(), seed, ...figures }, null, 2)}\n`);
process.exit(healthy ? 0 : 1);
