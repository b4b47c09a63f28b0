/**
 * One measured window of the capacity benchmark: what the receivers got,
 * and the CPU of each party read from its own process: the mediasoup
 * worker, Parley's Node process, the load generator (this process and its
 * RTP counter processes), and the whole machine (so the reader sees what
 * else competed for the cores).
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
  /** The load generator: this process and its RTP counters together, then each part. */
  generatorCpuPercent: number;
  generatorNodeCpuPercent: number;
  generatorCountersCpuPercent: number;
  /** All cores together (200 % is a fully busy 2-core machine), including the three above. */
  machineBusyPercent: number;
  /** Percent of the window the worker was ready to run but waited for a core: other work crowding it out. */
  workerWaitPercent: number;
  /** Datagrams the kernel dropped at full receive buffers during the window: at the worker's sockets, and at the bots'. */
  kernelDrops: { worker: number; bots: number };
  /** The worker's CPU time per packet it forwarded to the receivers. */
  workerMicrosecondsPerPacket: number;
}

export interface WindowParties {
  receivers: Bot[];
  publisher: Bot;
  workerPid: number;
  nodePid: number;
  /** Processes that count for the receivers, and how to bring the receivers' counts up to date. */
  counters: { pids(): number[]; refresh(): Promise<void> };
}

async function snapshot({ receivers, publisher, workerPid, nodePid, counters }: WindowParties) {
  // What the publisher has sent, read as the counters are asked for what arrived, so the two match.
  const sent = publisher.sentPackets();
  await counters.refresh();
  const workerSockets = await socketInodes(workerPid);
  const counterCpu = await Promise.all(counters.pids().map((pid) => processCpuSeconds(pid)));
  return {
    at: performance.now(),
    counters: counterCpu.reduce((sum, seconds) => sum + seconds, 0),
    sent,
    totals: receivers.map((bot) => bot.totals()),
    worker: await processCpuSeconds(workerPid),
    node: await processCpuSeconds(nodePid),
    generator: process.cpuUsage(),
    machine: await machineBusySeconds(),
    workerWait: await runQueueWaitSeconds(workerPid),
    drops: await udpReceiveDrops(workerSockets),
  };
}

export async function measureWindow(parties: WindowParties, windowMs: number): Promise<WindowFigures> {
  const { receivers } = parties;
  const before = await snapshot(parties);
  await sleep(windowMs);
  const after = await snapshot(parties);
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
    generatorCpuPercent: percent((generator.user + generator.system) / 1e6 + after.counters - before.counters),
    generatorNodeCpuPercent: percent((generator.user + generator.system) / 1e6),
    generatorCountersCpuPercent: percent(after.counters - before.counters),
    machineBusyPercent: percent(after.machine - before.machine),
    workerWaitPercent: percent(after.workerWait - before.workerWait),
    kernelDrops: { worker: after.drops.at - before.drops.at, bots: after.drops.elsewhere - before.drops.elsewhere },
    workerMicrosecondsPerPacket: packets ? ((after.worker - before.worker) / packets) * 1e6 : 0,
  };
}
