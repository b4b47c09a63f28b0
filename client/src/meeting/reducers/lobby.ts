/**
 * Who waits in the lobby. Only hosts are told, and a new host may hear of
 * it just before its own `joined`, so `joined` leaves it as it is.
 */
import type { MeetingEvent } from '../events.js';
import type { WaitingPeer } from '../state.js';

export function lobbyReducer(lobby: readonly WaitingPeer[], event: MeetingEvent): readonly WaitingPeer[] {
  return event.method === 'lobbyChanged' ? event.data.waiting : lobby;
}
