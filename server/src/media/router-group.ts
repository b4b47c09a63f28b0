/**
 * The routers of one room on this node. A room starts with one router on
 * the least-loaded worker; when it outgrows PARLEY_ROOM_PEERS_PER_ROUTER
 * peers, newcomers go to a new router on another worker, and each producer
 * is piped (pipeToRouter) into the routers that have consumers for it.
 * A router whose worker died leaves the group; if it was the last, the
 * group gets a new one on a live worker (see restore).
 */
import type { types } from 'mediasoup';
import type { WorkerPool } from '../rtc/worker-pool.js';
import { mediaCodecs } from '../rtc/media-codecs.js';

/** How long a room waits for a live worker after losing its last router. */
const RESTORE_TIMEOUT_MS = 10_000;

interface Member {
  router: types.Router;
  worker: types.Worker;
  peers: number;
}

export class RouterGroup {
  private readonly members: Member[];
  /** The router each producer was created in. */
  private readonly home = new Map<string, types.Router>();
  private readonly piping = new Map<string, Promise<void>>();
  /** Producers piped to routers outside the group, by producer and router: the piped producer's id. */
  private readonly outside = new Map<string, Promise<string>>();
  /** Called when a router closes under the room (its worker died); it has left the group. */
  onRouterLost: (router: types.Router, wasPrimary: boolean) => void = () => {};
  private closing = false;
  /** The last first router, whose capabilities stay valid while a lost one is being replaced. */
  private lastPrimary: types.Router;
  private restoring: Promise<types.Router> | undefined;

  private constructor(
    first: Member,
    private readonly pool: WorkerPool,
    private readonly capacity: number,
  ) {
    this.members = [first];
    this.lastPrimary = first.router;
  }

  static async create(pool: WorkerPool, capacity: number): Promise<RouterGroup> {
    const worker = pool.leastLoaded();
    const router = await worker.createRouter({ mediaCodecs });
    const group = new RouterGroup({ router, worker, peers: 0 }, pool, capacity);
    group.watch(group.members[0]!);
    return group;
  }

  private watch(member: Member): void {
    member.router.observer.once('close', () => {
      if (this.closing) return;
      const wasPrimary = this.members[0] === member;
      this.members.splice(this.members.indexOf(member), 1);
      if (this.members[0]) this.lastPrimary = this.members[0].router;
      this.onRouterLost(member.router, wasPrimary);
    });
  }

  /**
   * The first router: capabilities, speaker detection and node-to-node pipes
   * live here. While a lost one is being replaced this is the closed one,
   * whose capabilities are every router's.
   */
  get primary(): types.Router {
    return this.members[0]?.router ?? this.lastPrimary;
  }

  /** After a loss: the first router, on a live worker (the pool's replacement if the room had no other). */
  restore(): Promise<types.Router> {
    if (this.members[0]) return Promise.resolve(this.members[0].router);
    this.restoring ??= this.pool
      .liveWorker(RESTORE_TIMEOUT_MS)
      .then(async (worker) => {
        const member = { router: await worker.createRouter({ mediaCodecs }), worker, peers: 0 };
        if (this.closing) {
          member.router.close();
          throw new Error('the room closed while its router was replaced');
        }
        this.members.unshift(member);
        this.lastPrimary = member.router;
        this.watch(member);
        return member.router;
      })
      .finally(() => (this.restoring = undefined));
    return this.restoring;
  }

  /** A router for one more peer: one with room, else a new one on a worker the room does not use yet. */
  async assign(): Promise<types.Router> {
    if (!this.members[0]) await this.restore();
    let member = this.members.find((candidate) => candidate.peers < this.capacity);
    if (!member) {
      const used = new Set(this.members.map((candidate) => candidate.worker));
      const worker = this.pool.leastLoaded([...used]);
      member = worker
        ? { router: await worker.createRouter({ mediaCodecs }), worker, peers: 0 }
        : this.members.reduce((best, next) => (next.peers < best.peers ? next : best));
      if (!this.members.includes(member)) {
        this.members.push(member);
        this.watch(member);
      }
    }
    member.peers++;
    this.pool.adjustLoad(member.worker, +1);
    return member.router;
  }

  release(router: types.Router): void {
    const member = this.members.find((candidate) => candidate.router === router);
    if (!member) return;
    member.peers--;
    this.pool.adjustLoad(member.worker, -1);
  }

  addProducer(producer: types.Producer, router: types.Router): void {
    this.home.set(producer.id, router);
    producer.observer.once('close', () => this.home.delete(producer.id));
  }

  /**
   * Makes a producer consumable in `router`, a router outside the group
   * (perhaps on the same worker, so the piped producer takes a new id), once
   * per pair; resolves with the id to consume there.
   */
  pipeOut(producerId: string, router: types.Router): Promise<string> {
    const home = this.home.get(producerId);
    if (!home) return Promise.reject(new Error(`producer ${producerId} is not in this room`));
    const key = `${producerId}:${router.id}`;
    let pending = this.outside.get(key);
    if (!pending) {
      pending = home.pipeToRouter({ producerId, router, keepId: false }).then(({ pipeProducer }) => {
        pipeProducer!.observer.once('close', () => this.outside.delete(key));
        return pipeProducer!.id;
      });
      this.outside.set(key, pending);
      pending.catch(() => this.outside.delete(key));
    }
    return pending;
  }

  /** Makes a producer consumable in `router`, piping it over from its home router once. */
  async ensureIn(producerId: string, router: types.Router): Promise<void> {
    const home = this.home.get(producerId);
    if (!home || home === router) return;
    const key = `${producerId}:${router.id}`;
    let pending = this.piping.get(key);
    if (!pending) {
      pending = home.pipeToRouter({ producerId, router }).then(() => undefined);
      this.piping.set(key, pending);
      pending.catch(() => this.piping.delete(key));
      home.observer.once('close', () => this.piping.delete(key));
    }
    await pending;
  }

  close(): void {
    this.closing = true;
    for (const { router } of this.members) router.close();
  }
}
