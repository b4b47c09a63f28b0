/** What the server did to this tab that the person should read: promoted, or media stopped by a host. */
import type { MediaSource } from '@protocol/messages';
import type { MeetingEvent } from '../events.js';
import type { Notice } from '../state.js';

const STOPPED_BY_HOST: Record<MediaSource, string> = {
  mic: 'A host muted your microphone.',
  camera: 'A host turned off your camera.',
  screen: 'A host stopped your screen share.',
  'screen-audio': 'A host stopped your screen share.',
};

export function noticeReducer(notice: Notice | undefined, event: MeetingEvent): Notice | undefined {
  const serial = (notice?.serial ?? 0) + 1;
  switch (event.method) {
    case 'promoted':
      return { serial, text: 'You are now a host.' };
    case 'mediaStoppedByHost':
      return { serial, text: STOPPED_BY_HOST[event.data.source] };
    default:
      return notice;
  }
}
