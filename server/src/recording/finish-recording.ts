/**
 * Turns a recording's directory (its timeline and captures) into what
 * people keep: `recording.mp4`, the composite, and with the `tracks`
 * option each person's audio (WAV) and video (Matroska) apart, with
 * `manifest.json` giving where each begins. The same steps finish a
 * recording that stopped cleanly and repair one a crash interrupted (it
 * then ends where its files end). `info.json`, written last, marks it done;
 * the captures are deleted only after.
 */
import { execFile } from 'node:child_process';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { MediaSource } from '../protocol/messages.js';
import { compose } from './compose.js';
import { extractAudio, extractVideo, type ExtractedTrack } from './extract.js';
import { layoutSegments, type Presence, type VideoTrack } from './layout.js';
import { CAPTURE_DIR } from './room-recorder.js';
import { TIMELINE_FILE, readTimeline, type TimelineEvent } from './timeline.js';
import { clockOffsets, measureTrack } from './track-sync.js';

const run = promisify(execFile);

export const OUTPUT_FILE = 'recording.mp4';
export const INFO_FILE = 'info.json';
export const MANIFEST_FILE = 'manifest.json';

/** `manifest.json`: each kept track, whose it is, and where it begins (seconds from the recording's start). */
export interface Manifest {
  tracks: { file: string; peerId: string; name: string; source: MediaSource; kind: 'audio' | 'video'; startSeconds: number; durationSeconds: number }[];
}
const WORK_DIR = 'work';
const TRACKS_DIR = 'tracks';

/** What `info.json` holds about a finished recording. */
export interface RecordingSummary {
  id: string;
  roomId: string;
  startedAt: number;
  durationSeconds: number;
  sizeBytes: number;
  /** A crash interrupted it, and it was finished when the server came back. */
  repaired: boolean;
}

type TrackEvent = Extract<TimelineEvent, { type: 'track' }>;

/** [from, to) spans of a track, on the recording's clock, less the spans it was paused. */
function showing(track: TrackEvent, events: TimelineEvent[], origin: number, end: number): [number, number][] {
  const spans: [number, number][] = [];
  let from: number | undefined = track.paused ? undefined : track.at - origin;
  for (const event of events) {
    if (event.type === 'paused' && event.trackId === track.trackId) {
      if (event.paused && from !== undefined) {
        spans.push([from, event.at - origin]);
        from = undefined;
      } else if (!event.paused && from === undefined) from = event.at - origin;
    }
    if (event.type === 'trackEnded' && event.trackId === track.trackId) {
      if (from !== undefined) spans.push([from, event.at - origin]);
      return spans;
    }
  }
  if (from !== undefined) spans.push([from, end]);
  return spans;
}

function presence(events: TimelineEvent[], origin: number, end: number): Presence[] {
  const people = new Map<string, Presence & { since?: number }>();
  for (const event of events) {
    if (event.type === 'peer') {
      const person = people.get(event.peerId) ?? { peerId: event.peerId, name: event.name, intervals: [] };
      person.name = event.name;
      person.since ??= event.at - origin;
      people.set(event.peerId, person);
    } else if (event.type === 'peerLeft') {
      const person = people.get(event.peerId);
      if (person?.since !== undefined) {
        person.intervals.push([person.since, event.at - origin]);
        delete person.since;
      }
    }
  }
  return [...people.values()].map(({ since, ...person }) => (since === undefined ? person : { ...person, intervals: [...person.intervals, [since, end]] }));
}

/** When the recording ended: its `stopped` event, or after a crash the last write to any of its files. */
async function endOf(dir: string, events: TimelineEvent[], tracks: TrackEvent[]): Promise<{ at: number; repaired: boolean }> {
  const stopped = events.find((event) => event.type === 'stopped');
  if (stopped) return { at: stopped.at, repaired: false };
  const files = [path.join(dir, TIMELINE_FILE), ...tracks.map((track) => path.join(dir, CAPTURE_DIR, `${track.trackId}.rtp`))];
  const times = await Promise.all(files.map((file) => stat(file).then((info) => info.mtimeMs, () => 0)));
  return { at: Math.max(...times), repaired: true };
}

export async function finishRecording(dir: string, onProgress?: (fraction: number) => void): Promise<RecordingSummary> {
  const events = readTimeline(path.join(dir, TIMELINE_FILE));
  const header = events[0];
  if (header?.type !== 'recording') throw new Error(`${dir} holds no recording`);
  const tracks = events.filter((event): event is TrackEvent => event.type === 'track');
  const origin = header.at;
  const end = await endOf(dir, events, tracks);
  const durationMs = Math.max(0, end.at - origin);
  const work = path.join(dir, WORK_DIR);
  await mkdir(work, { recursive: true });
  const capture = (track: TrackEvent) => path.join(dir, CAPTURE_DIR, `${track.trackId}.rtp`);
  const timings = await Promise.all(tracks.map((track) => measureTrack(capture(track), track.codec.clockRate).catch(() => undefined)));
  const usable = tracks.filter((_, index) => timings[index] && timings[index].packets > 0);
  const offsets = clockOffsets(timings.filter((timing) => timing !== undefined && timing.packets > 0).map((timing) => timing!));
  const extracted = new Map<string, ExtractedTrack>();
  for (const [index, track] of usable.entries()) {
    const extract = track.kind === 'video' ? extractVideo : extractAudio;
    const file = path.join(work, `${track.trackId}.${track.kind === 'video' ? 'ivf' : 'wav'}`);
    const result = await extract(capture(track), track.codec, offsets[index]!, origin, durationMs, file);
    if (result) extracted.set(track.trackId, result);
  }
  const videos: VideoTrack[] = usable
    .filter((track) => track.kind === 'video' && extracted.has(track.trackId))
    .map((track) => ({ trackId: track.trackId, peerId: track.peerId, source: track.source, intervals: showing(track, events, origin, durationMs) }));
  const segments = layoutSegments(presence(events, origin, durationMs), videos, durationMs);
  const audios = usable.filter((track) => track.kind === 'audio' && extracted.has(track.trackId)).map((track) => extracted.get(track.trackId)!);
  const partial = path.join(dir, `${OUTPUT_FILE}.part`);
  const pictures = new Map(videos.map((video) => [video.trackId, extracted.get(video.trackId)!]));
  await compose({ durationMs, segments, videos: pictures, audios, workDir: work, output: partial, ...(onProgress ? { onProgress } : {}) });
  await rename(partial, path.join(dir, OUTPUT_FILE));
  if (header.tracks) await keepTracks(dir, usable, extracted, events);
  const summary: RecordingSummary = {
    id: header.id,
    roomId: header.roomId,
    startedAt: origin,
    durationSeconds: durationMs / 1000,
    sizeBytes: (await stat(path.join(dir, OUTPUT_FILE))).size,
    repaired: end.repaired,
  };
  await writeFile(path.join(dir, INFO_FILE), JSON.stringify(summary));
  await rm(work, { recursive: true, force: true });
  await rm(path.join(dir, CAPTURE_DIR), { recursive: true, force: true });
  return summary;
}

/** Each track as its own file (video remuxed from IVF into Matroska), and a manifest of where each begins. */
async function keepTracks(dir: string, tracks: TrackEvent[], extracted: Map<string, ExtractedTrack>, events: TimelineEvent[]): Promise<void> {
  await mkdir(path.join(dir, TRACKS_DIR), { recursive: true });
  const names = new Map(events.filter((event) => event.type === 'peer').map((event) => [event.peerId, event.name]));
  const manifest: Manifest['tracks'] = [];
  for (const track of tracks) {
    const file = extracted.get(track.trackId);
    if (!file) continue;
    const name = `${track.trackId}.${track.kind === 'video' ? 'mkv' : 'wav'}`;
    const target = path.join(dir, TRACKS_DIR, name);
    if (track.kind === 'video') await run('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', file.path, '-c', 'copy', target]);
    else await rename(file.path, target);
    manifest.push({
      file: `${TRACKS_DIR}/${name}`,
      peerId: track.peerId,
      name: names.get(track.peerId) ?? 'Someone',
      source: track.source,
      kind: track.kind,
      startSeconds: file.startMs / 1000,
      durationSeconds: file.durationMs / 1000,
    });
  }
  await writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify({ tracks: manifest } satisfies Manifest, null, 2));
}
