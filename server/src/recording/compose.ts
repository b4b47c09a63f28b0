/**
 * The composite picture and mixed sound of a recording, rendered by ffmpeg
 * from the extracted tracks and the layout's segments into one MP4 (H.264
 * and AAC, playable anywhere, its index at the front for streaming).
 *
 * The filter graph is written to a file, not the command line: names reach
 * it only as paths to text files drawn with expansion off, so nothing a
 * participant types can change the graph. Every position is a function of
 * time over the segments, which ffmpeg evaluates per frame, so one graph
 * follows every change of layout: a binary search of `if(lt(t,…),…,…)`
 * down to `gte(t,a)*lt(t,b)*value`, since ffmpeg refuses an expression of
 * about a hundred terms in a row (a meeting's hundredth change of layout).
 * Expressions sit in single quotes, where the graph's separators are plain
 * characters.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CANVAS, type Rect, type Segment } from './layout.js';
import type { ExtractedTrack } from './extract.js';

const FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
export const FRAME_RATE = 30;
export const BACKGROUND = '0x202124';
/** Enough for any sane recording: ffmpeg renders faster than real time. */
const MIN_TIMEOUT_MS = 10 * 60_000;

export interface ComposeJob {
  durationMs: number;
  segments: Segment[];
  videos: Map<string, ExtractedTrack>;
  audios: ExtractedTrack[];
  /** A directory for the graph and the name files. */
  workDir: string;
  output: string;
  /** Where the work reached, 0 to 1. */
  onProgress?: (fraction: number) => void;
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);
/**
 * A path as a filter's option inside the graph. ffmpeg unquotes twice: once
 * splitting the graph (at [ ] , ;), then splitting the filter's options (at
 * : and =). So the path is quoted for the second and escaped for the first;
 * any directory name then works.
 */
const graphPath = (file: string) => `'${file.replaceAll("'", "'\\''")}'`.replace(/[\\'[\],;]/g, '\\$&');

type Placement = { from: number; to: number; rect: Rect };

/** value(rect) while t is in one of the placements (in order, apart), else 0: a balanced tree, its depth log2 of their number. */
function piecewise(placements: Placement[], value: (rect: Rect) => string): string {
  if (placements.length === 0) return '0';
  if (placements.length === 1) {
    const { from, to, rect } = placements[0]!;
    return `gte(t,${seconds(from)})*lt(t,${seconds(to)})*(${value(rect)})`;
  }
  const middle = Math.floor(placements.length / 2);
  return `if(lt(t,${seconds(placements[middle]!.from)}),${piecewise(placements.slice(0, middle), value)},${piecewise(placements.slice(middle), value)})`;
}

const shownAt = (placements: Placement[]) => (placements.length ? `gt(${piecewise(placements, () => '1')},0)` : '0');

/** Where each video track and each person's name appear, segment by segment. */
function placements(segments: Segment[]) {
  const videos = new Map<string, Placement[]>();
  const names = new Map<string, { name: string; places: Placement[] }>();
  const add = <T>(map: Map<string, T[]>, key: string, item: T) => map.set(key, [...(map.get(key) ?? []), item]);
  for (const { from, to, tiles, screen } of segments) {
    if (screen) add(videos, screen.trackId, { from, to, rect: screen.rect });
    for (const tile of tiles) {
      if (tile.camera) add(videos, tile.camera, { from, to, rect: tile.rect });
      const entry = names.get(tile.peerId) ?? { name: tile.name, places: [] };
      entry.places.push({ from, to, rect: tile.rect });
      names.set(tile.peerId, entry);
    }
  }
  return { videos, names };
}

const FONT = existsSync(FONT_FILE) ? `fontfile=${graphPath(FONT_FILE)}` : `font='Sans'`;

/**
 * The filters that draw the picture on the canvas `canvasLabel`: each video
 * input (by track id, its ffmpeg input label) scaled and placed, then each
 * name. Names are written to files in `workDir`. Returns the graph lines and
 * the label of the finished picture.
 */
export async function pictureFilters(
  segments: Segment[],
  inputs: Map<string, string>,
  canvasLabel: string,
  workDir: string,
): Promise<{ lines: string[]; picture: string }> {
  const { videos, names } = placements(segments);
  const lines: string[] = [];
  let canvas = canvasLabel;
  let step = 0;
  for (const [trackId, places] of videos) {
    const input = inputs.get(trackId);
    if (!input) continue;
    const fit = (dimension: 'w' | 'h') => (rect: Rect) =>
      dimension === 'w' ? `min(${rect.width},${rect.height}*iw/ih)` : `min(${rect.height},${rect.width}*ih/iw)`;
    const coverage = piecewise(places, () => '1');
    const size = (dimension: 'w' | 'h') => `trunc((${piecewise(places, fit(dimension))}+(1-(${coverage}))*16)/2)*2`;
    lines.push(`[${input}]scale=w='${size('w')}':h='${size('h')}':eval=frame[scaled${step}]`);
    const x = piecewise(places, (rect) => `${rect.x}+(${rect.width}-w)/2`);
    const y = piecewise(places, (rect) => `${rect.y}+(${rect.height}-h)/2`);
    lines.push(`[${canvas}][scaled${step}]overlay=x='${x}':y='${y}':eval=frame:eof_action=pass:enable='${shownAt(places)}'[canvas${step}]`);
    canvas = `canvas${step++}`;
  }
  let nameFiles = 0;
  for (const { name, places } of names.values()) {
    const file = path.join(workDir, `name-${nameFiles++}.txt`);
    await writeFile(file, name);
    const x = piecewise(places, (rect) => `${rect.x}+8`);
    const y = piecewise(places, (rect) => `${rect.y}+${rect.height}-34`);
    lines.push(
      `[${canvas}]drawtext=${FONT}:textfile=${graphPath(file)}:expansion=none:fontsize=22:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=6:x='${x}':y='${y}':enable='${shownAt(places)}'[canvas${step}]`,
    );
    canvas = `canvas${step++}`;
  }
  lines.push(`[${canvas}]format=yuv420p[picture]`);
  return { lines, picture: 'picture' };
}

/** The ffmpeg command line and filter graph for a job. */
export async function composeCommand(job: ComposeJob): Promise<string[]> {
  const duration = seconds(job.durationMs);
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats', '-y'];
  args.push('-f', 'lavfi', '-i', `color=c=${BACKGROUND}:s=${CANVAS.width}x${CANVAS.height}:r=${FRAME_RATE}:d=${duration}`);
  args.push('-f', 'lavfi', '-i', `anullsrc=r=48000:cl=stereo:d=${duration}`);
  const inputs = new Map<string, string>();
  let input = 2;
  for (const [trackId, track] of job.videos) {
    args.push('-itsoffset', seconds(track.startMs), '-i', track.path);
    inputs.set(trackId, `${input++}:v`);
  }
  const { lines: graph, picture } = await pictureFilters(job.segments, inputs, '0:v', job.workDir);
  const mix = ['1:a'];
  for (const track of job.audios) {
    args.push('-i', track.path);
    graph.push(`[${input}:a]adelay=delays=${Math.max(0, Math.round(track.startMs))}:all=1[delayed${input}]`);
    mix.push(`delayed${input}`);
    input++;
  }
  graph.push(`${mix.map((label) => `[${label}]`).join('')}amix=inputs=${mix.length}:duration=first:normalize=0[mixed]`);
  const script = path.join(job.workDir, 'graph.txt');
  await writeFile(script, graph.join(';\n'));
  args.push('-filter_complex_script', script, '-map', `[${picture}]`, '-map', '[mixed]', '-t', duration);
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-r', String(FRAME_RATE), '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart');
  args.push('-f', 'mp4', job.output);
  return args;
}

/** Runs ffmpeg on a job; rejects with ffmpeg's own words when it fails or takes far too long. */
export async function compose(job: ComposeJob): Promise<void> {
  const args = await composeCommand(job);
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-4000)));
  child.stdout.on('data', (chunk: Buffer) => {
    const match = /out_time_us=(\d+)/.exec(chunk.toString());
    if (match && job.onProgress) job.onProgress(Math.min(1, Number(match[1]) / 1000 / job.durationMs));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(MIN_TIMEOUT_MS, job.durationMs * 3));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).finally(() => clearTimeout(timer));
  if (code !== 0) throw new Error(`ffmpeg could not compose the recording (${code ?? 'killed'}): ${errors.trim().split('\n').slice(-3).join(' ')}`);
}
