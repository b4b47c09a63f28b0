/**
 * Recording and streaming in words. A finished recording, for its download
 * link: when it started (the time, with the day when not today), how long
 * it lasts and how large it is, in the person's own number and time
 * formats; and what went wrong with a host's latest request. No DOM.
 */
import type { RecordingInfo } from '@protocol/messages';
import type { EgressRequest } from '../meeting/state.js';
import { sentence } from '../plain-errors.js';
import { t } from '../strings/index.js';

const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayAndTime = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

/** "14:05", or "1 Dec, 14:05" for a recording of another day than `now`'s. */
export function recordingStart(startedAt: number, now: number): string {
  const sameDay = new Date(startedAt).toDateString() === new Date(now).toDateString();
  return (sameDay ? timeOnly : dayAndTime).format(startedAt);
}

/** "45 s", "3 min 12 s", "1 h 5 min": whole seconds, and no seconds past an hour. */
export function recordingDuration(seconds: number): string {
  const whole = Math.round(seconds);
  if (whole < 60) return t.recording.seconds(whole);
  if (whole < 3600) return t.recording.minutes(Math.floor(whole / 60), whole % 60);
  return t.recording.hours(Math.floor(whole / 3600), Math.floor((whole % 3600) / 60));
}

const UNITS = [
  { unit: 'gigabyte', bytes: 1e9 },
  { unit: 'megabyte', bytes: 1e6 },
  { unit: 'kilobyte', bytes: 1e3 },
] as const;

/** "24 MB", "1.5 GB", "800 kB" (decimal units, one decimal below 10). */
export function recordingSize(bytes: number): string {
  const { unit, bytes: size } = UNITS.find((candidate) => bytes >= candidate.bytes) ?? UNITS[UNITS.length - 1]!;
  const value = bytes / size;
  return new Intl.NumberFormat(undefined, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: value < 10 ? 1 : 0 }).format(value);
}

/** What the link shows ("14:05, 3 min 12 s, 24 MB") and its accessible name ("Download recording from 14:05, …"). */
export function recordingLabel(recording: RecordingInfo, now: number): { text: string; name: string } {
  const parts = [recordingStart(recording.startedAt, now), recordingDuration(recording.durationSeconds), recordingSize(recording.sizeBytes)] as const;
  return { text: t.recording.item(...parts), name: t.recording.download(...parts) };
}

/** What went wrong with a host's latest request: the server's refusal, or why what ran stopped (`stopped` words it); empty when nothing did. */
export function egressProblem(request: EgressRequest, stopped: (reason: string) => string): string {
  if (request.kind === 'refused') return request.message;
  return request.kind === 'stopped' ? stopped(sentence(request.reason)) : '';
}
