/**
 * Benchmark 3, capacity: consumers one worker carries at <= 1 % loss. One
 * publisher (video + audio) on a one-worker node; receiving bots are added
 * in steps; each step is measured over a window. It stops when loss passes
 * 1 %, the worker passes 90 % of a core, or the bots' own process (the load
 * generator: pure-JS WebRTC) saturates its core, and says which.
 *   scripts/bench.sh capacity
 */
import { Bot } from '../load/bot.js';
import { createLoadRoom } from '../load/run-load.js';
import { treeCpuSeconds } from './process-cpu.js';
import { saveResults, sleep } from './results.js';
import { startParleyServer } from './servers.js';

const STEPS = (process.env['CAPACITY_STEPS'] ?? '5,10,20,30,40,60,80,100').split(',').map(Number);
const SETTLE_MS = 4_000;
const WINDOW_MS = 6_000;

const server = await startParleyServer({ PARLEY_WORKERS: '1', PARLEY_MAX_PEERS_PER_ROOM: '1000', PARLEY_ROOM_PEERS_PER_ROUTER: '1000' });
const rows: {
  subscribers: number;
  consumers: number;
  packetsPerSecond: number;
  lossPercent: number;
  serverCpuPercent: number;
  generatorCpuPercent: number;
}[] = [];
let verdict = 'reached the last step';
const bots: Bot[] = [];
try {
  const roomId = await createLoadRoom(server.url);
  bots.push(await Bot.join({ baseUrl: server.url, roomId, name: 'publisher', publish: true, subscribe: false }));
  for (const target of STEPS) {
    while (bots.length - 1 < target) bots.push(await Bot.join({ baseUrl: server.url, roomId, name: `s${bots.length}`, publish: false, subscribe: true }));
    await sleep(SETTLE_MS);
    const before = bots.map((bot) => bot.totals());
    const serverCpu = await treeCpuSeconds(server.pid);
    const generatorCpu = process.cpuUsage();
    await sleep(WINDOW_MS);
    const after = bots.map((bot) => bot.totals());
    const serverPercent = (((await treeCpuSeconds(server.pid)) - serverCpu) / (WINDOW_MS / 1000)) * 100;
    const used = process.cpuUsage(generatorCpu);
    const generatorPercent = ((used.user + used.system) / 1e6 / (WINDOW_MS / 1000)) * 100;
    const packets = after.reduce((sum, total, i) => sum + total.packets - before[i]!.packets, 0);
    const lost = after.reduce((sum, total, i) => sum + total.lost - before[i]!.lost, 0);
    const lossPercent = (lost / Math.max(1, packets + lost)) * 100;
    const consumers = after.reduce((sum, total) => sum + total.streams, 0);
    const packetsPerSecond = Math.round(packets / (WINDOW_MS / 1000));
    rows.push({ subscribers: target, consumers, packetsPerSecond, lossPercent, serverCpuPercent: serverPercent, generatorCpuPercent: generatorPercent });
    console.log(
      `${String(target).padStart(4)} subscribers, ${String(consumers).padStart(4)} consumers: ${packetsPerSecond} packets/s received, loss ${lossPercent.toFixed(2)} %, Parley+worker ${serverPercent.toFixed(0)} % of a core, load generator ${generatorPercent.toFixed(0)} %`,
    );
    // Every consumer should deliver its stream: 150 packets/s per subscriber (video 100 + audio 50).
    if (packetsPerSecond < target * 150 * 0.9) {
      verdict = 'receivers got less than 90 % of the packets sent to them';
      break;
    }
    if (lossPercent > 1) {
      verdict = 'loss passed 1 %';
      break;
    }
    if (serverPercent > 90) {
      verdict = 'the worker passed 90 % of a core';
      break;
    }
    if (generatorPercent > 90) {
      verdict = 'the load generator saturated its core before the worker did';
      break;
    }
  }
} finally {
  for (const bot of bots) bot.close();
  await server.stop();
}
const within = rows.filter((row) => row.lossPercent <= 1);
const best = within.at(-1);
console.log(`capacity: ${best?.consumers ?? 0} consumers on one worker at <= 1 % loss (${verdict})`);
await saveResults('capacity', { rows, verdict, consumersAtOnePercentLoss: best?.consumers ?? 0 });
process.exit(0);
