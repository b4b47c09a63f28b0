/** The room's settings: locked, and whether newcomers wait in a lobby. */
import type { RoomSettings } from '@protocol/messages';
import type { MeetingEvent } from '../events.js';

export function roomReducer(room: RoomSettings, event: MeetingEvent): RoomSettings {
  switch (event.method) {
    case 'joined':
      return event.data.room;
    case 'roomUpdated':
      return event.data.room;
    default:
      return room;
  }
}
