/**
 * The webinar benchmark: attendees per core at 0 % loss, on two Parley
 * nodes sharing a redis-server, against bare mediasoup in the same run.
 *
 * Two panelists publish real VP8 (720p, ~1.5 Mbit/s) and Opus
 * (recorded-media.ts), one on each node: each node is then the origin of
 * one panelist and receives the other through the pipe between the nodes,
 * so the pipe is used both ways and both nodes carry the same work.
 * Receive-only attendee bots join half on each node, step by step, each
 * getting both panelists' audio and video; they do ICE and DTLS like real
 * peers but count the clear-text RTP headers (native counter processes by
 * default; see capacity-receivers.ts). Each step is measured over a window:
 * loss per attendee, each node's CPU (Node process and worker), egress to
 * people and to the other node, and the pipe streams, which stay at one per
 * panelist stream however many attendees there are. The ramp stops when an
 * attendee loses packets (a lossy step is measured once more first), at
 * the last step, when the machine is full (the load generator shares it
 * with the servers), or when attendees can no longer join, and says which.
 *
 * On Parley the room is a real webinar: made as a normal room, the
 * panelists join (the first as host), the host turns webinar mode on, and
 * only then do attendees join, each checked to have entered as `attendee`.
 *
 * The baseline is the same fan-out (two publishers, the same attendees)
 * through bare mediasoup (bare-sfu.ts: one worker, the smallest server the
 * bots can talk to), at the same steps, started fresh after Parley's ramp.
 * At 400 attendees the servers and the bots fill a 2-core machine; past it
 * receivers stopped getting media (docs/performance.md, 8).
 *
 * With --chromium-panel the panelists are two headless Chromium meeting
 * pages instead (webinar-chromium-panel.ts: fake camera in simulcast, and
 * microphone; the host turns webinar mode on from the page), one per node,
 * and one step of attendees (default 200) is measured on Parley only. Its
 * baseline is what the panelists' pages sent in the same window: each
 * node's egress down the pipe ÷ its own panelist's send rate (1 when each
 * stream leaves the node once, however many attendees watch), beside its
 * egress to its attendees.
 *
 *   scripts/bench.sh webinar [--quick] [--chromium-panel]
 * Settings: WEBINAR_STEPS (attendees, rising; default 50,100,200,300,400;
 * --quick: 10,20; --chromium-panel: 200, --quick 20), WEBINAR_SETTLE_MS
 * (5000; --quick 3000), WEBINAR_WINDOW_MS (10000; --quick 5000),
 * WEBINAR_RECEIVE (native | headers | decrypt), WEBINAR_JOIN_CONCURRENCY (10).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Bot, ReceiveMode } from '../load/bot.js';
import { cameraClip, startingAt, toneClip, type RecordedMedia } from '../load/recorded-media.js';
import { createWebinarRoom, joinPanelist, turnWebinarOn, type WebinarRoom } from '../load/webinar.js';
import { TestRedis } from '../../server/testkit/redis.js';
import { ReceiverPool } from './capacity-receivers.js';
import { descendantsNamed } from './process-cpu.js';
import { positiveInteger, saveResults, sleep } from './results.js';
import { startBareServer, startParleyServer, type ServerUnderTest } from './servers.js';
import { joinChromiumPanel } from './webinar-chromium-panel.js';
import { compare, printHeader, printPanelEgress, printRow, type PanelEgress, type WebinarRow } from './webinar-report.js';
import { measureWindow, type ServerSide } from './webinar-window.js';

const quick = process.argv.includes('--quick');
const chromiumPanel = process.argv.includes('--chromium-panel');
const defaultSteps = chromiumPanel ? (quick ? '20' : '200') : quick ? '10,20' : '50,100,200,300,400';
const steps = (process.env['WEBINAR_STEPS'] ?? defaultSteps).split(',').map((step) => Number(step.trim()));
if (steps.some((step, i) => !Number.isInteger(step) || step < 2 || (i > 0 && step <= steps[i - 1]!))) throw new Error(`WEBINAR_STEPS must be rising whole numbers of at least 2: ${steps.join(',')}`);
if (steps.at(-1)! > 998) throw new Error('one room holds at most 1,000 participants: 2 panelists and 998 attendees');
const settleMs = positiveInteger('WEBINAR_SETTLE_MS', quick ? 3_000 : 5_000);
const windowMs = positiveInteger('WEBINAR_WINDOW_MS', quick ? 5_000 : 10_000);
const receive = (process.env['WEBINAR_RECEIVE'] ?? 'native') as ReceiveMode | 'native';
if (!['native', 'headers', 'decrypt'].includes(receive)) throw new Error(`WEBINAR_RECEIVE must be native, headers or decrypt, not "${receive}"`);
const joinConcurrency = positiveInteger('WEBINAR_JOIN_CONCURRENCY', 10);
/** Each attendee receives two panelists' audio and video. */
const STREAMS_PER_ATTENDEE = 4;
/**
 * Past this, what the benchmark runs (servers, load generator, redis) has
 * no core to spare, and the next step would measure the queue for one.
 * Other work on the machine is reported apart and does not stop the ramp:
 * if it crowds the servers out, loss stops it.
 */
const SATURATED_PERCENT = os.cpus().length * 100 * 0.9;

interface Deployment {
  name: 'parley' | 'bare';
  servers: ServerSide[];
  started: ServerUnderTest[];
  redisPid: number | undefined;
  stop(): Promise<void>;
}

async function sideOf(server: ServerUnderTest, name: string, metrics: boolean): Promise<ServerSide> {
  const workerPids = await descendantsNamed(server.pid, 'mediasoup-worker');
  if (workerPids.length !== 1) throw new Error(`expected one mediasoup-worker under ${server.name} (pid ${server.pid}), found ${workerPids.length}`);
  return { name, url: server.url, pid: server.pid, workerPids, metrics };
}

async function startParley(): Promise<Deployment> {
  const redis = await TestRedis.start();
  const [redisPid] = await descendantsNamed(process.pid, 'redis-server');
  const shared = {
    PARLEY_REDIS_URL: redis.url,
    PARLEY_SECRET: 'webinar-benchmark-secret-of-32-characters',
    PARLEY_WORKERS: '1',
    PARLEY_MAX_PEERS_PER_ROOM: '1000',
    PARLEY_ROOM_PEERS_PER_ROUTER: '1000',
  };
  const started: ServerUnderTest[] = [];
  const stop = async () => {
    await Promise.all(started.map((server) => server.stop()));
    await redis.stop();
  };
  try {
    for (const node of ['a', 'b']) started.push(await startParleyServer({ ...shared, PARLEY_NODE_ID: `node-${node}` }));
    const servers = await Promise.all(started.map((server, i) => sideOf(server, 'AB'[i]!, true)));
    return { name: 'parley', servers, started, redisPid, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startBare(): Promise<Deployment> {
  const server = await startBareServer();
  try {
    return { name: 'bare', servers: [await sideOf(server, 'bare', false)], started: [server], redisPid: undefined, stop: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** Loss in a window: measured once more, since one stall of a busy machine can lose a packet. */
const ATTEMPTS_WHEN_LOSSY = 2;

/** The people on stage, bots or browsers, seated in the room (and on Parley, the room made a webinar). */
interface Panel {
  /** Packets sent so far, where every attendee should get each (bots only). */
  sentPackets?: () => number;
  /** Bytes each panelist has sent so far, in node order (browsers only). */
  sentBytes?: () => Promise<number[]>;
  /** CPU seconds the browser has used so far (browsers only). */
  cpuSeconds?: () => Promise<number>;
  close(): Promise<void>;
}

async function botPanel(deployment: Deployment, room: WebinarRoom, media: RecordedMedia[]): Promise<Panel> {
  const { servers } = deployment;
  const bots: Bot[] = [];
  const close = async () => {
    for (const bot of bots) bot.close();
  };
  try {
    // One panelist on each node (both on the one bare server); the first is the host, who then makes the room a webinar.
    for (const [i, clip] of media.entries()) bots.push(await joinPanelist(servers[i % servers.length]!.url, room, `panelist-${i}`, { host: i === 0, media: clip }));
    if (deployment.name === 'parley') await turnWebinarOn(bots[0]!);
    return { sentPackets: () => bots.reduce((sum, bot) => sum + bot.sentPackets(), 0), close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function browserPanel(deployment: Deployment, room: WebinarRoom): Promise<Panel> {
  if (!room.url || !room.hostCredential) throw new Error('the Chromium panel needs Parley: its room link and host credential');
  const panel = await joinChromiumPanel(deployment.servers.map((server) => server.url), room.url, room.hostCredential);
  return { sentBytes: panel.sentBytes, cpuSeconds: panel.cpuSeconds, close: panel.close };
}

/** On Parley, everyone who joined after webinar mode went on must be an attendee: else the run measures a normal meeting. */
function assertAttendees(deployment: Deployment, attendees: Bot[]): void {
  if (deployment.name !== 'parley') return;
  const others = attendees.filter((bot) => bot.role !== 'attendee');
  if (others.length) throw new Error(`${others.length} attendees entered as something else: ${others.slice(0, 3).map((bot) => `${bot.name} as ${bot.role}`).join(', ')}`);
}

async function ramp(deployment: Deployment, seat: (room: WebinarRoom) => Promise<Panel>, stepsToRun: number[], rows: WebinarRow[], egress: PanelEgress[]): Promise<string> {
  const { servers } = deployment;
  const room = await createWebinarRoom(servers[0]!.url);
  // Two halves of the attendees, each its own pool of bots and counters, on the two nodes (both on the one bare server): the load generator does the same for both.
  const pools = [0, 1].map((half) => {
    const server = servers[half % servers.length]!;
    return new ReceiverPool(server.url, room.id, { receive, joinConcurrency }, { streams: STREAMS_PER_ATTENDEE, namePrefix: `${server.name}${half}-` });
  });
  let panel: Panel | undefined;
  try {
    panel = await seat(room);
    const counters = {
      pids: () => pools.flatMap((pool) => pool.counters.pids()),
      refresh: async () => {
        await Promise.all(pools.map((pool) => pool.counters.refresh()));
      },
    };
    for (const step of stepsToRun) {
      // Half the attendees in each pool; the first takes the odd one.
      try {
        for (const [i, pool] of pools.entries()) await pool.fillTo(Math.ceil((step - i) / pools.length));
      } catch (error) {
        // A server too busy to take more attendees (bare mediasoup's one worker at a full core stops answering joins in time).
        return `attendees could not join at ${step}: ${(error as Error).message.slice(0, 300)}`;
      }
      const attendees = pools.flatMap((pool) => pool.receivers);
      assertAttendees(deployment, attendees);
      let row: WebinarRow;
      for (let attempt = 1; ; attempt++) {
        await sleep(settleMs);
        const sentBefore = await panel.sentBytes?.();
        const browserBefore = await panel.cpuSeconds?.();
        const startedAt = performance.now();
        const parties = { servers, attendees, counters, redisPid: deployment.redisPid, ...(panel.sentPackets ? { panelSentPackets: panel.sentPackets } : {}) };
        row = { deployment: deployment.name, step, attempt, ...(await measureWindow(parties, windowMs)) };
        rows.push(row);
        printRow(row);
        const browserAfter = await panel.cpuSeconds?.();
        const sentAfter = await panel.sentBytes?.();
        if (sentBefore && sentAfter && browserBefore !== undefined && browserAfter !== undefined) {
          const seconds = (performance.now() - startedAt) / 1000;
          const panelMbps = sentAfter.map((bytes, i) => ((bytes - sentBefore[i]!) * 8) / 1e6 / seconds);
          const browserCpuPercent = ((browserAfter - browserBefore) / seconds) * 100;
          egress.push(printPanelEgress(row, pools.map((pool) => pool.receivers.length), panelMbps, browserCpuPercent));
        }
        if (row.lossPercent === 0 || attempt === ATTEMPTS_WHEN_LOSSY) break;
        console.log('  loss in the window: measuring this step again');
      }
      if (row.lossPercent > 0) return `attendees lost packets at ${step} attendees (worst ${row.worstAttendeeLossPercent.toFixed(2)} %)`;
      if (row.generatorNodeCpuPercent > 90) return `the load generator's Node process saturated its core at ${step} attendees`;
      const ours = row.serverCpuPercent + row.generatorCpuPercent + row.redisCpuPercent;
      if (ours > SATURATED_PERCENT) return `the servers and the load generator together used ${ours.toFixed(0)} % of ${os.cpus().length * 100} at ${step} attendees: the machine is full`;
    }
    return `reached the last step (${stepsToRun.at(-1)} attendees) without loss`;
  } finally {
    for (const pool of pools) pool.close();
    await panel?.close();
  }
}

type Seat = (deployment: Deployment, room: WebinarRoom) => Promise<Panel>;

async function run(start: () => Promise<Deployment>, seat: Seat, stepsToRun: number[], rows: WebinarRow[], egress: PanelEgress[]): Promise<string> {
  const deployment = await start();
  try {
    return await ramp(deployment, (room) => seat(deployment, room), stepsToRun, rows, egress);
  } catch (error) {
    for (const server of deployment.started) console.log(server.describe());
    throw error;
  } finally {
    await deployment.stop();
  }
}

const loadBefore = os.loadavg();
const counting = { native: 'RTP headers, in rtp-counter processes', headers: 'RTP headers, in Node', decrypt: 'decrypted packets, in werift' }[receive];
const rows: WebinarRow[] = [];
const egress: PanelEgress[] = [];
let verdict: string;
let bareVerdict: string | undefined;
if (chromiumPanel) {
  console.log(`webinar, Chromium panel: 2 meeting pages (fake camera in simulcast + microphone), one per Parley node, attendees half on each; attendees count ${counting}`);
  printHeader();
  verdict = await run(startParley, browserPanel, steps, rows, egress);
  console.log(`Parley: ${verdict}`);
} else {
  const clipDir = await mkdtemp(path.join(os.tmpdir(), 'parley-webinar-'));
  const video = await cameraClip(clipDir).finally(() => rm(clipDir, { recursive: true, force: true }));
  // The two panelists' keyframes a second apart, their tones apart.
  const media: RecordedMedia[] = [
    { video, audio: toneClip(440) },
    { video: startingAt(video, 30), audio: toneClip(660) },
  ];
  const seat: Seat = (deployment, room) => botPanel(deployment, room, media);
  console.log(`webinar: 2 panelists (VP8 720p + Opus), attendees over 2 Parley nodes (a webinar room), then over bare mediasoup; attendees count ${counting}`);
  printHeader();
  verdict = await run(startParley, seat, steps, rows, egress);
  console.log(`Parley: ${verdict}`);
  const parleySteps = [...new Set(rows.map((row) => row.step))];
  bareVerdict = await run(startBare, seat, parleySteps, rows, egress);
  console.log(`bare mediasoup: ${bareVerdict}`);
}
const summary = chromiumPanel ? {} : compare(rows);
const loadAfter = os.loadavg();
console.log(`load average (1/5/15 min): before ${loadBefore.map((v) => v.toFixed(2)).join(' ')}, after ${loadAfter.map((v) => v.toFixed(2)).join(' ')}`);
await saveResults(`webinar${chromiumPanel ? '-chromium-panel' : ''}${quick ? '-quick' : ''}`, {
  settings: { steps, settleMs, windowMs, receive, joinConcurrency, panel: chromiumPanel ? 'chromium' : 'bots', webinarRoom: true },
  verdict,
  bareVerdict,
  rows,
  ...(chromiumPanel ? { panelEgress: egress } : {}),
  ...summary,
  loadAverage: { before: loadBefore, after: loadAfter },
});
process.exit(0);
