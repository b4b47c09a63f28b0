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
import { FIRST_MEDIA_STAGES, type FirstMediaStage } from '../../server/src/protocol/messages.js';
import { joinMeeting, launchBrowser, openParticipant } from '../../server/testkit/browser.js';
import { createRoom, startTestParley } from '../../server/testkit/parley.js';
import { withDeadline } from '../../server/testkit/wait.js';
import { median, percentile, saveResults } from './results.js';

const joins = Number(process.env['JOINS'] ?? 20);

interface Sample {
  firstFrameMs: number;
  stages: Partial<Record<FirstMediaStage, number>>;
  messagesBeforeFirstFrame: number;
}

// Strings, not functions: tsx would wrap named inner functions in a helper the page lacks.
const FIRST_FRAME = `new Promise((resolve) => {
  const look = () => {
    const video = [...document.querySelectorAll('.tile.camera video')].find((element) => element.srcObject);
    if (video) video.requestVideoFrameCallback(() => resolve(performance.now()));
    else setTimeout(look, 20);
  };
  look();
})`;
const STAGES = `Object.fromEntries(performance.getEntriesByType('mark')
  .filter((mark) => mark.name.startsWith('parley:'))
  .map((mark) => [mark.name.slice('parley:'.length), Math.round(mark.startTime)]))`;

const parley = await startTestParley();
const browser = await launchBrowser();
const samples: Sample[] = [];
try {
  const room = await createRoom(parley, { lobby: false });
  const host = await openParticipant(browser, parley.url);
  await joinMeeting(host.page, room.url, 'Far end');
  for (let i = 0; i < joins; i++) {
    const guest = await openParticipant(browser, parley.url);
    const sent: number[] = [];
    guest.page.on('websocket', (socket) => socket.on('framesent', () => sent.push(Date.now())));
    await guest.page.goto(room.url);
    await guest.page.getByLabel('Your name').fill(`Guest ${i}`);
    await guest.page.getByRole('button', { name: 'Join' }).click();
    const firstFrame = guest.page.evaluate<number>(FIRST_FRAME);
    const firstFrameMs = Math.round(await withDeadline(firstFrame, 60_000, `the first remote frame of join ${i + 1}`));
    // The page's clock and this process's are the same machine's: the frame's moment as a wall-clock time.
    const frameAt = (await guest.page.evaluate<number>('performance.timeOrigin')) + firstFrameMs;
    const stages = await guest.page.evaluate<Sample['stages']>(STAGES);
    const messagesBeforeFirstFrame = sent.filter((at) => at <= frameAt).length;
    samples.push({ firstFrameMs, stages, messagesBeforeFirstFrame });
    console.log(
      `join ${i + 1}: first remote frame after ${firstFrameMs} ms (Join pressed at ${stages.joinPressed} ms; ` +
        `${messagesBeforeFirstFrame} messages sent)`,
    );
    await guest.context.close();
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
