/**
 * The WHEP benchmark: how soon a WHEP player sees and hears a meeting,
 * against a participant joining through Parley's own meeting page, in the
 * same run. One Parley (in-process), one room with a Chromium meeting page
 * on stage (fake camera and microphone, through the host link). Then, in
 * turn (WHEP first on even rounds, the page first on odd ones):
 *
 * - WHEP: a fresh plain page on another origin (plain-pages.ts: only
 *   RTCPeerConnection and fetch) POSTs a recvonly offer with a viewer
 *   token; timed from just before the POST to the first video frame the
 *   page presents (requestVideoFrameCallback) and to its first audio
 *   samples (getStats every 10 ms); then the session is DELETEd.
 * - The page: a fresh context joins through the meeting page
 *   (first-frame.ts, as the time-to-first-media benchmark does), timed from
 *   the Join click to the first remote camera frame it presents.
 *
 * One round of each comes first as a warm-up and is not counted. Prints
 * p50 and p95 of each and WHEP ÷ page. Parley takes 30 WHEP offers a
 * minute from one address; one turned away (429) is tried again later.
 *   scripts/bench.sh whep [--quick]
 * Settings: WHEP_SESSIONS (30; --quick 8).
 */
import os from 'node:os';
import type { Browser } from 'playwright-core';
import type { Parley } from '../../server/src/server.js';
import { joinMeeting, launchBrowser, openParticipant } from '../../server/testkit/browser.js';
import { createRoom, startTestParley, type CreatedRoom } from '../../server/testkit/parley.js';
import { deleteFromPage, openPlainPage, plainOrigin, watchFromPage, whepMoments, type PlainOrigin } from '../../server/testkit/plain-pages.js';
import { sleep, waitUntil } from '../../server/testkit/wait.js';
import { timePageJoin } from './first-frame.js';
import { percentile, positiveInteger, saveResults } from './results.js';

const quick = process.argv.includes('--quick');
const sessions = positiveInteger('WHEP_SESSIONS', quick ? 8 : 30);

interface WhepSample {
  answerMs: number;
  firstFrameMs: number;
  firstAudioMs: number;
}

interface Setting {
  parley: Parley;
  browser: Browser;
  plain: PlainOrigin;
  room: CreatedRoom;
}

/** Parley takes 30 WHIP/WHEP offers a minute from one address: a session turned away with 429 is tried again this much later, untimed. */
const RATE_LIMITED_WAIT_MS = 10_000;
const ATTEMPTS = 7;

async function timeWhep(setting: Setting): Promise<WhepSample> {
  for (let attempt = 1; ; attempt++) {
    const sample = await timeWhepOnce(setting);
    if (sample !== 'rate limited') return sample;
    if (attempt === ATTEMPTS) throw new Error(`WHEP still answered 429 after ${ATTEMPTS} attempts`);
    console.log(`  WHEP answered 429 (30 offers a minute per address): trying again in ${RATE_LIMITED_WAIT_MS / 1000} s`);
    await sleep(RATE_LIMITED_WAIT_MS);
  }
}

async function timeWhepOnce({ parley, browser, plain, room }: Setting): Promise<WhepSample | 'rate limited'> {
  const token = await parley.meetings.viewerToken(room.id);
  const page = await openPlainPage(browser, plain);
  try {
    const answer = await watchFromPage(page, `${parley.url}/whep/${room.id}`, token);
    if (answer.status === 429) return 'rate limited';
    if (answer.status !== 201) throw new Error(`WHEP answered ${answer.status}: ${answer.body}`);
    const moments = await waitUntil(() => whepMoments(page), (m) => m.firstFrameAt !== undefined && m.firstAudioAt !== undefined, 30_000, 'the WHEP player’s first frame and sound');
    const deleted = await deleteFromPage(page, new URL(answer.location!, parley.url).href, token);
    if (deleted !== 200) throw new Error(`DELETE of the WHEP session answered ${deleted}`);
    const since = (at: number | undefined) => Math.round(at! - moments.startedAt);
    return { answerMs: since(moments.answeredAt), firstFrameMs: since(moments.firstFrameAt), firstAudioMs: since(moments.firstAudioAt) };
  } finally {
    await page.context().close();
  }
}

/** From the Join click to the first remote frame, through the meeting page. */
async function timePage({ parley, browser, room }: Setting, name: string): Promise<number> {
  const join = await timePageJoin(browser, parley.url, room.url, name);
  return join.firstFrameMs - (join.stages.joinPressed ?? 0);
}

const loadBefore = os.loadavg();
const parley = await startTestParley();
const browser = await launchBrowser();
const plain = await plainOrigin();
const whep: WhepSample[] = [];
const page: number[] = [];
try {
  const room = await createRoom(parley, { lobby: false });
  const stage = await openParticipant(browser, parley.url);
  await joinMeeting(stage.page, room.hostUrl, 'On stage');
  const setting: Setting = { parley, browser, plain, room };
  const warmUp = { whep: await timeWhep(setting), pageMs: await timePage(setting, 'Warm-up') };
  console.log(`warm-up (not counted): WHEP first frame ${warmUp.whep.firstFrameMs} ms, page ${warmUp.pageMs} ms`);
  for (let i = 0; i < sessions; i++) {
    const order = i % 2 === 0 ? ['whep', 'page'] : ['page', 'whep'];
    for (const what of order) {
      if (what === 'whep') whep.push(await timeWhep(setting));
      else page.push(await timePage(setting, `Guest ${i}`));
    }
    const w = whep.at(-1)!;
    console.log(`round ${i + 1}: WHEP answer ${w.answerMs} ms, first frame ${w.firstFrameMs} ms, first audio ${w.firstAudioMs} ms; page first frame ${page.at(-1)} ms after Join`);
  }
} finally {
  await browser.close();
  await plain.close();
  await parley.close();
}
const loadAfter = os.loadavg();
const summary = (values: number[]) => ({ p50: percentile(values, 50), p95: percentile(values, 95) });
const figures = {
  whepAnswer: summary(whep.map((s) => s.answerMs)),
  whepFirstFrame: summary(whep.map((s) => s.firstFrameMs)),
  whepFirstAudio: summary(whep.map((s) => s.firstAudioMs)),
  pageFirstFrame: summary(page),
};
const ratio = { p50: figures.whepFirstFrame.p50 / figures.pageFirstFrame.p50, p95: figures.whepFirstFrame.p95 / figures.pageFirstFrame.p95 };
const show = ({ p50, p95 }: { p50: number; p95: number }) => `p50 ${p50} ms, p95 ${p95} ms`;
console.log(`\nover ${sessions} rounds:`);
console.log(`  WHEP, POST to answer:           ${show(figures.whepAnswer)}`);
console.log(`  WHEP, POST to first frame:      ${show(figures.whepFirstFrame)}`);
console.log(`  WHEP, POST to first audio:      ${show(figures.whepFirstAudio)}`);
console.log(`  meeting page, Join to first frame: ${show(figures.pageFirstFrame)}`);
console.log(`  first frame, WHEP ÷ page: p50 ${ratio.p50.toFixed(2)}, p95 ${ratio.p95.toFixed(2)}`);
console.log(`load average (1/5/15 min): before ${loadBefore.map((v) => v.toFixed(2)).join(' ')}, after ${loadAfter.map((v) => v.toFixed(2)).join(' ')}`);
await saveResults(quick ? 'whep-quick' : 'whep', { sessions, whep, pageFirstFrameMs: page, ...figures, ratio, loadAverage: { before: loadBefore, after: loadAfter } });
process.exit(0);
