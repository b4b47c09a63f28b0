/**
 * How this node relates to the others: the shared room store, a channel per
 * room, and the registry of live nodes. A single node needs none of it.
 */
import type { RoomStore } from '../store/room-store.js';
import type { ClusterEvent } from './events.js';

export interface NodeInfo {
  id: string;
  /** Where other nodes reach this one (node-to-node media set-up). */
  internalUrl: string;
  peers: number;
  updatedAt: number;
}

export interface RoomChannel {
  publish(event: ClusterEvent): void;
  close(): Promise<void>;
}

export type RoomEventHandler = (event: ClusterEvent, fromNode: string) => void;

export interface Cluster {
  readonly nodeId: string;
  readonly store: RoomStore;
  /** True when other nodes may serve the same rooms. */
  readonly shared: boolean;
  openRoomChannel(roomId: string, onEvent: RoomEventHandler): Promise<RoomChannel>;
  node(nodeId: string): Promise<NodeInfo | undefined>;
  /** Called when a node stops sending heartbeats. */
  onNodeGone(listener: (nodeId: string) => void): void;
  /** Called after the shared state was unreachable and is back (possibly empty). */
  onReconnected(listener: () => void): void;
  setLoad(peers: number): void;
  /** Sends this node's heartbeat now (e.g. once its address is known). */
  announce(): Promise<void>;
  close(): Promise<void>;
}

/** One node, state in memory: nothing to share, nobody to tell. */
export class SingleNode implements Cluster {
  readonly shared = false;

  constructor(
    readonly nodeId: string,
    readonly store: RoomStore,
  ) {}

  async openRoomChannel(): Promise<RoomChannel> {
    return { publish: () => {}, close: async () => {} };
  }

  async node(): Promise<NodeInfo | undefined> {
    return undefined;
  }

  onNodeGone(): void {}
  onReconnected(): void {}
  setLoad(): void {}
  async announce(): Promise<void> {}

  async close(): Promise<void> {
    await this.store.close();
  }
}
