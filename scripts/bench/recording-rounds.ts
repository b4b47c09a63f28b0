/**
 * The two measurements of a round of the recording benchmark
 * (recording.ts says the method): Parley recording the meeting, with its
 * baseline window, and a Chromium launched to record it. Each gives CPU
 * seconds by window and the check of the file it made.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ChromiumRecorder } from './chromium-recorder.js';
import { machineBusySeconds } from './machine-counters.js';
import { SENDERS, type RecordedMeeting, type ServerCpu } from './recorded-meeting.js';
import { checkRecording, type RecordingCheck } from './recording-checks.js';
import { sleep } from './results.js';

/** After joining, before measuring: the recorder page's decoders and jitter buffers settle. */
const SETTLE_MS = 3_000;
/** Chromium threads that used less than this in the recording window are left out of its breakdown. */
const BUSY_THREAD_SECONDS = 0.3;

/** CPU used by Parley over a window, its length, and how busy the whole machine was meanwhile (cores' worth). */
export interface Window {
  cpu: ServerCpu;
  seconds: number;
  machineCores: number;
}
type Reading = { cpu: ServerCpu; at: number; busy: number };

export interface RoundSettings {
  meeting: RecordedMeeting;
  /** The recorder page (chromium-recorder.ts servePage). */
  pageUrl: string;
  /** Where Chromium's recordings are written. */
  workDir: string;
  /** Each recording's length, and Parley's baseline window. */
  seconds: number;
  /** The window Chromium is joined but not recording. */
  idleSeconds: number;
}

async function readServer(meeting: RecordedMeeting): Promise<Reading> {
  const [cpu, busy] = await Promise.all([meeting.cpu(), machineBusySeconds()]);
  return { cpu, at: performance.now() / 1000, busy };
}

function between(from: Reading, to: Reading): Window {
  const cpu = { node: to.cpu.node - from.cpu.node, worker: to.cpu.worker - from.cpu.worker, ffmpeg: to.cpu.ffmpeg - from.cpu.ffmpeg };
  const length = to.at - from.at;
  return { cpu, seconds: length, machineCores: (to.busy - from.busy) / length };
}

/** What a window used beyond the baseline's rate, in CPU seconds, by part. */
export function beyond(window: Window, baseline: Window): ServerCpu {
  const rate = (part: 'node' | 'worker') => baseline.cpu[part] / baseline.seconds;
  return { node: window.cpu.node - rate('node') * window.seconds, worker: window.cpu.worker - rate('worker') * window.seconds, ffmpeg: window.cpu.ffmpeg };
}
export const total = (cpu: ServerCpu) => cpu.node + cpu.worker + cpu.ffmpeg;

export interface ParleyRound {
  baseline: Window;
  recording: Window;
  finishing: Window;
  recordedSeconds: number;
  added: { recording: ServerCpu; finishing: ServerCpu };
  cpuPerMeetingSecond: number;
  check: RecordingCheck;
}

/** Parley's baseline window, then a recording of `seconds` and its finishing, all as CPU beyond the baseline's rate. */
export async function recordWithParley({ meeting, seconds }: RoundSettings): Promise<ParleyRound> {
  const read = () => readServer(meeting);
  const baselineStart = await read();
  await sleep(seconds * 1000);
  const start = await read();
  await meeting.startRecording();
  await sleep(seconds * 1000);
  const { finished } = await meeting.stopRecording();
  const stop = await read();
  const recording = await finished;
  const end = await read();
  const baseline = between(baselineStart, start);
  const windows = { recording: between(start, stop), finishing: between(stop, end) };
  const added = { recording: beyond(windows.recording, baseline), finishing: beyond(windows.finishing, baseline) };
  const check = await checkRecording(meeting.fileOf(recording), SENDERS.length, recording.durationSeconds);
  const cpuPerMeetingSecond = (total(added.recording) + total(added.finishing)) / recording.durationSeconds;
  return { baseline, ...windows, recordedSeconds: recording.durationSeconds, added, cpuPerMeetingSecond, check };
}

export interface ChromiumRound {
  joined: { cpuSeconds: number; seconds: number };
  recording: { cpuSeconds: number; seconds: number; machineCores: number };
  /** The recording window's CPU seconds by kind of Chromium process, and by thread (the busiest). */
  recordingByProcess: Record<string, number>;
  recordingByThread: Record<string, number>;
  /** Parley's CPU over both windows, for what forwarding to the recorder adds. */
  server: Window;
  mimeType: string;
  bytes: number;
  /** Frames the page drew into the canvas: fewer than 30 a second when the browser was short of CPU. */
  framesDrawn: number;
  cpuPerMeetingSecond: number;
  check: RecordingCheck;
}

const sum = (byProcess: Record<string, number>) => Object.values(byProcess).reduce((total, seconds) => total + seconds, 0);

/** CPU used by name between two readings (a process or thread gone by the second is not counted), busiest first, down to `least`. */
function used(before: Record<string, number>, after: Record<string, number>, least = 0): Record<string, number> {
  const deltas = Object.entries(after).map(([name, seconds]) => [name, Math.round((seconds - (before[name] ?? 0)) * 100) / 100] as const);
  return Object.fromEntries(deltas.filter(([, seconds]) => seconds >= least).sort(([, a], [, b]) => b - a));
}

/**
 * A browser joined to record, with one more try in a fresh browser if the
 * first does not get every camera playing (seen once in a loaded run); the
 * failure is printed with the page's own account of its cameras.
 */
async function joinChromium(options: Parameters<typeof ChromiumRecorder.join>[0]): Promise<ChromiumRecorder> {
  try {
    return await ChromiumRecorder.join(options);
  } catch (error) {
    console.log(`the Chromium recorder failed to join, trying once more: ${(error as Error).message}`);
    return ChromiumRecorder.join(options);
  }
}

/** A browser launched to record: `idleSeconds` joined, then a recording of `seconds`, each of its whole process tree. */
export async function recordWithChromium({ meeting, pageUrl, workDir, seconds, idleSeconds }: RoundSettings, round: number): Promise<ChromiumRound> {
  const recorder = await joinChromium({ pageUrl, serverUrl: meeting.server.url, roomId: meeting.roomId, name: 'Recorder', cameras: SENDERS.length });
  const read = async () => ({ browser: await recorder.cpu(), server: await readServer(meeting) });
  const file = path.join(workDir, `chromium-${round}.webm`);
  let figures: Omit<ChromiumRound, 'check'>;
  try {
    await sleep(SETTLE_MS);
    const joinedAt = await read();
    await sleep(idleSeconds * 1000);
    const startAt = await read();
    await recorder.start();
    await sleep(seconds * 1000);
    const { bytes, mimeType, framesDrawn } = await recorder.stop();
    const stopAt = await read();
    await writeFile(file, await recorder.file());
    const recording = between(startAt.server, stopAt.server);
    const recordingCpu = sum(stopAt.browser.byProcess) - sum(startAt.browser.byProcess);
    figures = {
      joined: { cpuSeconds: sum(startAt.browser.byProcess) - sum(joinedAt.browser.byProcess), seconds: startAt.server.at - joinedAt.server.at },
      recording: { cpuSeconds: recordingCpu, seconds: recording.seconds, machineCores: recording.machineCores },
      recordingByProcess: used(startAt.browser.byProcess, stopAt.browser.byProcess),
      recordingByThread: used(startAt.browser.byThread, stopAt.browser.byThread, BUSY_THREAD_SECONDS),
      server: between(joinedAt.server, stopAt.server),
      mimeType,
      bytes,
      framesDrawn,
      cpuPerMeetingSecond: recordingCpu / recording.seconds,
    };
  } finally {
    await recorder.close();
  }
  return { ...figures, check: await checkRecording(file, SENDERS.length, figures.recording.seconds) };
}
