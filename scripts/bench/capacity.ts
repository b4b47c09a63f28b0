/**
 * Benchmark 3, capacity: consumers one mediasoup worker carries at <= 1 %
 * loss, and the worker's CPU per consumer. One publisher (video + audio) on
 * a one-worker node; receiving bots are added until a step's consumer count
 * is reached (each receiver consumes both streams: half audio, half video),
 * and each step is measured over a window. It stops when loss passes 1 %
 * (a lossy step is measured again, up to 3 times, if the worker spent the
 * window waiting for a core: other work on the machine, not its capacity),
 * at the last step (1,000 consumers), or when the load generator's Node
 * process saturates a core, and says which.
 *
 * Receivers are real WebRTC peers (werift does ICE and DTLS), but count the
 * clear-text RTP headers instead of decrypting, in native counter processes
 * that take their sockets over (scripts/load/rtp-counter.c): the worker does
 * the same work for them, and the load generator costs a fraction of what
 * the worker does per packet. CPU is read from each process's own /proc
 * entry: the worker, Parley's Node process, this process and its counters.
 *   scripts/bench.sh capacity
 * Settings: CAPACITY_STEPS (consumers, rising; default 100,200,...,1000),
 * CAPACITY_SETTLE_MS (5000), CAPACITY_WINDOW_MS (10000), CAPACITY_RECEIVE
 * (native | headers | decrypt), CAPACITY_JOIN_CONCURRENCY (10).
 */
import os from 'node:os';
import { Bot } from '../load/bot.js';
import { RtpCounterProcess } from '../load/rtp-counter-process.js';
import { createLoadRoom } from '../load/run-load.js';
import { capacitySettings } from './capacity-settings.js';
import { measureWindow, type WindowFigures } from './capacity-window.js';
import { descendantsNamed } from './process-cpu.js';
import { waitUntil } from '../../server/testkit/wait.js';
import { saveResults, sleep } from './results.js';
import { startParleyServer } from './servers.js';

const settings = capacitySettings();
const CONSUMERS_PER_RECEIVER = 2;
/** Joining and connecting hundreds of receivers is slow on a busy machine; a receiver still without media after this is replaced. */
const MEDIA_FLOWING_TIMEOUT_MS = 60_000;
const REPLACEMENT_ROUNDS = 3;
/** A step with loss is measured again (up to this many times in all) if the worker spent this much of the window waiting for a core. */
const STARVED_WAIT_PERCENT = 10;
const ATTEMPTS_WHEN_STARVED = 3;

const loadBefore = os.loadavg();
const server = await startParleyServer({ PARLEY_WORKERS: '1', PARLEY_MAX_PEERS_PER_ROOM: '1000', PARLEY_ROOM_PEERS_PER_ROUTER: '1000' });
type Row = WindowFigures & { step: number; attempt: number };
const rows: Row[] = [];
let verdict = `reached the last step (${settings.steps.at(-1)} consumers)`;
const receivers: Bot[] = [];
let publisher: Bot | undefined;
const counters: RtpCounterProcess[] = [];
const countersView = {
  get pids() {
    return counters.map((counter) => counter.pid);
  },
  refresh: () => Promise.all(counters.map((counter) => counter.report())).then(() => {}),
};
try {
  const workers = await descendantsNamed(server.pid, 'mediasoup-worker');
  if (workers.length !== 1) throw new Error(`expected one mediasoup-worker under Parley (pid ${server.pid}), found ${workers.length}`);
  const workerPid = workers[0]!;
  const roomId = await createLoadRoom(server.url);
  const source = await Bot.join({ baseUrl: server.url, roomId, name: 'publisher', publish: true, subscribe: false });
  publisher = source;
  // 'native' receivers count headers in Node until their media flows, then hand their sockets to a counter process.
  const receive = settings.receive === 'native' ? 'headers' : settings.receive;
  const join = (index: number) => Bot.join({ baseUrl: server.url, roomId, name: `r${index}`, publish: false, subscribe: true, receive });
  let handedOver = 0;
  const counting = { native: 'RTP headers, in rtp-counter processes', headers: 'RTP headers, in Node', decrypt: 'decrypted packets, in werift' }[settings.receive];
  console.log(`capacity: one worker (pid ${workerPid}); receivers count ${counting}`);
  console.log(
    `consumers (a+v) | packets/s | delivered % | loss % | worker % | node % | generator % (node+counters) | machine % of ${os.cpus().length * 100} | worker waited % | drops at worker/bots | worker µs/packet`,
  );
  for (const step of settings.steps) {
    const wanted = Math.ceil(step / CONSUMERS_PER_RECEIVER);
    for (let round = 1; ; round++) {
      while (receivers.length < wanted) {
        const batch = Math.min(settings.joinConcurrency, wanted - receivers.length);
        receivers.push(...(await Promise.all(Array.from({ length: batch }, (_, i) => join(receivers.length + i)))));
      }
      const silent = () => receivers.filter((bot) => [...bot.received.values()].filter((stream) => stream.packets > 0).length < CONSUMERS_PER_RECEIVER);
      // Not waiting in vain is handled below: silent receivers are replaced, a few times at most.
      await waitUntil(async () => silent().length, (count) => count === 0, MEDIA_FLOWING_TIMEOUT_MS, 'media to flow to every receiver').catch(() => {});
      const stuck = silent();
      if (stuck.length === 0) break;
      const why = stuck.map((bot) => `${bot.name}: transport ${bot.recvConnectionState}${bot.consumeFailure ? `, ${bot.consumeFailure.message}` : ''}`).join('; ');
      if (round === REPLACEMENT_ROUNDS) throw new Error(`${stuck.length} receivers got no media within ${MEDIA_FLOWING_TIMEOUT_MS / 1000} s, ${round} rounds running (${why})`);
      console.log(`  ${stuck.length} receivers got no media within ${MEDIA_FLOWING_TIMEOUT_MS / 1000} s (${why}): replacing them`);
      for (const bot of stuck) {
        bot.close();
        receivers.splice(receivers.indexOf(bot), 1);
      }
    }
    if (settings.receive === 'native') {
      counters.push(await RtpCounterProcess.start(receivers.slice(handedOver).flatMap((bot) => bot.tapped)));
      handedOver = receivers.length;
    }
    const parties = { receivers, publisher: source, workerPid, nodePid: server.pid, counters: countersView };
    let row: Row;
    for (let attempt = 1; ; attempt++) {
      await sleep(settings.settleMs);
      row = { step, attempt, ...(await measureWindow(parties, settings.windowMs)) };
      rows.push(row);
      printRow(row);
      // Loss while the worker waited for a core tells more about the machine's other work than about the worker: measure again.
      if (row.lossPercent <= 1 || row.workerWaitPercent < STARVED_WAIT_PERCENT || attempt === ATTEMPTS_WHEN_STARVED) break;
      console.log(`  the worker waited for a core ${row.workerWaitPercent.toFixed(0)} % of the window: measuring this step again`);
    }
    const { audio, video } = row.consumers;
    if (row.lossPercent > 1) {
      verdict = `loss passed 1 % at ${audio + video} consumers`;
      if (row.workerWaitPercent >= STARVED_WAIT_PERCENT) {
        verdict += `, while the worker waited for a core ${row.workerWaitPercent.toFixed(0)} % of the window: other work on the machine starved it; measure on a quiet machine`;
      }
      break;
    }
    if (row.deliveredPercent < 90) {
      verdict = `receivers got less than 90 % of the packets sent to them at ${audio + video} consumers`;
      break;
    }
    if (row.generatorNodeCpuPercent > 90) {
      verdict = `the load generator saturated its core at ${audio + video} consumers; later figures would measure it, not the worker`;
      break;
    }
  }
} finally {
  for (const counter of counters) counter.stop();
  for (const bot of receivers) bot.close();
  publisher?.close();
  await server.stop();
}

const within = rows.filter((row) => row.lossPercent <= 1);
const best = within.at(-1);
const bestConsumers = best ? best.consumers.audio + best.consumers.video : 0;
// Worker CPU against consumers, least squares over the steps at <= 1 % loss: the slope is the cost of one more consumer.
const fit = linearFit(within.map((row) => [row.consumers.audio + row.consumers.video, row.workerCpuPercent]));
const summary = {
  consumersAtOnePercentLoss: bestConsumers,
  workerCpuPercentAtThatStep: best?.workerCpuPercent,
  workerCpuPercentPerConsumer: best ? best.workerCpuPercent / bestConsumers : undefined,
  workerCpuPercentPerConsumerMarginal: fit?.slope,
  workerCpuPercentAtZeroConsumers: fit?.intercept,
  workerMicrosecondsPerPacket: best?.workerMicrosecondsPerPacket,
  /** Both scale the measured figures to 100 % of a core: extrapolations, labelled as such when printed. */
  consumersPerCoreFromRatio: best ? (bestConsumers / best.workerCpuPercent) * 100 : undefined,
  consumersPerCoreFromSlope: fit && fit.slope > 0 ? (100 - fit.intercept) / fit.slope : undefined,
};
const failed = rows.at(-1)!.lossPercent > 1 ? rows.at(-1) : undefined;
console.log(
  `capacity: ${bestConsumers} consumers on one worker at <= 1 % loss, measured (${verdict})` +
    (failed ? `; the limit lies between ${bestConsumers} and ${failed.step}` : `; the limit is above ${bestConsumers}`),
);
if (best) {
  console.log(
    `worker CPU: ${best.workerCpuPercent.toFixed(1)} % of a core at ${bestConsumers} consumers = ${(summary.workerCpuPercentPerConsumer! * 1000).toFixed(1)} % of a core per 1,000 consumers, ` +
      `${best.workerMicrosecondsPerPacket.toFixed(2)} µs of worker CPU per forwarded packet` +
      (fit ? ` (least-squares slope over the steps: ${(fit.slope * 1000).toFixed(1)} % per 1,000)` : ''),
  );
  console.log(
    `consumers per core, EXTRAPOLATED to a full core: ${Math.round(summary.consumersPerCoreFromRatio!)} from the last good step's ratio` +
      (summary.consumersPerCoreFromSlope ? `, ${Math.round(summary.consumersPerCoreFromSlope)} from the slope` : ''),
  );
}
const loadAfter = os.loadavg();
console.log(`load average (1/5/15 min): before ${loadBefore.map((v) => v.toFixed(2)).join(' ')}, after ${loadAfter.map((v) => v.toFixed(2)).join(' ')}`);
await saveResults('capacity', { settings, rows, verdict, ...summary, loadAverage: { before: loadBefore, after: loadAfter } });
process.exit(0);

function printRow(row: Row): void {
  const { audio, video } = row.consumers;
  console.log(
    [
      `${audio + video} (${audio}+${video})`.padEnd(15),
      Math.round(row.packetsPerSecond).toString().padStart(9),
      row.deliveredPercent.toFixed(1).padStart(11),
      row.lossPercent.toFixed(2).padStart(6),
      row.workerCpuPercent.toFixed(1).padStart(8),
      row.nodeCpuPercent.toFixed(1).padStart(6),
      `${row.generatorCpuPercent.toFixed(1)} (${row.generatorNodeCpuPercent.toFixed(1)}+${row.generatorCountersCpuPercent.toFixed(1)})`.padStart(27),
      row.machineBusyPercent.toFixed(0).padStart(16),
      row.workerWaitPercent.toFixed(1).padStart(15),
      `${row.kernelDrops.worker}/${row.kernelDrops.bots}`.padStart(20),
      row.workerMicrosecondsPerPacket.toFixed(2).padStart(16),
    ].join(' | '),
  );
}

function linearFit(points: [number, number][]): { slope: number; intercept: number } | undefined {
  if (points.length < 2) return undefined;
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const sxx = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  const sxy = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: meanY - slope * meanX };
}
