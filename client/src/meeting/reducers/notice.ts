/** What the server did to this tab that the person should read about: promoted, or media stopped by a host. */
import type { MeetingEvent } from '../events.js';
import type { Notice } from '../state.js';

export function noticeReducer(notice: Notice | undefined, event: MeetingEvent): Notice | undefined {
  const serial = (notice?.serial ?? 0) + 1;
  switch (event.method) {
    case 'promoted':
      return { serial, kind: 'promoted' };
    case 'mediaStoppedByHost':
      return { serial, kind: 'stopped-by-host', source: event.data.source };
    default:
      return notice;
  }
}
