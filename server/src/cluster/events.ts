/**
 * What nodes tell each other about a room they both serve, over the room's
 * Redis channel. Each event describes the sending node's own peers; a node
 * never speaks for another.
 */
import type { ChatMessage, MediaSource, PeerInfo, RoomSettings } from '../protocol/messages.js';

export type HostCommand = 'admit' | 'deny' | 'promote' | 'mute' | 'stopCamera' | 'stopScreenShare' | 'remove';

export type ClusterEvent =
  /** The sender started serving the room: everyone resends their state. */
  | { type: 'hello' }
  /** A peer of the sender joined, or changed role, hand or media. */
  | { type: 'peer'; peer: PeerInfo; credentialId: string }
  | { type: 'peerLeft'; peerId: string }
  /** Who waits in the lobby on the sender. */
  | { type: 'lobby'; waiting: { peerId: string; displayName: string }[] }
  /** A producer on the sender that other nodes may pipe in. */
  | { type: 'producer'; peerId: string; producerId: string; source: MediaSource }
  | { type: 'producerPaused'; producerId: string; paused: boolean }
  | { type: 'producerClosed'; producerId: string }
  | { type: 'chat'; message: ChatMessage }
  | { type: 'room'; room: RoomSettings }
  | { type: 'ended'; reason: string }
  /** A host elsewhere acts on one of the receiver's peers; the sender checked the host role. */
  | { type: 'command'; targetPeerId: string; command: HostCommand }
  /** The sender no longer serves the room. */
  | { type: 'nodeLeft' };

export interface ClusterMessage {
  from: string;
  event: ClusterEvent;
}
