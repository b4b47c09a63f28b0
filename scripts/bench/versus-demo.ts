/**
 * Time to first media, Parley side by side with the mediasoup demo (v3), in
 * one run: JOINS joins on each (default 20), alternating Parley and demo
 * (each pair swaps which goes first, so a drift in the machine's load falls
 * on both). Both run on the same mediasoup worker binary and
 * mediasoup-client version, one worker each, on loopback.
 *
 * In each system one far-end page stays in a room sending its fake camera
 * and microphone. Each join is a fresh browser context that sends camera
 * and mic and receives the far end. The same script, injected before the
 * page loads, measures both: the milliseconds from navigation start to the
 * first requestVideoFrameCallback of the first remote video element with a
 * srcObject; the CSS selector of that element is the only difference. The
 * demo joins on load; Parley's joiner fills its pre-join form and clicks
 * Join, and the time from the form appearing to that click (Parley's own
 * `parley:` marks) is reported apart, with Parley's stage breakdown.
 * WebSocket frames each page sends before its first frame are counted too.
 *   scripts/bench.sh versus-demo   (builds the demo first: scripts/bench/demo/build-demo.sh)
 */
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { FIRST_MEDIA_STAGES, type FirstMediaStage } from '../../server/src/protocol/messages.js';
import { joinMeeting, launchBrowser, openParticipant, PAGE_TIMEOUT_MS } from '../../server/testkit/browser.js';
import { createRoom } from '../../server/testkit/parley.js';
import { freePort } from '../../server/testkit/ports.js';
import { runTool, TestProcess } from '../../server/testkit/processes.js';
import { serveStatic } from './demo/static-https.js';
import { median, percentile, saveResults } from './results.js';
import { startParleyServer } from './servers.js';

const joins = Number(process.env['JOINS'] ?? 20);
const demoBuild = process.env['DEMO_BUILD_DIR'];
if (!Number.isInteger(joins) || joins < 1) throw new Error(`JOINS must be a positive whole number, not ${process.env['JOINS']}`);
if (!demoBuild) throw new Error('DEMO_BUILD_DIR is not set: run this benchmark as scripts/bench.sh versus-demo, which builds the demo first');

/** The demo app opens its WebSocket to this port of the page's host; it is fixed in the app (urlFactory.js). */
const DEMO_PROTOO_PORT = 4443;
const FIRST_FRAME_TIMEOUT_MS = 60_000;

type System = 'parley' | 'demo';
/** The remote camera video in each app: the only per-system part of the measurement. */
const REMOTE_VIDEO: Record<System, string> = { parley: '.tile.camera video', demo: '[data-component="Peer"] video' };

interface Join {
  system: System;
  firstFrameMs: number;
  /** From Parley's pre-join form appearing to the Join click: the time a person spends typing; 0 for the demo, which joins on load. */
  formMs: number;
  /** Parley's own marks of each stage of the join (ms since navigation); none for the demo. */
  stages: Partial<Record<FirstMediaStage, number>>;
  wsMessagesSent: number;
}

/**
 * Injected before any page script: hooks every remote video element that gets a srcObject (an app may
 * replace the element or its stream) and stamps the first frame any of them presents. A string, not a function: tsx would wrap named inner functions in a helper the page lacks.
 */
const detection = (selector: string) => `(() => {
  const hooked = new WeakSet();
  const look = () => {
    if (window.__firstFrameMs !== undefined) return;
    for (const video of document.querySelectorAll(${JSON.stringify(selector)})) {
      if (!video.srcObject || hooked.has(video)) continue;
      hooked.add(video);
      video.requestVideoFrameCallback(() => { window.__firstFrameMs ??= performance.now(); });
    }
    setTimeout(look, 20);
  };
  look();
})()`;

async function selfSignedCertificate(directory: string): Promise<{ cert: string; key: string }> {
  await mkdir(directory, { recursive: true });
  const cert = path.join(directory, 'cert.pem');
  const key = path.join(directory, 'key.pem');
  await runTool('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert]);
  return { cert, key };
}

/** Whether something accepts TCP connections on the loopback `port`. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const answer = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => answer(true)).once('error', () => answer(false));
    socket.setTimeout(2_000, () => answer(false));
  });

async function startDemoServer(tls: { cert: string; key: string }): Promise<TestProcess> {
  return TestProcess.start(process.execPath, [path.join(demoBuild!, 'server', 'server.js')], {
    what: `the mediasoup demo server on port ${DEMO_PROTOO_PORT}`,
    env: { ...process.env, DEBUG: '*WARN* *ERROR*', INTERACTIVE: 'false', DEMO_TLS_CERT: tls.cert, DEMO_TLS_KEY: tls.key },
    ready: () => listening(DEMO_PROTOO_PORT),
    timeoutMs: 60_000,
  });
}

/** Resolves once the page sends video: a far end is ready once its camera reaches the server. */
async function waitUntilSendingVideo(page: Page, what: string): Promise<void> {
  // A function, not a string: Parley's Content-Security-Policy forbids the eval a string predicate needs.
  const sending = async () => {
    let bytes = 0;
    for (const connection of (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections) {
      (await connection.getStats()).forEach((report: { type: string; kind?: string; bytesSent?: number }) => {
        if (report.type === 'outbound-rtp' && report.kind === 'video') bytes += report.bytesSent ?? 0;
      });
    }
    return bytes > 0;
  };
  await page.waitForFunction(sending, undefined, { timeout: PAGE_TIMEOUT_MS, polling: 100 }).catch((error: Error) => {
    throw new Error(`${what} sent no video within ${PAGE_TIMEOUT_MS} ms: ${error.message}`);
  });
}

async function measure(browser: Browser, system: System, origin: string, open: (page: Page) => Promise<void>, what: string): Promise<Join> {
  const guest = await openParticipant(browser, origin);
  try {
    await guest.context.addInitScript(detection(REMOTE_VIDEO[system]));
    const sentAt: number[] = [];
    guest.page.on('websocket', (socket) => socket.on('framesent', () => sentAt.push(Date.now())));
    await open(guest.page);
    const presented = () => (window as unknown as { __firstFrameMs?: number }).__firstFrameMs !== undefined;
    await guest.page.waitForFunction(presented, undefined, { timeout: FIRST_FRAME_TIMEOUT_MS, polling: 50 }).catch((error: Error) => {
      throw new Error(`${what}: no remote frame within ${FIRST_FRAME_TIMEOUT_MS} ms: ${error.message}`);
    });
    const page = await guest.page.evaluate<{ firstFrameMs: number; stages: Join['stages']; timeOrigin: number }>(
      `({ firstFrameMs: window.__firstFrameMs, timeOrigin: performance.timeOrigin, stages: Object.fromEntries(
        performance.getEntriesByType('mark').filter((mark) => mark.name.startsWith('parley:'))
          .map((mark) => [mark.name.slice('parley:'.length), Math.round(mark.startTime)])) })`,
    );
    const firstFrameAt = page.timeOrigin + page.firstFrameMs;
    const { formShown, joinPressed } = page.stages;
    if (system === 'parley' && (formShown === undefined || joinPressed === undefined)) throw new Error(`${what}: Parley marked no form`);
    return {
      system,
      firstFrameMs: Math.round(page.firstFrameMs),
      formMs: system === 'parley' ? joinPressed! - formShown! : 0,
      stages: page.stages,
      wsMessagesSent: sentAt.filter((at) => at <= firstFrameAt).length,
    };
  } finally {
    await guest.context.close();
  }
}

const loadAtStart = os.loadavg();
const tls = await selfSignedCertificate(path.join(demoBuild, 'tls'));
const parley = await startParleyServer();
const demo = await startDemoServer(tls).catch(async (error: unknown) => {
  await parley.stop();
  throw error;
});
const app = await serveStatic(path.join(demoBuild, 'server', 'public'), tls, await freePort());
const browser = await launchBrowser(['--ignore-certificate-errors']);
const results: Join[] = [];
try {
  const room = await createRoom(parley, { lobby: false });
  const demoRoom = `bench${Date.now().toString(36)}`;
  // Both joiners do the same: send camera and mic, receive the far end. Parley has no DataChannels, so the demo's are off.
  const demoUrl = (name: string) => `${app.url}/?roomId=${demoRoom}&displayName=${encodeURIComponent(name)}&datachannel=false`;

  const parleyFarEnd = await openParticipant(browser, parley.url);
  await joinMeeting(parleyFarEnd.page, room.url, 'Far end');
  await waitUntilSendingVideo(parleyFarEnd.page, "Parley's far end");
  const demoFarEnd = await openParticipant(browser, app.url);
  await demoFarEnd.page.goto(demoUrl('Far end'));
  await waitUntilSendingVideo(demoFarEnd.page, "the demo's far end");

  const join = {
    parley: (i: number) =>
      measure(browser, 'parley', parley.url, async (page) => {
        await page.goto(room.url);
        await page.getByLabel('Your name').fill(`Guest ${i}`);
        await page.getByRole('button', { name: 'Join' }).click();
      }, `Parley join ${i}`),
    demo: (i: number) => measure(browser, 'demo', app.url, async (page) => void (await page.goto(demoUrl(`Guest ${i}`))), `demo join ${i}`),
  };
  for (let i = 1; i <= joins; i++) {
    const order: System[] = i % 2 === 1 ? ['parley', 'demo'] : ['demo', 'parley'];
    for (const system of order) {
      const result = await join[system](i);
      results.push(result);
      const form = system === 'parley' ? ` (${result.formMs} ms of it filling the form)` : '';
      console.log(`join ${i} ${system.padEnd(6)}: first remote frame after ${result.firstFrameMs} ms${form}, ${result.wsMessagesSent} WebSocket messages sent before it`);
    }
  }
} finally {
  await browser.close();
  await app.close();
  await demo.kill('SIGTERM', 5_000);
  await parley.stop();
}

const of = (system: System) => results.filter((result) => result.system === system);
const summary = (values: number[]) => ({ p50: percentile(values, 50), p95: percentile(values, 95) });
const parleyMs = summary(of('parley').map((result) => result.firstFrameMs));
const parleyAfterFormMs = summary(of('parley').map((result) => result.firstFrameMs - result.formMs));
const formMs = summary(of('parley').map((result) => result.formMs));
const demoMs = summary(of('demo').map((result) => result.firstFrameMs));
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const stageP50s = Object.fromEntries(
  FIRST_MEDIA_STAGES.map((stage) => {
    const times = of('parley').flatMap((result) => (result.stages[stage] === undefined ? [] : [result.stages[stage]!]));
    return [stage, times.length ? percentile(times, 50) : null];
  }),
);
const messages = { parley: median(of('parley').map((result) => result.wsMessagesSent)), demo: median(of('demo').map((result) => result.wsMessagesSent)) };
const figures = {
  joinsEach: joins,
  loadAverage: { atStart: loadAtStart, atEnd: os.loadavg() },
  parleyMs,
  parleyWithoutFormMs: parleyAfterFormMs,
  parleyFormMs: formMs,
  demoMs,
  ratio: { p50: ratio(parleyMs.p50, demoMs.p50), p95: ratio(parleyMs.p95, demoMs.p95) },
  ratioWithoutForm: { p50: ratio(parleyAfterFormMs.p50, demoMs.p50), p95: ratio(parleyAfterFormMs.p95, demoMs.p95) },
  parleyStageP50Ms: stageP50s,
  medianWsMessagesSentBeforeFirstFrame: messages,
  joins: results,
};
console.log(`time to first media over ${joins} joins each:`);
console.log(`  Parley             p50 ${parleyMs.p50} ms, p95 ${parleyMs.p95} ms (filling the form: p50 ${formMs.p50} ms, p95 ${formMs.p95} ms)`);
console.log(`  Parley minus form  p50 ${parleyAfterFormMs.p50} ms, p95 ${parleyAfterFormMs.p95} ms`);
console.log(`  mediasoup demo     p50 ${demoMs.p50} ms, p95 ${demoMs.p95} ms`);
console.log(`  Parley ÷ demo: p50 ${figures.ratio.p50}, p95 ${figures.ratio.p95}; without the form: p50 ${figures.ratioWithoutForm.p50}, p95 ${figures.ratioWithoutForm.p95}`);
console.log(`  Parley's stages, p50 ms since navigation: ${JSON.stringify(stageP50s)}`);
console.log(`  WebSocket messages sent before the first frame (median): Parley ${messages.parley}, demo ${messages.demo}`);
await saveResults('versus-demo', figures);
process.exit(0);
