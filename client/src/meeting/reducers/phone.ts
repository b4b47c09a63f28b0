/**
 * Phones, as a host sees them: how they dial in (from the welcome, or from
 * a promotion), and how this host's latest call to a phone is going.
 */
import type { MeetingEvent } from '../events.js';
import type { DialIn, DialOutStatus } from '../state.js';

export function dialInReducer(dialIn: DialIn | undefined, event: MeetingEvent): DialIn | undefined {
  if (event.method !== 'joined' && event.method !== 'promoted') return dialIn;
  const next = event.data.dialIn;
  // The same PIN and address again keep their reference: nothing to redraw.
  return next && dialIn && next.pin === dialIn.pin && next.uri === dialIn.uri ? dialIn : next;
}

export function dialOutReducer(status: DialOutStatus, event: MeetingEvent): DialOutStatus {
  switch (event.method) {
    case 'dialOutStarted':
      return { kind: 'calling', target: event.data.target };
    case 'dialOutPlaced': {
      const { target, peerId } = event.data;
      // A failure told before the answer stays on screen.
      return status.kind === 'calling' && status.target === target ? { kind: 'ringing', target, peerId } : status;
    }
    case 'dialOutRefused':
      return { kind: 'failed', target: event.data.target, message: event.data.message };
    case 'dialOutFailed':
      return { kind: 'failed', target: event.data.target, message: event.data.reason };
    case 'peerJoined':
      return status.kind === 'ringing' && status.peerId === event.data.peer.id ? { kind: 'answered', target: status.target } : status;
    default:
      return status;
  }
}
