/**
 * Benchmark 2, time to first media: from opening the meeting link to the
 * first decoded remote video frame, in headless Chromium, over JOINS joins
 * (default 20). One Chromium page stays in the room as the far end; each
 * join is a fresh browser context. Prints p50 and p95.
 *   scripts/bench.sh time-to-first-media
 */
import { joinMeeting, launchBrowser, openParticipant } from '../../server/testkit/browser.js';
import { createRoom, startTestParley } from '../../server/testkit/parley.js';
import { withDeadline } from '../../server/testkit/wait.js';
import { percentile, saveResults } from './results.js';

const joins = Number(process.env['JOINS'] ?? 20);

const parley = await startTestParley();
const browser = await launchBrowser();
const samples: number[] = [];
try {
  const room = await createRoom(parley, { lobby: false });
  const host = await openParticipant(browser, parley.url);
  await joinMeeting(host.page, room.url, 'Far end');
  for (let i = 0; i < joins; i++) {
    const guest = await openParticipant(browser, parley.url);
    await guest.page.goto(room.url);
    await guest.page.getByLabel('Your name').fill(`Guest ${i}`);
    await guest.page.getByRole('button', { name: 'Join' }).click();
    // Milliseconds since the page's time origin (the navigation) when the first remote frame was presented.
    // A string, not a function: tsx would wrap named inner functions in a helper the page lacks.
    const firstFrame = guest.page.evaluate<number>(`new Promise((resolve) => {
      const look = () => {
        const video = [...document.querySelectorAll('.tile.camera video')].find((element) => element.srcObject);
        if (video) video.requestVideoFrameCallback(() => resolve(performance.now()));
        else setTimeout(look, 20);
      };
      look();
    })`);
    const ms = await withDeadline(firstFrame, 60_000, `the first remote frame of join ${i + 1}`);
    samples.push(Math.round(ms));
    console.log(`join ${i + 1}: first remote frame after ${Math.round(ms)} ms`);
    await guest.context.close();
  }
} finally {
  await browser.close();
  await parley.close();
}
const p50 = percentile(samples, 50);
const p95 = percentile(samples, 95);
console.log(`time to first media over ${samples.length} joins: p50 ${p50} ms, p95 ${p95} ms`);
await saveResults('time-to-first-media', { joins: samples.length, samplesMs: samples, p50Ms: p50, p95Ms: p95 });
process.exit(0);
