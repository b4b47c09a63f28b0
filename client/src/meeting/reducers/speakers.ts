/** Who is speaking, loudest first. */
import type { MeetingEvent } from '../events.js';

export function speakersReducer(speakers: readonly string[], event: MeetingEvent): readonly string[] {
  return event.method === 'speakers' ? event.data.peerIds : speakers;
}
