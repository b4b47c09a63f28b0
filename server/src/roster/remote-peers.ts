/**
 * What this node knows about a room's people on other nodes: who is in the
 * meeting there, and who waits in their lobbies. Each node speaks only for
 * its own people, so everything here is keyed by the node it came from.
 */
import type { PeerInfo } from '../protocol/messages.js';

export interface RemotePeer {
  info: PeerInfo;
  nodeId: string;
  credentialId: string;
  owner: boolean;
}

export interface WaitingPeer {
  peerId: string;
  displayName: string;
  phone?: true;
}

export class RemotePeers {
  private readonly peers = new Map<string, RemotePeer>();
  private readonly waitingByNode = new Map<string, WaitingPeer[]>();
  /** How many of them are attendees, kept as they come and go (a webinar's audience may be large). */
  private attendeeCount = 0;

  get size(): number {
    return this.peers.size;
  }

  attendees(): number {
    return this.attendeeCount;
  }

  has(peerId: string): boolean {
    return this.peers.has(peerId);
  }

  infos(): PeerInfo[] {
    return [...this.peers.values()].map(({ info }) => info);
  }

  /** Adds or replaces a peer; true if it was new. */
  set(peer: RemotePeer): boolean {
    const known = this.peers.get(peer.info.id);
    if (known?.info.role === 'attendee') this.attendeeCount--;
    if (peer.info.role === 'attendee') this.attendeeCount++;
    this.peers.set(peer.info.id, peer);
    return !known;
  }

  /** Forgets a peer; true if it was known. */
  delete(peerId: string): boolean {
    if (this.peers.get(peerId)?.info.role === 'attendee') this.attendeeCount--;
    return this.peers.delete(peerId);
  }

  get(peerId: string): RemotePeer | undefined {
    return this.peers.get(peerId);
  }

  byCredential(credentialId: string): RemotePeer | undefined {
    return [...this.peers.values()].find((peer) => peer.credentialId === credentialId);
  }

  /** The ids of a node's peers in the meeting. */
  peersOn(nodeId: string): string[] {
    return [...this.peers.values()].filter((peer) => peer.nodeId === nodeId).map((peer) => peer.info.id);
  }

  waiting(): WaitingPeer[] {
    return [...this.waitingByNode.values()].flat();
  }

  isWaiting(peerId: string): boolean {
    return this.waiting().some((peer) => peer.peerId === peerId);
  }

  setWaiting(nodeId: string, waiting: WaitingPeer[]): void {
    this.waitingByNode.set(nodeId, waiting);
  }

  /** Forgets a node's lobby. */
  forgetLobby(nodeId: string): void {
    this.waitingByNode.delete(nodeId);
  }
}
