/**
 * One join through Parley's meeting page, timed: a fresh browser context
 * opens the room link, enters a name and presses Join; the page's first
 * presented remote camera frame, the stages it marked on the way
 * (`parley:` performance marks, the same figures it reports to /metrics),
 * and how many WebSocket messages it sent before that frame. Shared by the
 * time-to-first-media and WHEP benchmarks.
 */
import type { Browser } from 'playwright-core';
import type { FirstMediaStage } from '../../server/src/protocol/messages.js';
import { openParticipant } from '../../server/testkit/browser.js';
import { withDeadline } from '../../server/testkit/wait.js';

export interface PageJoin {
  /** From navigation to the first remote frame, ms. */
  firstFrameMs: number;
  /** Since navigation, ms, by stage. */
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

/** Joins `roomUrl` on `origin` as `name` in a context of its own, closed after. */
export async function timePageJoin(browser: Browser, origin: string, roomUrl: string, name: string): Promise<PageJoin> {
  const guest = await openParticipant(browser, origin);
  try {
    const sent: number[] = [];
    guest.page.on('websocket', (socket) => socket.on('framesent', () => sent.push(Date.now())));
    await guest.page.goto(roomUrl);
    await guest.page.getByLabel('Your name').fill(name);
    await guest.page.getByRole('button', { name: 'Join' }).click();
    const firstFrame = guest.page.evaluate<number>(FIRST_FRAME);
    const firstFrameMs = Math.round(await withDeadline(firstFrame, 60_000, `the first remote frame of ${name}`));
    // The page's clock and this process's are the same machine's: the frame's moment as a wall-clock time.
    const frameAt = (await guest.page.evaluate<number>('performance.timeOrigin')) + firstFrameMs;
    const stages = await guest.page.evaluate<PageJoin['stages']>(STAGES);
    return { firstFrameMs, stages, messagesBeforeFirstFrame: sent.filter((at) => at <= frameAt).length };
  } finally {
    await guest.context.close();
  }
}
