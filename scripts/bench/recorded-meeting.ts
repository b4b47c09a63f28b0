/**
 * The meeting the recording benchmark records: Parley in its own process
 * (recording on, recordings under a temporary directory) and three bots,
 * each sending a real 1280×720 VP8 camera and an Opus microphone
 * (recorded-media.ts), so the senders cost little and send the same bits
 * every round. The first bot joins as the host: recordings are started and
 * stopped through it, as a host's page would, and it hears `recordingReady`
 * once a recording is finished.
 */
import path from 'node:path';
import type { RecordingInfo } from '../../server/src/protocol/messages.js';
import { createRoom, recordingOn } from '../../server/testkit/parley.js';
import { withDeadline } from '../../server/testkit/wait.js';
import { Bot } from '../load/bot.js';
import { cameraClip, startingAt, toneClip } from '../load/recorded-media.js';
import { descendantsNamed, processCpuSeconds, reapedChildrenCpuSeconds } from './process-cpu.js';
import { startParleyServer, type ServerUnderTest } from './servers.js';

export const SENDERS = ['Ada', 'Grace', 'Alan'] as const;
const TONES = [330, 440, 550];
/** Each sender starts the clip this many frames after the one before, so their keyframes (every 60 frames) do not coincide. */
const CLIP_STAGGER = 20;
/** Finishing runs at most as long as ffmpeg is given (compose.ts): far longer than it takes. */
const FINISH_TIMEOUT_MS = 10 * 60_000;

/** CPU seconds used so far by Parley's Node process, its mediasoup worker, and the children it has reaped (ffmpeg). */
export interface ServerCpu {
  node: number;
  worker: number;
  ffmpeg: number;
}

export class RecordedMeeting {
  private readonly finished: RecordingInfo[] = [];
  private waiting: ((recording: RecordingInfo) => void) | undefined;

  private constructor(
    readonly server: ServerUnderTest,
    private readonly workerPid: number,
    readonly roomId: string,
    readonly recordingsDir: string,
    private readonly bots: Bot[],
  ) {}

  /** Makes the camera clip in `dir`, starts Parley (with `env` on top) and lets the three senders in. */
  static async start(dir: string, env: Record<string, string> = {}): Promise<RecordedMeeting> {
    const video = await cameraClip(dir);
    const recordingsDir = path.join(dir, 'recordings');
    const server = await startParleyServer({ ...recordingOn(recordingsDir), PARLEY_DATA_DIR: path.join(dir, 'data'), ...env });
    const bots: Bot[] = [];
    try {
      const [workerPid] = await descendantsNamed(server.pid, 'mediasoup-worker');
      if (!workerPid) throw new Error('no mediasoup worker under the Parley process');
      const room = await createRoom(server, { lobby: false });
      let meeting: RecordedMeeting | undefined;
      for (const [index, name] of SENDERS.entries()) {
        const host = index === 0 ? { credential: room.hostCredential, onNotification: (method: string, data: any) => meeting?.heard(method, data) } : {};
        const media = { video: startingAt(video, index * CLIP_STAGGER), audio: toneClip(TONES[index]!) };
        bots.push(await Bot.join({ baseUrl: server.url, roomId: room.id, name, publish: true, subscribe: false, media, ...host }));
      }
      meeting = new RecordedMeeting(server, workerPid, room.id, recordingsDir, bots);
      return meeting;
    } catch (error) {
      for (const bot of bots) bot.close();
      await server.stop();
      throw error;
    }
  }

  private heard(method: string, data: { recording: RecordingInfo }): void {
    if (method !== 'recordingReady') return;
    this.finished.push(data.recording);
    this.waiting?.(data.recording);
  }

  async cpu(): Promise<ServerCpu> {
    const [node, worker, ffmpeg] = await Promise.all([
      processCpuSeconds(this.server.pid),
      processCpuSeconds(this.workerPid),
      reapedChildrenCpuSeconds(this.server.pid),
    ]);
    return { node, worker, ffmpeg };
  }

  /** Starts a recording as the host would. */
  async startRecording(): Promise<void> {
    await this.bots[0]!.request('startRecording', { tracks: false });
  }

  /** Stops it; resolves as soon as the server has answered, and gives a promise of the finished recording. */
  async stopRecording(): Promise<{ finished: Promise<RecordingInfo> }> {
    const count = this.finished.length;
    const finished = new Promise<RecordingInfo>((resolve) => {
      this.waiting = (recording) => this.finished.length > count && resolve(recording);
    });
    await this.bots[0]!.request('stopRecording');
    return { finished: withDeadline(finished, FINISH_TIMEOUT_MS, 'the recording to be finished') };
  }

  /** Where a finished recording's composite is. */
  fileOf(recording: RecordingInfo): string {
    return path.join(this.recordingsDir, this.roomId, recording.id, 'recording.mp4');
  }

  async close(): Promise<void> {
    for (const bot of this.bots) bot.close();
    await this.server.stop();
  }
}
