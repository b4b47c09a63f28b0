/**
 * The routers of one room on this node. A room starts with one router on
 * the least-loaded worker; when it outgrows PARLEY_ROOM_PEERS_PER_ROUTER
 * peers, newcomers go to a new router on another worker, and each producer
 * is piped (pipeToRouter) into the routers that have consumers for it.
 */
import type { types } from 'mediasoup';
import type { WorkerPool } from '../rtc/worker-pool.js';
import { mediaCodecs } from '../rtc/media-codecs.js';

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
  /** Called when a router closes under the room (its worker died). */
  onRouterLost: () => void = () => {};
  private closing = false;

  private constructor(
    first: Member,
    private readonly pool: WorkerPool,
    private readonly capacity: number,
  ) {
    this.members = [first];
  }

  static async create(pool: WorkerPool, capacity: number): Promise<RouterGroup> {
    const worker = pool.leastLoaded();
    const router = await worker.createRouter({ mediaCodecs });
    const group = new RouterGroup({ router, worker, peers: 0 }, pool, capacity);
    group.watch(router);
    return group;
  }

  private watch(router: types.Router): void {
    router.observer.once('close', () => {
      if (!this.closing) this.onRouterLost();
    });
  }

  /** The first router: capabilities, speaker detection and node-to-node pipes live here. */
  get primary(): types.Router {
    return this.members[0]!.router;
  }

  /** A router for one more peer: one with room, else a new one on a worker the room does not use yet. */
  async assign(): Promise<types.Router> {
    let member = this.members.find((candidate) => candidate.peers < this.capacity);
    if (!member) {
      const used = new Set(this.members.map((candidate) => candidate.worker));
      const worker = this.pool.leastLoaded([...used]);
      member = worker
        ? { router: await worker.createRouter({ mediaCodecs }), worker, peers: 0 }
        : this.members.reduce((best, next) => (next.peers < best.peers ? next : best));
      if (!this.members.includes(member)) {
        this.members.push(member);
        this.watch(member.router);
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
