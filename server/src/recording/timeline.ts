/**
 * What happened during a recording, one JSON line per event, written as it
 * happens (events.jsonl beside the captures): who was there under which
 * name, which stream belonged to whom and when it started, paused and
 * ended, and whether the recording stopped cleanly. Composition reads it
 * back to lay out the picture; a file without `stopped` is a recording that
 * a crash interrupted, which Parley finishes when it starts again.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import type { MediaSource } from '../protocol/messages.js';
import type { TapCodec } from './media-tap.js';

export type TimelineEvent =
  | { type: 'recording'; at: number; id: string; roomId: string; tracks: boolean; node: string }
  | { type: 'peer'; at: number; peerId: string; name: string }
  | { type: 'peerLeft'; at: number; peerId: string }
  | { type: 'track'; at: number; trackId: string; peerId: string; source: MediaSource; kind: 'audio' | 'video'; codec: TapCodec; paused: boolean }
  | { type: 'paused'; at: number; trackId: string; paused: boolean }
  | { type: 'trackEnded'; at: number; trackId: string }
  | { type: 'stopped'; at: number };

export const TIMELINE_FILE = 'events.jsonl';

export class TimelineWriter {
  constructor(private readonly path: string) {}

  /** Synchronous, so that the event order on disk is the order things happened in. */
  add(event: TimelineEvent): void {
    appendFileSync(this.path, `${JSON.stringify(event)}\n`);
  }
}

/** The events of a timeline file; a torn last line (a crash mid-write) is left out. */
export function readTimeline(path: string): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      events.push(JSON.parse(line) as TimelineEvent);
    } catch {
      break;
    }
  }
  return events;
}
