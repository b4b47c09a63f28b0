/**
 * Benchmark 2, time to first media: from opening the meeting link to the
 * first decoded remote video frame, in headless Chromium, over JOINS joins
 * (default 20). One Chromium page stays in the room as the far end; each
 * join is a fresh browser context. Prints p50 and p95, the p50 of each stage
 * the page marked on the way (`parley:` performance marks, the same figures
 * it reports to /metrics), and how many WebSocket messages the page sent
 * before its first frame.
 *   scripts/bench.sh time-to-first-media
 */
import { FIRST_MEDIA_STAGES } from '../../server/src/protocol/messages.js';
import { joinMeeting, launchBrowser, openParticipant } from '../../server/testkit/browser.js';
import { createRoom, startTestParley } from '../../server/testkit/parley.js';
import { timePageJoin, type PageJoin } from './first-frame.js';
import { median, percentile, saveResults } from './results.js';

const joins = Number(process.env['JOINS'] ?? 20);

const parley = await startTestParley();
const browser = await launchBrowser();
const samples: PageJoin[] = [];
try {
  const room = await createRoom(parley, { lobby: false });
  const host = await openParticipant(browser, parley.url);
  await joinMeeting(host.page, room.url, 'Far end');
  for (let i = 0; i < joins; i++) {
    const sample = await timePageJoin(browser, parley.url, room.url, `Guest ${i}`);
    samples.push(sample);
    const { firstFrameMs, stages, messagesBeforeFirstFrame } = sample;
    console.log(
      `join ${i + 1}: first remote frame after ${firstFrameMs} ms (Join pressed at ${stages.joinPressed} ms; ` +
        `${messagesBeforeFirstFrame} messages sent)`,
    );
  }
} finally {
  await browser.close();
  await parley.close();
}
const totals = samples.map((sample) => sample.firstFrameMs);
const p50 = percentile(totals, 50);
const p95 = percentile(totals, 95);
const stageP50s = Object.fromEntries(
  FIRST_MEDIA_STAGES.map((stage) => {
    const times = samples.flatMap((sample) => (sample.stages[stage] === undefined ? [] : [sample.stages[stage]!]));
    return [stage, times.length ? percentile(times, 50) : null];
  }),
);
const messages = median(samples.map((sample) => sample.messagesBeforeFirstFrame));
const withoutForm = samples.map((sample) => sample.firstFrameMs - ((sample.stages.joinPressed ?? 0) - (sample.stages.formShown ?? 0)));
const withoutFormP50 = percentile(withoutForm, 50);
console.log(`time to first media over ${samples.length} joins: p50 ${p50} ms, p95 ${p95} ms; without the time the form was on screen: p50 ${withoutFormP50} ms`);
console.log(`stages, p50 ms since navigation: ${JSON.stringify(stageP50s)}`);
console.log(`WebSocket messages sent before the first frame: median ${messages}`);
await saveResults('time-to-first-media', { joins: samples.length, samples, p50Ms: p50, p95Ms: p95, withoutFormP50Ms: withoutFormP50, stageP50Ms: stageP50s, messagesMedian: messages });
process.exit(0);
