/**
 * Benchmark 1, forwarding overhead: CPU per forwarded stream when Parley
 * forwards N publishers to M subscribers, against bare mediasoup
 * (scripts/bench/bare-sfu.ts) and against bare mediasoup with the same
 * AudioLevelObserver Parley runs for its speaking indicator, all forwarding
 * the same streams from the same bots.
 *
 * The run is a series of pairs (each one measurement of every server, each
 * server freshly started); the order within a pair alternates, Parley first
 * then last, so drift in the machine's load does not favour one side. Each
 * pair gives its own ratios; the figures are the medians of those ratios,
 * with their spread. CPU is every thread of the server's process tree (the
 * Node process and its mediasoup worker), read from /proc in nanoseconds.
 *
 *   FORWARD_PAIRS=9 FORWARD_PUBLISHERS=2 FORWARD_SUBSCRIBERS=6 \
 *   FORWARD_WARMUP_SECONDS=30 FORWARD_WINDOW_SECONDS=15 scripts/bench.sh forwarding
 *
 * FORWARD_PROFILE=1 also runs every server's Node process under --cpu-prof
 * and summarises the samples taken inside the window (the profiler costs
 * CPU itself, so its ratios go to forwarding-profile.json, not forwarding.json).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Bot } from '../load/bot.js';
import { createLoadRoom } from '../load/run-load.js';
import { summariseProfile, type ProfileSummary } from './cpu-profile.js';
import { positiveInteger, saveResults, sleep } from './results.js';
import { startBareServer, startParleyServer, type ServerUnderTest } from './servers.js';
import { spread } from './spread.js';
import { byThreadName, serverPartOf, threadDelta, treeThreads, type ServerPart } from './thread-cpu.js';

const publishers = positiveInteger('FORWARD_PUBLISHERS', 2);
const subscribers = positiveInteger('FORWARD_SUBSCRIBERS', 6);
const pairs = positiveInteger('FORWARD_PAIRS', 9);
/**
 * Long enough for V8's memory reducer to finish the full GCs it runs in the
 * first ~20 s after a process starts and goes quiet: inside the window they
 * added up to 0.1 s of CPU to either server, a quarter of what its worker
 * spent, and made single pairs read anywhere from 0.84 to 1.32.
 */
const warmupSeconds = positiveInteger('FORWARD_WARMUP_SECONDS', 30);
const windowSeconds = positiveInteger('FORWARD_WINDOW_SECONDS', 15);
const profiling = process.env['FORWARD_PROFILE'] === '1';
const profileDirectory = path.resolve(process.env['BENCH_OUTPUT'] ?? 'bench-results', 'forwarding-profiles');
/** Each publisher sends a video and an audio stream to every subscriber. */
const expectedStreams = publishers * 2 * subscribers;

type VariantName = 'parley' | 'bare' | 'bareAlo';

const VARIANTS: Record<VariantName, (env: Record<string, string>) => Promise<ServerUnderTest>> = {
  parley: (env) => startParleyServer(env),
  bare: (env) => startBareServer({ env }),
  bareAlo: (env) => startBareServer({ audioLevel: true, env }),
};

interface Measurement {
  /** CPU of the whole server (Node process + worker) per forwarded stream-second. */
  cpuMsPerStreamSecond: number;
  nodeMsPerStreamSecond: number;
  workerMsPerStreamSecond: number;
  /** CPU seconds in the window by process/thread name. */
  threads: Record<string, number>;
  streams: number;
  lossRatio: number;
  profile?: ProfileSummary;
}

async function measure(variant: VariantName, label: string): Promise<Measurement> {
  const profileName = `${label}.cpuprofile`;
  const env: Record<string, string> = profiling
    ? { NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --cpu-prof --cpu-prof-dir=${profileDirectory} --cpu-prof-name=${profileName}`.trim() }
    : {};
  const server = await VARIANTS[variant](env);
  const bots: Bot[] = [];
  let window: [number, number] = [0, 0];
  let result: Omit<Measurement, 'profile'>;
  try {
    const roomId = await createLoadRoom(server.url);
    for (let i = 0; i < publishers; i++) bots.push(await Bot.join({ baseUrl: server.url, roomId, name: `p${i}`, publish: true, subscribe: false }));
    for (let i = 0; i < subscribers; i++) bots.push(await Bot.join({ baseUrl: server.url, roomId, name: `s${i}`, publish: false, subscribe: true }));
    await sleep(warmupSeconds * 1000);
    const before = await treeThreads(server.pid);
    const from = process.hrtime.bigint();
    await sleep(windowSeconds * 1000);
    const after = await treeThreads(server.pid);
    window = [Number(from / 1000n), Number(process.hrtime.bigint() / 1000n)];
    const used = threadDelta(before, after);
    const seconds = (part: ServerPart) => used.filter((thread) => serverPartOf(thread) === part).reduce((sum, thread) => sum + thread.seconds, 0);
    const workerSeconds = seconds('worker');
    const nodeSeconds = seconds('node');
    const totals = bots.map((bot) => bot.totals());
    const streams = totals.reduce((sum, total) => sum + total.streams, 0);
    if (streams !== expectedStreams) throw new Error(`${server.name} forwarded ${streams} streams, not the ${expectedStreams} expected`);
    const packets = totals.reduce((sum, total) => sum + total.packets, 0);
    const lost = totals.reduce((sum, total) => sum + total.lost, 0);
    const perStreamSecond = (cpuSeconds: number) => (cpuSeconds * 1000) / (streams * windowSeconds);
    result = {
      cpuMsPerStreamSecond: perStreamSecond(nodeSeconds + workerSeconds),
      nodeMsPerStreamSecond: perStreamSecond(nodeSeconds),
      workerMsPerStreamSecond: perStreamSecond(workerSeconds),
      threads: Object.fromEntries(Object.entries(byThreadName(used)).map(([name, cpu]) => [name, Math.round(cpu * 1e4) / 1e4])),
      streams,
      lossRatio: lost / Math.max(1, packets + lost),
    };
  } finally {
    for (const bot of bots) bot.close();
    await server.stop();
  }
  if (!profiling) return result;
  return { ...result, profile: await summariseProfile(path.join(profileDirectory, profileName), ...window) };
}

/** Parley first in even pairs and last in odd ones, the bare server always between them. */
const orderOf = (pair: number): VariantName[] => (pair % 2 === 0 ? ['parley', 'bare', 'bareAlo'] : ['bareAlo', 'bare', 'parley']);

if (profiling) await mkdir(profileDirectory, { recursive: true });
const runs: { pair: number; order: VariantName[]; results: Record<VariantName, Measurement>; ratio: number; ratioAlo: number }[] = [];
for (let pair = 0; pair < pairs; pair++) {
  const results = {} as Record<VariantName, Measurement>;
  for (const variant of orderOf(pair)) {
    const result = await measure(variant, `${variant}-${pair + 1}`);
    results[variant] = result;
    console.log(
      `pair ${pair + 1} ${variant.padEnd(7)} ${result.cpuMsPerStreamSecond.toFixed(3)} ms CPU per stream-second ` +
        `(node ${result.nodeMsPerStreamSecond.toFixed(3)}, worker ${result.workerMsPerStreamSecond.toFixed(3)}; loss ${(result.lossRatio * 100).toFixed(2)} %)`,
    );
  }
  const ratio = results.parley.cpuMsPerStreamSecond / results.bare.cpuMsPerStreamSecond;
  const ratioAlo = results.parley.cpuMsPerStreamSecond / results.bareAlo.cpuMsPerStreamSecond;
  console.log(`pair ${pair + 1} Parley ÷ bare ${ratio.toFixed(3)}, Parley ÷ bare with audio levels ${ratioAlo.toFixed(3)}`);
  runs.push({ pair: pair + 1, order: orderOf(pair), results, ratio, ratioAlo });
}

const figure = (name: VariantName, measure: 'cpuMsPerStreamSecond' | 'nodeMsPerStreamSecond' | 'workerMsPerStreamSecond') =>
  spread(runs.map((run) => run.results[name][measure]));
const ratios = {
  parleyOverBare: spread(runs.map((run) => run.ratio)),
  parleyOverBareWithAudioLevels: spread(runs.map((run) => run.ratioAlo)),
  bareWithAudioLevelsOverBare: spread(runs.map((run) => run.results.bareAlo.cpuMsPerStreamSecond / run.results.bare.cpuMsPerStreamSecond)),
};
const cpu = Object.fromEntries(
  (Object.keys(VARIANTS) as VariantName[]).map((name) => [
    name,
    { total: figure(name, 'cpuMsPerStreamSecond'), node: figure(name, 'nodeMsPerStreamSecond'), worker: figure(name, 'workerMsPerStreamSecond') },
  ]),
);
const show = ({ median, min, max, q1, q3 }: ReturnType<typeof spread>) =>
  `${median.toFixed(3)} (IQR ${q1.toFixed(3)}–${q3.toFixed(3)}, range ${min.toFixed(3)}–${max.toFixed(3)})`;
console.log(`\nover ${pairs} pairs, ${expectedStreams} streams, ${windowSeconds} s windows${profiling ? ' (PROFILED: the profiler adds CPU to every Node process)' : ''}:`);
for (const name of Object.keys(VARIANTS) as VariantName[]) {
  console.log(`  ${name.padEnd(7)} ms CPU per stream-second: total ${show(cpu[name]!.total)}; node ${show(cpu[name]!.node)}; worker ${show(cpu[name]!.worker)}`);
}
console.log(`  Parley ÷ bare mediasoup:                 ${show(ratios.parleyOverBare)}`);
console.log(`  Parley ÷ bare mediasoup + audio levels:  ${show(ratios.parleyOverBareWithAudioLevels)}`);
console.log(`  (bare + audio levels) ÷ bare:            ${show(ratios.bareWithAudioLevelsOverBare)}`);
await saveResults(profiling ? 'forwarding-profile' : 'forwarding', {
  publishers,
  subscribers,
  streams: expectedStreams,
  pairs,
  warmupSeconds,
  windowSeconds,
  profiled: profiling,
  ratios,
  cpuMsPerStreamSecond: cpu,
  runs,
});
process.exit(0);
