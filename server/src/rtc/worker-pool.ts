/**
 * One mediasoup worker per core. A worker that dies is logged and replaced;
 * new rooms go to the worker carrying the fewest peers.
 */
import { EventEmitter, once } from 'node:events';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { FastifyBaseLogger } from 'fastify';

interface PooledWorker {
  worker: types.Worker;
  peers: number;
}

export interface WorkerPoolOptions {
  size: number;
  logger: FastifyBaseLogger;
  /** Told of every worker as it starts, replacements too, before any router is made on it. */
  onWorker?: (worker: types.Worker) => void;
}

export class WorkerPool extends EventEmitter<{ workerReplaced: [pid: number] }> {
  private readonly workers: PooledWorker[] = [];
  private closed = false;

  private constructor(private readonly options: WorkerPoolOptions) {
    super();
  }

  static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    await Promise.all(Array.from({ length: options.size }, () => pool.spawn()));
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  pids(): number[] {
    return this.workers.map(({ worker }) => worker.pid);
  }

  liveWorkers(): types.Worker[] {
    return this.workers.map(({ worker }) => worker);
  }

  /** The live worker with the fewest peers; ties go to the earliest spawned. */
  leastLoaded(): types.Worker;
  /** The same among workers other than `exclude`; undefined if there is none. */
  leastLoaded(exclude: types.Worker[]): types.Worker | undefined;
  leastLoaded(exclude?: types.Worker[]): types.Worker | undefined {
    const candidates = this.workers.filter(({ worker }) => !worker.closed && !exclude?.includes(worker));
    if (candidates.length === 0) {
      if (exclude) return undefined;
      throw new Error('no live mediasoup worker');
    }
    return candidates.reduce((best, next) => (next.peers < best.peers ? next : best)).worker;
  }

  /**
   * A live worker for a room whose worker died: the least loaded, or, when
   * none is left (a pool of one), the replacement once it has started.
   */
  async liveWorker(timeoutMs: number): Promise<types.Worker> {
    const live = this.leastLoaded([]);
    if (live) return live;
    try {
      await once(this, 'workerReplaced', { signal: AbortSignal.timeout(timeoutMs) });
    } catch {
      throw new Error(`no replacement mediasoup worker within ${timeoutMs} ms`);
    }
    return this.leastLoaded();
  }

  /** Rooms report peers joining (+1) and leaving (-1) so placement follows load. */
  adjustLoad(worker: types.Worker, delta: number): void {
    const entry = this.workers.find((candidate) => candidate.worker === worker);
    if (entry) entry.peers = Math.max(0, entry.peers + delta);
  }

  close(): void {
    this.closed = true;
    for (const { worker } of this.workers) worker.close();
    this.workers.length = 0;
  }

  private async spawn(): Promise<void> {
    const worker = await mediasoup.createWorker({ logLevel: 'warn' });
    this.options.onWorker?.(worker);
    const entry: PooledWorker = { worker, peers: 0 };
    this.workers.push(entry);
    worker.on('died', (error) => {
      this.workers.splice(this.workers.indexOf(entry), 1);
      if (this.closed) return;
      this.options.logger.error({ pid: worker.pid, err: error }, 'mediasoup worker died; starting a replacement');
      this.spawn().then(
        () => this.emit('workerReplaced', worker.pid),
        (spawnError: unknown) => this.options.logger.fatal({ err: spawnError }, 'could not replace mediasoup worker'),
      );
    });
  }
}
