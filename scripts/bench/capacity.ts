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
import { createLoadRoom } from '../load/run-load.js';
import { capacitySettings } from './capacity-settings.js';
import { CONSUMERS_PER_RECEIVER, ReceiverPool } from './capacity-receivers.js';
import { printHeader, printRow, summarize, type CapacityRow } from './capacity-report.js';
import { measureWindow } from './capacity-window.js';
import { descendantsNamed } from './process-cpu.js';
import { saveResults, sleep } from './results.js';
import { startParleyServer } from './servers.js';

const settings = capacitySettings();
/** A step with loss is measured again (up to this many times in all) if the worker spent this much of the window waiting for a core. */
const STARVED_WAIT_PERCENT = 10;
const ATTEMPTS_WHEN_STARVED = 3;

const loadBefore = os.loadavg();
const server = await startParleyServer({ PARLEY_WORKERS: '1', PARLEY_MAX_PEERS_PER_ROOM: '1000', PARLEY_ROOM_PEERS_PER_ROUTER: '1000' });
const rows: CapacityRow[] = [];
let verdict = `reached the last step (${settings.steps.at(-1)} consumers)`;
let publisher: Bot | undefined;
let pool: ReceiverPool | undefined;
try {
  const workers = await descendantsNamed(server.pid, 'mediasoup-worker');
  if (workers.length !== 1) throw new Error(`expected one mediasoup-worker under Parley (pid ${server.pid}), found ${workers.length}`);
  const workerPid = workers[0]!;
  const roomId = await createLoadRoom(server.url);
  const source = await Bot.join({ baseUrl: server.url, roomId, name: 'publisher', publish: true, subscribe: false });
  publisher = source;
  pool = new ReceiverPool(server.url, roomId, settings);
  const counting = { native: 'RTP headers, in rtp-counter processes', headers: 'RTP headers, in Node', decrypt: 'decrypted packets, in werift' }[settings.receive];
  console.log(`capacity: one worker (pid ${workerPid}); receivers count ${counting}`);
  printHeader();
  for (const step of settings.steps) {
    const wanted = Math.ceil(step / CONSUMERS_PER_RECEIVER);
    await pool.fillTo(wanted);
    const parties = { receivers: pool.receivers, publisher: source, workerPid, nodePid: server.pid, counters: pool.counters };
    let row: CapacityRow;
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
  pool?.close();
  publisher?.close();
  await server.stop();
}

const summary = summarize(rows, verdict);
const loadAfter = os.loadavg();
console.log(`load average (1/5/15 min): before ${loadBefore.map((v) => v.toFixed(2)).join(' ')}, after ${loadAfter.map((v) => v.toFixed(2)).join(' ')}`);
await saveResults('capacity', { settings, rows, verdict, ...summary, loadAverage: { before: loadBefore, after: loadAfter } });
process.exit(0);
