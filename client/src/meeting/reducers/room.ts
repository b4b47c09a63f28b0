/** The room's settings: locked, whether newcomers wait in a lobby, and whether it is recorded or streamed live. */
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
