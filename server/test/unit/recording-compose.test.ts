/**
 * The ffmpeg composition (recording/compose.ts) with names chosen to break
 * it: quotes, the graph's separators, expansion sequences, backslashes,
 * newlines, 200 emoji. No name reaches the graph or the command line (only
 * files that drawtext reads with expansion off), and ffmpeg really renders
 * a 2-second recording of people so named, names drawn on their tiles.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { compose, composeCommand, pictureFilters, type ComposeJob } from '../../src/recording/compose.js';
import { IvfWriter, WavWriter } from '../../src/recording/containers.js';
import { layoutSegments, type Presence } from '../../src/recording/layout.js';
import { brightness, frameAt, probe } from '../../testkit/media-probe.js';
import { vp8Frames } from '../helpers/recording-media.js';
import { QUICK } from '../helpers/timeouts.js';

const HOSTILE_NAMES = [
  "O'Brien 'quoted'",
  "a:b=c:fontcolor=red'",
  'semi;colon[canvas0];[0:v]drawtext=text=pwned',
  '[in][out],scale=1:1',
  '%{pts} %{eif\\:1/0\\:d} %{localtime}',
  'back\\slash\\\\ and \\\'',
  'first line\nsecond line',
  '😀'.repeat(200),
  '$(touch /tmp/parley-pwned) `id` -filter_complex_script /etc/passwd',
];

let dir: string;
before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'parley-compose-'))), QUICK);
after(() => rm(dir, { recursive: true, force: true }), QUICK);

const people = (durationMs: number): Presence[] => HOSTILE_NAMES.map((name, index) => ({ peerId: `p${index}`, name, intervals: [[0, durationMs]] }));

/** Where ffmpeg keeps the graph and the name files for one job. */
async function workDir(name: string): Promise<string> {
  const work = path.join(dir, name);
  await mkdir(work, { recursive: true });
  return work;
}

test('hostile names never reach the filter graph, only files that hold them exactly', QUICK, async () => {
  const work = await workDir('filters');
  const segments = layoutSegments(people(2000), [{ trackId: '1-camera', peerId: 'p0', source: 'camera', intervals: [[0, 2000]] }], 2000);
  const { lines, picture } = await pictureFilters(segments, new Map([['1-camera', '2:v']]), '0:v', work);
  const graph = lines.join(';\n');
  for (const name of HOSTILE_NAMES) assert.ok(!graph.includes(name), `the graph holds ${JSON.stringify(name)}`);
  assert.ok(!graph.includes('pwned') && !graph.includes('%{'), 'no piece of a name either');
  assert.equal(lines.filter((line) => line.includes('drawtext=')).length, HOSTILE_NAMES.length);
  assert.ok(lines.every((line) => !line.includes('drawtext=') || line.includes(':expansion=none:')), 'every name is drawn with expansion off');
  assert.equal(lines.at(-1), `[canvas${HOSTILE_NAMES.length}]format=yuv420p[${picture}]`);
  const files = (await readdir(work)).filter((file) => file.startsWith('name-')).sort();
  const contents = await Promise.all(files.map((file) => readFile(path.join(work, file), 'utf8')));
  assert.deepEqual(contents.sort(), [...HOSTILE_NAMES].sort());
});

/** A 2-second composite job: one VP8 camera (p0's), 1 s of tone, everyone named. */
async function job(work: string): Promise<ComposeJob> {
  const frames = await vp8Frames(work, 2);
  const video = path.join(work, 'camera.ivf');
  const writer = await IvfWriter.create(video, 'VP80', 64, 64);
  for (const [index, frame] of frames.entries()) await writer.frame(frame, index * 100);
  await writer.close();
  const audio = path.join(work, 'voice.wav');
  const wav = await WavWriter.create(audio, 8000);
  await wav.write(Int16Array.from({ length: 8000 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000))));
  await wav.close();
  const segments = layoutSegments(people(2000), [{ trackId: '1-camera', peerId: 'p0', source: 'camera', intervals: [[0, 2000]] }], 2000);
  return {
    durationMs: 2000,
    segments,
    videos: new Map([['1-camera', { path: video, startMs: 0, durationMs: 1900 }]]),
    audios: [{ path: audio, startMs: 500, durationMs: 1000 }],
    workDir: work,
    output: path.join(work, 'out.mp4'),
  };
}

test('the command line holds no name, and ffmpeg renders people so named into a playable MP4', QUICK, async () => {
  const work = await workDir('render');
  const composeJob = await job(work);
  const args = await composeCommand(composeJob);
  for (const name of HOSTILE_NAMES) assert.ok(!args.some((arg) => arg.includes(name)), `the command line holds ${JSON.stringify(name)}`);
  const progress: number[] = [];
  await compose({ ...composeJob, onProgress: (fraction) => progress.push(fraction) });
  const probed = await probe(composeJob.output);
  assert.deepEqual(
    probed.streams.map((stream) => [stream.type, stream.codec, stream.width]),
    [
      ['video', 'h264', 1280],
      ['audio', 'aac', undefined],
    ],
  );
  assert.ok(Math.abs(probed.durationSeconds - 2) < 0.15, `${probed.durationSeconds} s`);
  assert.ok(progress.length > 0 && progress.every((fraction) => fraction >= 0 && fraction <= 1), `progress ${progress.join(', ')}`);
  // Each name is drawn: white text on its tile's dark box, where the background alone has nothing bright.
  const frame = await frameAt(composeJob.output, 1);
  const brightPixels = (x: number, y: number, width: number, height: number) => {
    let count = 0;
    for (let row = y; row < y + height; row++) for (let column = x; column < x + width; column++) if (frame.pixels[(row * frame.width + column) * 3]! > 200) count++;
    return count;
  };
  for (const tile of composeJob.segments[0]!.tiles.slice(1)) {
    assert.ok(brightPixels(tile.rect.x + 8, tile.rect.y + tile.rect.height - 34, 60, 26) > 20, `${JSON.stringify(tile.name)} is drawn`);
    assert.equal(brightPixels(tile.rect.x + tile.rect.width / 2 - 10, tile.rect.y + 10, 20, 20), 0, `${JSON.stringify(tile.name)}: an empty tile is dark`);
  }
});

test("a recordings directory with : ' , ; [ ] and a backslash in its path composes all the same", QUICK, async () => {
  const work = await workDir("odd: it's, a; [dir] \\ here");
  const composeJob = await job(work);
  await compose(composeJob);
  assert.ok(Math.abs((await probe(composeJob.output)).durationSeconds - 2) < 0.15);
});

test('a layout that changed hundreds of times composes, each picture where its segments put it', QUICK, async () => {
  const work = await workDir('many-segments');
  const composeJob = await job(work);
  // p1's camera (never extracted) goes on and off every 5 ms: 400 segments for everyone; p0's camera shows for the first second only.
  const flicker: [number, number][] = Array.from({ length: 200 }, (_, i) => [i * 10, i * 10 + 5]);
  const segments = layoutSegments(
    people(2000),
    [
      { trackId: '1-camera', peerId: 'p0', source: 'camera', intervals: [[0, 1000]] },
      { trackId: '2-camera', peerId: 'p1', source: 'camera', intervals: flicker },
    ],
    2000,
  );
  assert.ok(segments.length >= 400, `${segments.length} segments`);
  await compose({ ...composeJob, segments });
  const tile = segments[0]!.tiles[0]!.rect;
  const centre = { x: tile.x + tile.width / 2 - 20, y: tile.y + tile.height / 2 - 20, width: 40, height: 40 };
  assert.ok(brightness(await frameAt(composeJob.output, 0.5), centre) > 80, "p0's camera shows in the first second");
  assert.ok(brightness(await frameAt(composeJob.output, 1.5), centre) < 50, "p0's tile is empty after it");
});
