/**
 * Benchmark 1, forwarding overhead: CPU seconds per forwarded stream when
 * Parley forwards N publishers to M subscribers, against bare mediasoup
 * (scripts/bench/bare-sfu.ts) forwarding the same streams from the same
 * bots. Rounds alternate between the two so machine noise hits both; the
 * figure is the ratio of the medians.
 *   FORWARD_PUBLISHERS=2 FORWARD_SUBSCRIBERS=6 FORWARD_ROUNDS=3 scripts/bench.sh forwarding
 */
import { Bot } from '../load/bot.js';
import { createLoadRoom } from '../load/run-load.js';
import { treeCpuSeconds } from './process-cpu.js';
import { median, saveResults, sleep } from './results.js';
import { startBareServer, startParleyServer, type ServerUnderTest } from './servers.js';

const publishers = Number(process.env['FORWARD_PUBLISHERS'] ?? 2);
const subscribers = Number(process.env['FORWARD_SUBSCRIBERS'] ?? 6);
const rounds = Number(process.env['FORWARD_ROUNDS'] ?? 3);
const WARMUP_MS = 5_000;
const WINDOW_MS = 15_000;

async function measure(server: ServerUnderTest): Promise<{ cpuMsPerStreamSecond: number; streams: number; lossRatio: number }> {
  const roomId = await createLoadRoom(server.url);
  const bots: Bot[] = [];
  try {
    for (let i = 0; i < publishers; i++) bots.push(await Bot.join({ baseUrl: server.url, roomId, name: `p${i}`, publish: true, subscribe: false }));
    for (let i = 0; i < subscribers; i++) bots.push(await Bot.join({ baseUrl: server.url, roomId, name: `s${i}`, publish: false, subscribe: true }));
    await sleep(WARMUP_MS);
    const cpuBefore = await treeCpuSeconds(server.pid);
    await sleep(WINDOW_MS);
    const cpu = (await treeCpuSeconds(server.pid)) - cpuBefore;
    const totals = bots.map((bot) => bot.totals());
    const streams = totals.reduce((sum, total) => sum + total.streams, 0);
    const packets = totals.reduce((sum, total) => sum + total.packets, 0);
    const lost = totals.reduce((sum, total) => sum + total.lost, 0);
    return { cpuMsPerStreamSecond: (cpu * 1000) / (streams * (WINDOW_MS / 1000)), streams, lossRatio: lost / Math.max(1, packets + lost) };
  } finally {
    for (const bot of bots) bot.close();
  }
}

const samples: Record<string, number[]> = { parley: [], bare: [] };
let streams = 0;
for (let round = 0; round < rounds; round++) {
  for (const start of [startBareServer, startParleyServer]) {
    const server = await start();
    try {
      const result = await measure(server);
      streams = result.streams;
      samples[server.name === 'parley' ? 'parley' : 'bare']!.push(result.cpuMsPerStreamSecond);
      console.log(`round ${round + 1} ${server.name.padEnd(15)} ${result.cpuMsPerStreamSecond.toFixed(3)} ms CPU per stream-second (${result.streams} streams, loss ${(result.lossRatio * 100).toFixed(2)} %)`);
    } finally {
      await server.stop();
    }
  }
}
const parley = median(samples['parley']!);
const bare = median(samples['bare']!);
console.log(`forwarding overhead: Parley ${parley.toFixed(3)} vs bare mediasoup ${bare.toFixed(3)} ms CPU per stream-second, ratio ${(parley / bare).toFixed(2)}`);
await saveResults('forwarding', { publishers, subscribers, streams, windowSeconds: WINDOW_MS / 1000, samples, parleyMedian: parley, bareMedian: bare, ratio: parley / bare });
process.exit(0);
