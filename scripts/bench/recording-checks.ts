/**
 * Whether a recording the benchmark made holds what it should, so that
 * neither side's figure is the cost of recording nothing: how long its
 * video runs and how many frames it has (from ffprobe's packet list, which
 * needs no decoding and works on MediaRecorder's WebM, whose header gives
 * no duration), whether each of the three cameras shows in its tile of the
 * grid half-way through, and whether there is sound. The frame rate is
 * reported, not judged: a browser short of CPU writes fewer frames.
 */
import { rms } from '../../server/testkit/audio-analysis.js';
import { audioSamples, brightness, frameAt } from '../../server/testkit/media-probe.js';
import { runTool } from '../../server/testkit/processes.js';
import { CANVAS, grid } from '../../server/src/recording/layout.js';

export interface RecordingCheck {
  videoFrames: number;
  /** From the first video frame to the last. */
  videoSeconds: number;
  framesPerSecond: number;
  audioPackets: number;
  /** Mean brightness (0–255) of the middle of each camera's tile, half-way through. */
  tileBrightness: number[];
  audioRms: number;
  problems: string[];
}

/** The background is #202124; the test pattern is far brighter. */
const LIT_TILE = 60;
const AUDIBLE_RMS = 0.01;

async function packetTimes(file: string, stream: 'v:0' | 'a:0'): Promise<number[]> {
  const { stdout } = await runTool('ffprobe', ['-v', 'error', '-select_streams', stream, '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], { timeoutMs: 60_000 });
  return stdout.split('\n').map(Number.parseFloat).filter(Number.isFinite);
}

export async function checkRecording(file: string, cameras: number, expectedSeconds: number): Promise<RecordingCheck> {
  const [video, audio] = await Promise.all([packetTimes(file, 'v:0'), packetTimes(file, 'a:0')]);
  const first = video.length > 0 ? Math.min(...video) : 0;
  const videoSeconds = video.length > 1 ? Math.max(...video) - first : 0;
  const middle = await frameAt(file, first + videoSeconds / 2);
  const tileBrightness = grid(cameras, { x: 0, y: 0, ...CANVAS }).map((tile) =>
    brightness(middle, { x: tile.x + Math.floor(tile.width / 4), y: tile.y + Math.floor(tile.height / 4), width: Math.floor(tile.width / 2), height: Math.floor(tile.height / 4) }),
  );
  const audioRms = rms(await audioSamples(file, 1, Math.max(2, videoSeconds - 1)));
  const problems = [
    ...(video.length < expectedSeconds ? [`${video.length} video frames in ${expectedSeconds.toFixed(1)} s`] : []),
    ...(videoSeconds < expectedSeconds * 0.5 ? [`video lasts ${videoSeconds.toFixed(1)} s of ${expectedSeconds.toFixed(1)} s recorded`] : []),
    ...tileBrightness.flatMap((level, index) => (level < LIT_TILE ? [`camera tile ${index + 1} is dark (${level.toFixed(0)})`] : [])),
    ...(audio.length === 0 ? ['no audio'] : audioRms < AUDIBLE_RMS ? [`silent (RMS ${audioRms.toFixed(4)})`] : []),
  ];
  return {
    videoFrames: video.length,
    videoSeconds,
    framesPerSecond: videoSeconds > 0 ? (video.length - 1) / videoSeconds : 0,
    audioPackets: audio.length,
    tileBrightness,
    audioRms,
    problems,
  };
}
