/**
 * What a phone call costs: CALLS rooms (default 10), each with one load bot
 * sending Opus (and video, which phones never get). Measured, alternating,
 * ROUNDS times (default 3), over SECONDS each (default 20):
 *   - the speakers alone;
 *   - plus one WebRTC receiver per room (a load bot: the baseline, what a
 *     browser participant costs the server);
 *   - plus one baresip phone per room instead, dialled in by PIN. In a call
 *     Parley decodes the bot's Opus at 8 kHz, buffers it against jitter,
 *     mixes, encodes PCMU every 20 ms and sends it; and it decodes the
 *     phone's PCMU for its audio level and hands it to mediasoup.
 * CPU is read from /proc for Parley's own process (where the mixing runs,
 * on one thread) and its mediasoup worker. Prints CPU per call and per
 * receiver in % of a core, calls one core carries, and the ratio of a call
 * to a receiver; writes bench-results/phone-calls.json.
 *   scripts/bench.sh phone-calls
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import { writeToneWav } from '../../server/testkit/audio-analysis.js';
import { Baresip } from '../../server/testkit/baresip.js';
import { SIP_ON } from '../../server/testkit/parley.js';
import { freePort } from '../../server/testkit/ports.js';
import { Bot } from '../load/bot.js';
import { createLoadRoomWithPin } from '../load/run-load.js';
import { descendantsNamed, processCpuSeconds } from './process-cpu.js';
import { median, saveResults, sleep } from './results.js';
import { startParleyServer } from './servers.js';

const calls = Number(process.env['CALLS'] ?? 10);
const seconds = Number(process.env['SECONDS'] ?? 20);
const rounds = Number(process.env['ROUNDS'] ?? 3);
/** A source's burst of new calls (call-guard.ts); past it, one every 2 s. */
const CALL_BURST = 10;

const sipPort = await freePort();
const server = await startParleyServer({ ...SIP_ON, PARLEY_SIP_PORT: String(sipPort), PARLEY_SIP_MAX_CALLS: String(calls + 10) });
const [worker] = await descendantsNamed(server.pid, 'mediasoup-worker');
if (!worker) throw new Error('no mediasoup worker under the Parley process');

const tone = path.join(await mkdtemp(path.join(os.tmpdir(), 'parley-phone-bench-')), 'tone.wav');
await writeToneWav(tone, { frequencies: [440, 1000], seconds: 600, amplitude: 0.2 });

const pins: string[] = [];
const rooms: string[] = [];
const bots: Bot[] = [];
for (let i = 0; i < calls; i++) {
  const room = await createLoadRoomWithPin(server.url);
  if (!room.pin) throw new Error('the server under test gave no dial-in PIN: is SIP on?');
  pins.push(room.pin);
  rooms.push(room.id);
  bots.push(await Bot.join({ baseUrl: server.url, roomId: room.id, name: `speaker-${i}`, publish: true, subscribe: false }));
}

/** Parley's and its worker's CPU, in % of one core, over `seconds`. */
async function measure(): Promise<{ parley: number; worker: number }> {
  await sleep(3_000); // settle after the change
  const [parleyBefore, workerBefore] = await Promise.all([processCpuSeconds(server.pid), processCpuSeconds(worker!)]);
  const started = performance.now();
  await sleep(seconds * 1000);
  const elapsed = (performance.now() - started) / 1000;
  const [parleyAfter, workerAfter] = await Promise.all([processCpuSeconds(server.pid), processCpuSeconds(worker!)]);
  return { parley: ((parleyAfter - parleyBefore) / elapsed) * 100, worker: ((workerAfter - workerBefore) / elapsed) * 100 };
}

async function dialAll(): Promise<Baresip[]> {
  const phones: Baresip[] = [];
  for (const [index, pin] of pins.entries()) {
    if (index >= CALL_BURST) await sleep(2_100);
    const phone = await Baresip.start({ playWav: tone, user: `4930555${String(index).padStart(4, '0')}` });
    phones.push(phone);
    await phone.dial(`sip:${pin}@127.0.0.1:${sipPort}`);
    await phone.waitFor('CALL_ESTABLISHED', 20_000);
  }
  return phones;
}

async function receiveAll(): Promise<Bot[]> {
  return Promise.all(rooms.map((roomId, index) => Bot.join({ baseUrl: server.url, roomId, name: `receiver-${index}`, publish: false, subscribe: true, receive: 'headers' })));
}

type Sample = { parley: number; worker: number };
const idle: Sample[] = [];
const withReceivers: Sample[] = [];
const withCalls: Sample[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    idle.push(await measure());
    const receivers = await receiveAll();
    try {
      withReceivers.push(await measure());
    } finally {
      for (const receiver of receivers) receiver.close();
    }
    const phones = await dialAll();
    try {
      withCalls.push(await measure());
    } finally {
      for (const phone of phones) await phone.stop();
    }
    const show = (sample: Sample) => `parley ${sample.parley.toFixed(1)} % + worker ${sample.worker.toFixed(1)} %`;
    console.log(`round ${round + 1}: speakers alone ${show(idle.at(-1)!)}; + ${calls} receivers ${show(withReceivers.at(-1)!)}; + ${calls} calls ${show(withCalls.at(-1)!)}`);
  }
} finally {
  for (const bot of bots) bot.close();
  await server.stop();
}

const middle = (samples: Sample[]): Sample => ({ parley: median(samples.map((m) => m.parley)), worker: median(samples.map((m) => m.worker)) });
const each = (loaded: Sample, base: Sample): Sample => ({ parley: (loaded.parley - base.parley) / calls, worker: (loaded.worker - base.worker) / calls });
const perCall = each(middle(withCalls), middle(idle));
const perReceiver = each(middle(withReceivers), middle(idle));
const total = (sample: Sample) => sample.parley + sample.worker;
const figures = {
  calls,
  seconds,
  rounds,
  loadAverage: os.loadavg()[0],
  percentOfCore: { speakersAlone: middle(idle), withReceivers: middle(withReceivers), withCalls: middle(withCalls) },
  perCallPercentOfCore: perCall,
  perReceiverPercentOfCore: perReceiver,
  callsPerCoreOfParleyThread: perCall.parley > 0 ? Math.floor(100 / perCall.parley) : undefined,
  callsPerCoreAll: total(perCall) > 0 ? Math.floor(100 / total(perCall)) : undefined,
  callToReceiverRatio: total(perReceiver) > 0 ? total(perCall) / total(perReceiver) : undefined,
};
console.log(JSON.stringify(figures, null, 2));
await saveResults('phone-calls', figures);
process.exit(0);
