/** This tab's own peer: its id, role, raised hand and what it sends. */
import type { MeetingEvent } from '../events.js';
import type { SelfState } from '../state.js';

export function selfReducer(self: SelfState, event: MeetingEvent): SelfState {
  switch (event.method) {
    case 'identified':
      return { ...self, id: event.data.peerId };
    case 'joined':
      return { ...self, role: event.data.role };
    case 'promoted':
      return { ...self, role: 'host' };
    case 'becamePanelist':
      return { ...self, role: 'participant' };
    case 'becameAttendee':
      return { ...self, role: 'attendee', sending: [] };
    case 'handRaised':
      return { ...self, handRaised: event.data.raised };
    case 'sending': {
      const { sources } = event.data;
      const same = sources.length === self.sending.length && sources.every((source) => self.sending.includes(source));
      return same ? self : { ...self, sending: sources };
    }
    default:
      return self;
  }
}
