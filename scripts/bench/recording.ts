/**
 * Benchmark 7, recording: the CPU a recorded meeting costs Parley, next to
 * a headless-Chromium recorder measured in the same run. The meeting
 * (recorded-meeting.ts) has three bots sending real 1280×720 VP8 cameras
 * and Opus microphones; what the senders cost is in neither figure.
 *
 * Parley: CPU (user + system) of its Node process and mediasoup worker over
 * SECONDS of the meeting without recording (the baseline), then from the
 * host's startRecording to stopRecording SECONDS later (recording), then on
 * until the host hears recordingReady (finishing: the extraction in Node
 * and one ffmpeg). Each window's CPU less the baseline's rate over its
 * length is what recording added. ffmpeg's CPU is Parley's cutime + cstime:
 * the kernel adds a child's CPU there when Parley reaps it, and the finish
 * is announced only after ffmpeg has exited, so none of it is missed and
 * no sampling of a short-lived process is needed (Parley has no other
 * child that exits meanwhile).
 *
 * Chromium: a browser launched for the job (chromium-recorder.ts) joins as
 * a participant that sends nothing; its CPU is that of its whole process
 * tree while it records for SECONDS (canvas grid with names at 30 fps,
 * WebAudio mix, MediaRecorder). Nothing is subtracted: the browser exists
 * only to record, and its receiving and decoding are the counterpart of
 * the decoding ffmpeg does in Parley's figure. Its CPU over IDLE_SECONDS
 * joined but not recording is reported beside it, and so is what
 * forwarding to it adds to Parley's worker.
 *
 * Both are given per second of recorded meeting (= a share of one core).
 * A browser short of CPU draws and writes fewer than 30 frames a second
 * (Parley's ffmpeg always writes 30, only later), so the frames each file
 * holds are reported, and the ratio per frame written beside the ratio.
 * ROUNDS rounds (default 3), each measuring both, the order alternating;
 * every recording is checked (recording-checks.ts). Writes
 * bench-results/recording.json.
 *   ROUNDS=3 SECONDS=30 scripts/bench.sh recording
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bundleRecorderPage, servePage } from './chromium-recorder.js';
import { RecordedMeeting, SENDERS } from './recorded-meeting.js';
import type { RecordingCheck } from './recording-checks.js';
import { beyond, recordWithChromium, recordWithParley, total, type ChromiumRound, type ParleyRound, type RoundSettings } from './recording-rounds.js';
import { median, positiveInteger, saveResults, sleep } from './results.js';

const rounds = positiveInteger('ROUNDS', 3);
const seconds = positiveInteger('SECONDS', 30);
const idleSeconds = positiveInteger('IDLE_SECONDS', 10);
/** A first, uncounted recording: the server's first finish loads code and warms the JIT. */
const WARM_UP_SECONDS = 5;

const workDir = await mkdtemp(path.join(os.tmpdir(), 'parley-recording-bench-'));
const loadAtStart = os.loadavg()[0]!;
const page = await servePage(await bundleRecorderPage());
const meeting = await RecordedMeeting.start(workDir, { PARLEY_ALLOWED_ORIGINS: page.origin });
const settings: RoundSettings = { meeting, pageUrl: page.url, workDir, seconds, idleSeconds };

const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
/** CPU milliseconds per frame in the file: the two need not write as many (Parley's ffmpeg always writes 30 a second). */
const msPerFrame = (cpuPerMeetingSecond: number, check: RecordingCheck) => (cpuPerMeetingSecond * 1000) / check.framesPerSecond;
const runs: {
  round: number;
  order: string[];
  parley: ParleyRound;
  chromium: ChromiumRound;
  ratio: number;
  ratioPerFrame: number;
  forwardingToChromium: number;
}[] = [];
try {
  await meeting.startRecording();
  await sleep(WARM_UP_SECONDS * 1000);
  await (await meeting.stopRecording()).finished;
  for (let round = 1; round <= rounds; round++) {
    const parleyFirst = round % 2 === 1;
    let parley: ParleyRound | undefined;
    let chromium: ChromiumRound | undefined;
    for (const side of parleyFirst ? ['parley', 'chromium'] : ['chromium', 'parley']) {
      if (side === 'parley') parley = await recordWithParley(settings);
      else chromium = await recordWithChromium(settings, round);
    }
    const forwarding = beyond(chromium!.server, parley!.baseline);
    const forwardingToChromium = (forwarding.node + forwarding.worker) / chromium!.server.seconds;
    const ratio = chromium!.cpuPerMeetingSecond / parley!.cpuPerMeetingSecond;
    const ratioPerFrame = msPerFrame(chromium!.cpuPerMeetingSecond, chromium!.check) / msPerFrame(parley!.cpuPerMeetingSecond, parley!.check);
    const order = parleyFirst ? ['parley', 'chromium'] : ['chromium', 'parley'];
    runs.push({ round, order, parley: parley!, chromium: chromium!, ratio, ratioPerFrame, forwardingToChromium });
    const { added, finishing, recordedSeconds } = parley!;
    console.log(
      `round ${round} (${parleyFirst ? 'Parley' : 'Chromium'} first): Parley ${percent(parley!.cpuPerMeetingSecond)} of a core per recorded second ` +
        `[${recordedSeconds.toFixed(1)} s recorded: +${total(added.recording).toFixed(2)} CPU-s while recording (node ${added.recording.node.toFixed(2)}, worker ${added.recording.worker.toFixed(2)}), ` +
        `finishing ${total(added.finishing).toFixed(2)} CPU-s in ${finishing.seconds.toFixed(1)} s (ffmpeg ${added.finishing.ffmpeg.toFixed(2)}, node ${added.finishing.node.toFixed(2)}); ` +
        `baseline node ${percent(parley!.baseline.cpu.node / parley!.baseline.seconds)}, worker ${percent(parley!.baseline.cpu.worker / parley!.baseline.seconds)}]`,
    );
    console.log(
      `  Chromium ${percent(chromium!.cpuPerMeetingSecond)} while recording (${(chromium!.framesDrawn / chromium!.recording.seconds).toFixed(1)} frames/s drawn, ` +
        `${chromium!.check.framesPerSecond.toFixed(1)} written, against Parley's ${parley!.check.framesPerSecond.toFixed(1)}; ${chromium!.mimeType}, ` +
        `${(chromium!.bytes / 1e6).toFixed(1)} MB); joined but idle ${percent(chromium!.joined.cpuSeconds / chromium!.joined.seconds)}; ` +
        `forwarding to it adds ${percent(forwardingToChromium)} to Parley. Chromium ÷ Parley ${ratio.toFixed(2)}, per frame written ${ratioPerFrame.toFixed(2)}. ` +
        `Machine busy: ${chromium!.recording.machineCores.toFixed(2)} cores (Chromium recording), ${parley!.recording.machineCores.toFixed(2)} (Parley recording), ` +
        `${finishing.machineCores.toFixed(2)} (finishing); load ${os.loadavg()[0]!.toFixed(2)}`,
    );
    const list = (cpu: Record<string, number>) => Object.entries(cpu).map(([name, seconds]) => `${name} ${seconds.toFixed(2)}`).join(', ');
    console.log(`  Chromium's CPU-s while recording, by process: ${list(chromium!.recordingByProcess)}; busiest threads: ${list(chromium!.recordingByThread)}`);
    for (const [side, check] of [['Parley', parley!.check], ['Chromium', chromium!.check]] as const) {
      if (check.problems.length) console.log(`  ${side}'s recording: ${check.problems.join('; ')}`);
    }
  }
} finally {
  await meeting.close();
  await page.close();
  await rm(workDir, { recursive: true, force: true });
}

const loadAtEnd = os.loadavg()[0]!;
const problems = runs.flatMap(({ round, parley, chromium }) => [
  ...parley.check.problems.map((problem) => `round ${round}, Parley: ${problem}`),
  ...chromium.check.problems.map((problem) => `round ${round}, Chromium: ${problem}`),
]);
const summary = {
  parleyCpuPerMeetingSecond: median(runs.map((run) => run.parley.cpuPerMeetingSecond)),
  chromiumCpuPerMeetingSecond: median(runs.map((run) => run.chromium.cpuPerMeetingSecond)),
  chromiumOverParley: median(runs.map((run) => run.ratio)),
  chromiumOverParleyPerRound: runs.map((run) => run.ratio),
  chromiumOverParleyPerFrameWritten: median(runs.map((run) => run.ratioPerFrame)),
  chromiumFramesWrittenPerSecond: median(runs.map((run) => run.chromium.check.framesPerSecond)),
  forwardingToChromium: median(runs.map((run) => run.forwardingToChromium)),
};
console.log(
  `\nmedian of ${rounds} rounds, ${seconds} s recordings: Parley ${percent(summary.parleyCpuPerMeetingSecond)} of a core per recorded meeting, ` +
    `Chromium ${percent(summary.chromiumCpuPerMeetingSecond)}; Chromium ÷ Parley ${summary.chromiumOverParley.toFixed(2)} ` +
    `(rounds: ${summary.chromiumOverParleyPerRound.map((ratio) => ratio.toFixed(2)).join(', ')}); per frame written ${summary.chromiumOverParleyPerFrameWritten.toFixed(2)} ` +
    `(Chromium wrote ${summary.chromiumFramesWrittenPerSecond.toFixed(1)} frames/s); load average ${loadAtStart.toFixed(2)} → ${loadAtEnd.toFixed(2)}`,
);
if (problems.length) console.log(`RECORDINGS FAILED THEIR CHECKS, the figures are not valid:\n  ${problems.join('\n  ')}`);
await saveResults('recording', { rounds, seconds, idleSeconds, senders: SENDERS.length, loadAverage: { start: loadAtStart, end: loadAtEnd }, valid: problems.length === 0, problems, summary, runs });
process.exit(problems.length ? 1 : 0);
