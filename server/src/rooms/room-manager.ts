/**
 * The live rooms of this node. A room's router is created when its first
 * peer attaches and closed when its last peer leaves; the room must exist in
 * the room store first (created over HTTP). With other nodes around, each
 * live room is linked to them.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Credentials } from '../auth/credentials.js';
import type { Cluster } from '../cluster/cluster.js';
import { RoomLink } from '../cluster/room-link.js';
import type { Config } from '../config.js';
import { SignallingError } from '../protocol/errors.js';
import type { WorkerPool } from '../rtc/worker-pool.js';
import type { IceConfig } from '../signalling/session.js';
import type { Peer } from './peer.js';
import { Room } from './room.js';

interface LiveRoom {
  room: Room;
  link?: RoomLink;
}

export class RoomManager {
  private readonly rooms = new Map<string, Promise<LiveRoom>>();

  constructor(
    private readonly cluster: Cluster,
    private readonly credentials: Credentials,
    private readonly ice: IceConfig,
    private readonly pool: WorkerPool,
    private readonly config: Config,
    private readonly logger: FastifyBaseLogger,
  ) {
    cluster.onNodeGone((nodeId) => void this.eachLink((link) => link.nodeGone(nodeId)));
    cluster.onReconnected(() => void this.eachLink((link) => link.resync()));
  }

  async attach(roomId: string, peer: Peer): Promise<Room> {
    if (!(await this.cluster.store.getRoom(roomId))) {
      throw new SignallingError('room_not_found', 'this meeting link is not valid or the meeting has ended');
    }
    let live = await this.liveRoom(roomId);
    if (live.room.closed) live = await this.liveRoom(roomId);
    live.room.attach(peer);
    return live.room;
  }

  async liveRooms(): Promise<Room[]> {
    return (await Promise.all(this.rooms.values())).map(({ room }) => room);
  }

  /** The link of a room this node serves, for node-to-node requests. */
  async link(roomId: string): Promise<RoomLink | undefined> {
    return (await this.rooms.get(roomId)?.catch(() => undefined))?.link;
  }

  async closeAll(reason: string): Promise<void> {
    for (const room of await this.liveRooms()) room.close(reason);
  }

  private async eachLink(action: (link: RoomLink) => unknown): Promise<void> {
    for (const pending of this.rooms.values()) {
      const live = await pending.catch(() => undefined);
      if (live?.link) await Promise.resolve(action(live.link)).catch((error: unknown) => this.logger.warn({ err: error }, 'room link update failed'));
    }
  }

  private liveRoom(roomId: string): Promise<LiveRoom> {
    let pending = this.rooms.get(roomId);
    if (!pending) {
      pending = this.open(roomId);
      this.rooms.set(roomId, pending);
      pending.then(
        ({ room }) => room.once('closed', () => this.rooms.get(roomId) === pending && this.rooms.delete(roomId)),
        () => this.rooms.delete(roomId),
      );
    }
    return pending;
  }

  private async open(roomId: string): Promise<LiveRoom> {
    const room = await Room.create(roomId, this.pool, this.config, this.logger);
    if (!this.cluster.shared) return { room };
    const link = await RoomLink.open(room, {
      cluster: this.cluster,
      store: this.cluster.store,
      credentials: this.credentials,
      ice: this.ice,
      config: this.config,
      secret: this.config.PARLEY_SECRET!,
      nodeId: this.cluster.nodeId,
      logger: this.logger.child({ roomId }),
    });
    return { room, link };
  }
}
