/**
 * Who is seen where in a composite picture, over time. The recording's
 * events become segments within which nothing changes; each segment places
 * everyone present in a grid of tiles (a camera that is off leaves a named,
 * empty tile), or, while someone shares a screen, the screen as the main
 * picture with up to four cameras in a column beside it. Pure: the same
 * events always give the same picture, so it is tested without ffmpeg.
 */
import type { MediaSource } from '../protocol/messages.js';

export const CANVAS = { width: 1280, height: 720 } as const;
/** With a screen shared, cameras go in a column this wide on the right. */
const SIDE_WIDTH = 320;
const SIDE_TILES = 4;
const GAP = 4;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Someone's presence, on the recording's clock (ms from its start). */
export interface Presence {
  peerId: string;
  name: string;
  /** When they were there: [from, to) pairs. */
  intervals: [number, number][];
}

/** A video track and when it shows a picture (not paused). */
export interface VideoTrack {
  trackId: string;
  peerId: string;
  source: MediaSource;
  intervals: [number, number][];
}

export interface Tile {
  peerId: string;
  name: string;
  rect: Rect;
  /** The camera shown in the tile, if it is on. */
  camera?: string;
}

export interface Segment {
  from: number;
  to: number;
  tiles: Tile[];
  screen?: { trackId: string; rect: Rect };
}

const inside = (intervals: [number, number][], at: number) => intervals.some(([from, to]) => at >= from && at < to);

/** A grid of `count` tiles filling `area`, rows of equal height. */
export function grid(count: number, area: Rect): Rect[] {
  if (count === 0) return [];
  const columns = Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / columns);
  const width = Math.floor(area.width / columns);
  const height = Math.floor(area.height / rows);
  return Array.from({ length: count }, (_, index) => {
    const row = Math.floor(index / columns);
    // The last row, if shorter, is centred.
    const inRow = row === rows - 1 ? count - row * columns : columns;
    const left = area.x + Math.floor((area.width - inRow * width) / 2);
    return { x: left + (index % columns) * width + GAP, y: area.y + row * height + GAP, width: width - 2 * GAP, height: height - 2 * GAP };
  });
}

/** Segments covering [0, durationMs), merged where the picture does not change. */
export function layoutSegments(people: Presence[], videos: VideoTrack[], durationMs: number): Segment[] {
  const cuts = new Set<number>([0, durationMs]);
  for (const { intervals } of [...people, ...videos]) for (const [from, to] of intervals) cuts.add(from).add(to);
  const times = [...cuts].filter((at) => at >= 0 && at <= durationMs).sort((a, b) => a - b);
  const segments: Segment[] = [];
  for (let i = 0; i + 1 < times.length; i++) {
    const [from, to] = [times[i]!, times[i + 1]!];
    if (to <= from) continue;
    const segment = { from, to, ...picture(people, videos, from) };
    const previous = segments.at(-1);
    if (previous && samePicture(previous, segment)) previous.to = to;
    else segments.push(segment);
  }
  return segments;
}

function picture(people: Presence[], videos: VideoTrack[], at: number): Omit<Segment, 'from' | 'to'> {
  const present = people.filter((person) => inside(person.intervals, at));
  const showing = (source: MediaSource) => videos.filter((video) => video.source === source && inside(video.intervals, at));
  // The screen shared most recently is the main picture.
  const screen = showing('screen').sort((a, b) => latestStart(b, at) - latestStart(a, at))[0];
  const cameras = new Map(showing('camera').map((video) => [video.peerId, video.trackId]));
  const shown = screen ? present.slice(0, SIDE_TILES) : present;
  const rows = CANVAS.height / SIDE_TILES;
  const rects = screen
    ? shown.map((_, index) => ({ x: CANVAS.width - SIDE_WIDTH + GAP, y: index * rows + GAP, width: SIDE_WIDTH - 2 * GAP, height: rows - 2 * GAP }))
    : grid(shown.length, { x: 0, y: 0, width: CANVAS.width, height: CANVAS.height });
  const tiles = shown.map((person, index) => {
    const camera = cameras.get(person.peerId);
    return { peerId: person.peerId, name: person.name, rect: rects[index]!, ...(camera ? { camera } : {}) };
  });
  if (!screen) return { tiles };
  return { tiles, screen: { trackId: screen.trackId, rect: { x: GAP, y: GAP, width: CANVAS.width - SIDE_WIDTH - 2 * GAP, height: CANVAS.height - 2 * GAP } } };
}

function latestStart(video: VideoTrack, at: number): number {
  return Math.max(...video.intervals.filter(([from]) => from <= at).map(([from]) => from));
}

function samePicture(a: Omit<Segment, 'from' | 'to'>, b: Omit<Segment, 'from' | 'to'>): boolean {
  return JSON.stringify({ tiles: a.tiles, screen: a.screen }) === JSON.stringify({ tiles: b.tiles, screen: b.screen });
}
