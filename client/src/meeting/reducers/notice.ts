/**
 * What the person should read about: promoted, media stopped by a host,
 * the recording or live stream started or stopped (told by comparing the
 * room before and after its update), or, for hosts, one of them failed.
 */
import type { RoomSettings } from '@protocol/messages';
import type { MeetingEvent } from '../events.js';
import type { EgressKind, Notice } from '../state.js';

export function noticeReducer(notice: Notice | undefined, event: MeetingEvent, room: RoomSettings): Notice | undefined {
  const serial = (notice?.serial ?? 0) + 1;
  switch (event.method) {
    case 'promoted':
      return { serial, kind: 'promoted' };
    case 'becamePanelist':
      return { serial, kind: 'became', role: 'panelist' };
    case 'becameAttendee':
      return { serial, kind: 'became', role: 'attendee' };
    case 'mediaStoppedByHost':
      return { serial, kind: 'stopped-by-host', source: event.data.source };
    case 'roomUpdated': {
      const next = event.data.room;
      const changed = (['recording', 'streaming'] as const).filter((what: EgressKind) => next[what] !== room[what]);
      if (changed.length === 0) return notice;
      return { serial, kind: 'egress', started: Object.fromEntries(changed.map((what) => [what, next[what]])) };
    }
    case 'egressFailed':
      return { serial, kind: 'egress-failed', what: event.data.what, reason: event.data.reason };
    default:
      return notice;
  }
}
