/**
 * What nodes tell each other about a room they both serve, over the room's
 * Redis channel: the meeting's own events (each describes the sending
 * node's people; a node never speaks for another), plus two of the link's.
 */
import type { MeetingEvent } from '../meeting/meeting.js';

export type ClusterEvent =
  | Exclude<MeetingEvent, { type: 'entered' } | { type: 'closed' }>
  /** The sender started serving the room: everyone resends their state. */
  | { type: 'hello' }
  /** The sender no longer serves the room. */
  | { type: 'nodeLeft' };

export interface ClusterMessage {
  from: string;
  event: ClusterEvent;
}
