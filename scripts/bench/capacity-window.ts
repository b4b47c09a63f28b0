/**
 * One measured window of the capacity benchmark: what the receivers got,
 * and the CPU of each party read from its own process: the mediasoup
 * worker, Parley's Node process, the load generator (this process), and the
 * whole machine (so the reader sees what else competed for the cores).
 */
import type { Bot } from '../load/bot.js';
import { machineBusySeconds, runQueueWaitSeconds, socketInodes, udpReceiveDrops } from './machine-counters.js';
import { processCpuSeconds } from './process-cpu.js';
import { sleep } from './results.js';

export interface WindowFigures {
  receivers: number;
  consumers: { audio: number; video: number };
  packetsPerSecond: number;
  /** Packets received ÷ packets the publisher sent × receivers: below 100 % if streams stall, not only by loss. */
  deliveredPercent: number;
  lossPercent: number;
  /** Percent of one core over the window. */
  workerCpuPercent: number;
  nodeCpuPercent: number;
  generatorCpuPercent: number;
  /** All cores together (200 % is a fully busy 2-core machine), including the three above. */
  machineBusyPercent: number;
  /** Percent of the window the worker was ready to run but waited for a core: other work crowding it out. */
  workerWaitPercent: number;
  /** Datagrams the kernel dropped at full receive buffers during the window: at the worker's sockets, and at the bots'. */
  kernelDrops: { worker: number; bots: number };
  /** The worker's CPU time per packet it forwarded to the receivers. */
  workerMicrosecondsPerPacket: number;
}

async function snapshot(bots: Bot[], publisher: Bot, workerPid: number, nodePid: number) {
  const workerSockets = await socketInodes(workerPid);
  return {
    at: performance.now(),
    sent: publisher.sentPackets(),
    totals: bots.map((bot) => bot.totals()),
    worker: await processCpuSeconds(workerPid),
    node: await processCpuSeconds(nodePid),
    generator: process.cpuUsage(),
    machine: await machineBusySeconds(),
    workerWait: await runQueueWaitSeconds(workerPid),
    drops: await udpReceiveDrops(workerSockets),
  };
}

export async function measureWindow(receivers: Bot[], publisher: Bot, workerPid: number, nodePid: number, windowMs: number): Promise<WindowFigures> {
  const before = await snapshot(receivers, publisher, workerPid, nodePid);
  await sleep(windowMs);
  const after = await snapshot(receivers, publisher, workerPid, nodePid);
  const seconds = (after.at - before.at) / 1000;
  const percent = (cpuSeconds: number) => (cpuSeconds / seconds) * 100;
  const packets = after.totals.reduce((sum, total, i) => sum + total.packets - before.totals[i]!.packets, 0);
  const lost = after.totals.reduce((sum, total, i) => sum + total.lost - before.totals[i]!.lost, 0);
  const generator = process.cpuUsage(before.generator);
  const consumers = { audio: 0, video: 0 };
  for (const bot of receivers) for (const stream of bot.received.values()) consumers[stream.kind]++;
  return {
    receivers: receivers.length,
    consumers,
    packetsPerSecond: packets / seconds,
    deliveredPercent: (packets / Math.max(1, (after.sent - before.sent) * receivers.length)) * 100,
    lossPercent: (lost / Math.max(1, packets + lost)) * 100,
    workerCpuPercent: percent(after.worker - before.worker),
    nodeCpuPercent: percent(after.node - before.node),
    generatorCpuPercent: percent((generator.user + generator.system) / 1e6),
    machineBusyPercent: percent(after.machine - before.machine),
    workerWaitPercent: percent(after.workerWait - before.workerWait),
    kernelDrops: { worker: after.drops.at - before.drops.at, bots: after.drops.elsewhere - before.drops.elsewhere },
    workerMicrosecondsPerPacket: packets ? ((after.worker - before.worker) / packets) * 1e6 : 0,
  };
}
