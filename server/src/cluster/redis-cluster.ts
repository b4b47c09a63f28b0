/**
 * Nodes sharing one Redis. Each node keeps a heartbeat key with a TTL
 * (parley:node:{id}, listed in the set parley:nodes), watches the others'
 * heartbeats, and talks per room on the pub/sub channel parley:room:{id}.
 * Commands fail at once while Redis is unreachable (no offline queue), so a
 * join gets a clear error instead of hanging; media already flowing does not
 * depend on Redis.
 */
import { EventEmitter } from 'node:events';
import { createClient } from 'redis';
import type { FastifyBaseLogger } from 'fastify';
import { RedisRoomStore, type RedisClient } from '../store/redis-room-store.js';
import type { Cluster, NodeInfo, RoomChannel, RoomEventHandler } from './cluster.js';
import type { ClusterMessage } from './events.js';

const HEARTBEAT_MS = 2_000;
const NODE_TTL_MS = 6_000;
const NODES_KEY = 'parley:nodes';
const nodeKey = (id: string) => `parley:node:${id}`;
const roomChannel = (roomId: string) => `parley:room:${roomId}`;

export class RedisCluster implements Cluster {
  readonly shared = true;
  readonly store: RedisRoomStore;
  private readonly events = new EventEmitter<{ nodeGone: [string]; reconnected: [] }>();
  private readonly knownNodes = new Set<string>();
  private peers = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private wasDown = false;

  private constructor(
    readonly nodeId: string,
    private readonly internalUrl: () => string,
    private readonly client: RedisClient,
    private readonly subscriber: RedisClient,
    private readonly logger: FastifyBaseLogger,
  ) {
    this.store = new RedisRoomStore(client);
  }

  static async connect(url: string, nodeId: string, internalUrl: () => string, logger: FastifyBaseLogger): Promise<RedisCluster> {
    const options = {
      url,
      disableOfflineQueue: true,
      socket: { reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000) },
    };
    const client: RedisClient = createClient(options);
    const subscriber: RedisClient = createClient(options);
    const cluster = new RedisCluster(nodeId, internalUrl, client, subscriber, logger);
    for (const [name, connection] of [['commands', client], ['subscriber', subscriber]] as const) {
      connection.on('error', (error: Error) => {
        if (!cluster.wasDown) logger.error({ err: error, connection: name }, 'Redis is unreachable; retrying');
        cluster.wasDown = true;
      });
    }
    client.on('ready', () => {
      if (!cluster.wasDown) return;
      cluster.wasDown = false;
      logger.info('Redis is back; resynchronising');
      void cluster.beat().then(() => cluster.events.emit('reconnected'));
    });
    await Promise.all([client.connect(), subscriber.connect()]);
    cluster.heartbeat = setInterval(() => void cluster.beat(), HEARTBEAT_MS);
    cluster.heartbeat.unref();
    return cluster;
  }

  setLoad(peers: number): void {
    this.peers = peers;
  }

  announce(): Promise<void> {
    return this.beat();
  }

  async openRoomChannel(roomId: string, onEvent: RoomEventHandler): Promise<RoomChannel> {
    const channel = roomChannel(roomId);
    const listener = (raw: string) => {
      const message = JSON.parse(raw) as ClusterMessage;
      if (message.from !== this.nodeId) onEvent(message.event, message.from);
    };
    await this.subscriber.subscribe(channel, listener);
    return {
      publish: (event) => {
        const message: ClusterMessage = { from: this.nodeId, event };
        this.client.publish(channel, JSON.stringify(message)).catch((error: unknown) => {
          this.logger.warn({ err: error, roomId, event: event.type }, 'could not tell the other nodes');
        });
      },
      close: async () => {
        await this.subscriber.unsubscribe(channel, listener).catch(() => {});
      },
    };
  }

  async node(nodeId: string): Promise<NodeInfo | undefined> {
    const raw = await this.client.get(nodeKey(nodeId));
    return raw ? (JSON.parse(raw) as NodeInfo) : undefined;
  }

  onNodeGone(listener: (nodeId: string) => void): void {
    this.events.on('nodeGone', listener);
  }

  onReconnected(listener: () => void): void {
    this.events.on('reconnected', listener);
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.client
      .multi()
      .del(nodeKey(this.nodeId))
      .sRem(NODES_KEY, this.nodeId)
      .exec()
      .catch(() => {});
    this.subscriber.destroy();
    this.client.destroy();
  }

  /** Renews this node's heartbeat and notices nodes whose heartbeat lapsed. */
  private async beat(): Promise<void> {
    const info: NodeInfo = { id: this.nodeId, internalUrl: this.internalUrl(), peers: this.peers, updatedAt: Date.now() };
    try {
      await this.client.multi().set(nodeKey(this.nodeId), JSON.stringify(info), { PX: NODE_TTL_MS }).sAdd(NODES_KEY, this.nodeId).exec();
      // Every node checks every node it has seen, so each one notices a death,
      // not only the first to prune the registry.
      const members = [...new Set([...(await this.client.sMembers(NODES_KEY)), ...this.knownNodes])];
      const alive = members.length ? await this.client.mGet(members.map(nodeKey)) : [];
      for (const [index, id] of members.entries()) {
        if (alive[index]) {
          this.knownNodes.add(id);
          continue;
        }
        await this.client.sRem(NODES_KEY, id);
        if (this.knownNodes.delete(id)) {
          this.logger.warn({ nodeId: id }, 'node stopped sending heartbeats');
          this.events.emit('nodeGone', id);
        }
      }
    } catch {
      // Redis is down; the 'error' handler has logged it and 'ready' resumes.
    }
  }
}
