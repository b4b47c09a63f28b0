/**
 * What this node knows about a room's peers on other nodes: who they are,
 * who waits in their lobbies, and which producers they offer to be piped in.
 */
import type { MediaSource, PeerInfo } from '../protocol/messages.js';

export interface RemotePeer {
  info: PeerInfo;
  nodeId: string;
  credentialId: string;
}

export interface RemoteProducer {
  nodeId: string;
  peerId: string;
  source: MediaSource;
}

export interface WaitingPeer {
  peerId: string;
  displayName: string;
}

export class RemotePeers {
  readonly peers = new Map<string, RemotePeer>();
  readonly producers = new Map<string, RemoteProducer>();
  private readonly waitingByNode = new Map<string, WaitingPeer[]>();

  waiting(): WaitingPeer[] {
    return [...this.waitingByNode.values()].flat();
  }

  nodeOfWaiting(peerId: string): string | undefined {
    for (const [nodeId, waiting] of this.waitingByNode) if (waiting.some((peer) => peer.peerId === peerId)) return nodeId;
    return undefined;
  }

  setWaiting(nodeId: string, waiting: WaitingPeer[]): void {
    this.waitingByNode.set(nodeId, waiting);
  }

  byCredential(credentialId: string): RemotePeer | undefined {
    return [...this.peers.values()].find((peer) => peer.credentialId === credentialId);
  }

  removePeer(peerId: string): void {
    this.peers.delete(peerId);
    for (const [producerId, producer] of this.producers) if (producer.peerId === peerId) this.producers.delete(producerId);
  }

  /** The ids of a node's peers in the meeting. */
  peersOn(nodeId: string): string[] {
    return [...this.peers.values()].filter((peer) => peer.nodeId === nodeId).map((peer) => peer.info.id);
  }

  /** Forgets a node's lobby. */
  forgetLobby(nodeId: string): void {
    this.waitingByNode.delete(nodeId);
  }
}
