/**
 * The live rooms of this node. A room's router is created when its first
 * peer attaches and closed when its last peer leaves; the room must exist in
 * the room store first (created over HTTP).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { SignallingError } from '../protocol/errors.js';
import type { WorkerPool } from '../rtc/worker-pool.js';
import type { Peer } from './peer.js';
import { Room } from './room.js';
import type { RoomStore } from './room-store.js';

export class RoomManager {
  private readonly rooms = new Map<string, Promise<Room>>();

  constructor(
    private readonly store: RoomStore,
    private readonly pool: WorkerPool,
    private readonly config: Config,
    private readonly logger: FastifyBaseLogger,
  ) {}

  async attach(roomId: string, peer: Peer): Promise<Room> {
    if (!(await this.store.getRoom(roomId))) {
      throw new SignallingError('room_not_found', 'this meeting link is not valid or the meeting has ended');
    }
    let room = await this.liveRoom(roomId);
    if (room.closed) room = await this.liveRoom(roomId);
    room.attach(peer);
    return room;
  }

  async liveRooms(): Promise<Room[]> {
    return Promise.all(this.rooms.values());
  }

  async closeAll(reason: string): Promise<void> {
    for (const room of await this.liveRooms()) room.close(reason);
  }

  private liveRoom(roomId: string): Promise<Room> {
    let pending = this.rooms.get(roomId);
    if (!pending) {
      pending = Room.create(roomId, this.pool, this.config, this.logger);
      this.rooms.set(roomId, pending);
      pending.then(
        (room) => room.once('closed', () => this.rooms.get(roomId) === pending && this.rooms.delete(roomId)),
        () => this.rooms.delete(roomId),
      );
    }
    return pending;
  }
}
