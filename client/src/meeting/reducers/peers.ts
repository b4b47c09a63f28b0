/** Everyone else this person sees: the welcome's list (a new one on joining or leaving a webinar's panel), then joins, updates and departures. */
import type { PeerInfo } from '@protocol/messages';
import type { MeetingEvent } from '../events.js';

export function peersReducer(peers: ReadonlyMap<string, PeerInfo>, event: MeetingEvent): ReadonlyMap<string, PeerInfo> {
  switch (event.method) {
    case 'joined':
    case 'becamePanelist':
    case 'becameAttendee':
      return new Map(event.data.peers.map((peer) => [peer.id, peer]));
    case 'peerJoined':
    case 'peerUpdated':
      return new Map(peers).set(event.data.peer.id, event.data.peer);
    case 'peerLeft': {
      if (!peers.has(event.data.peerId)) return peers;
      const next = new Map(peers);
      next.delete(event.data.peerId);
      return next;
    }
    default:
      return peers;
  }
}
