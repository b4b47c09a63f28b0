/**
 * Composition root: config -> worker pool, room store, HTTP app and
 * signalling endpoint. Tests start Parley in-process through this.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { buildApp } from './http/app.js';
import { MemoryRoomStore } from './rooms/memory-room-store.js';
import { RoomManager } from './rooms/room-manager.js';
import type { RoomStore } from './rooms/room-store.js';
import { WorkerPool } from './rtc/worker-pool.js';
import { attachSignalling, type SignallingEndpoint } from './signalling/ws-endpoint.js';

export interface Parley {
  app: FastifyInstance;
  pool: WorkerPool;
  store: RoomStore;
  rooms: RoomManager;
  signalling: SignallingEndpoint;
  /** The address the server listens on, e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

export async function startParley(config: Config, options: { logger?: boolean | object } = {}): Promise<Parley> {
  const store: RoomStore = new MemoryRoomStore();
  let pool: WorkerPool | undefined;
  const app = buildApp({ config, store, pool: () => pool }, options.logger ?? { level: config.PARLEY_LOG_LEVEL });
  pool = await WorkerPool.create({ size: config.PARLEY_WORKERS, logger: app.log });
  const rooms = new RoomManager(store, pool, config, app.log);
  const signalling = attachSignalling(app.server, { rooms, store, logger: app.log });
  const url = await app.listen({ host: config.PARLEY_HOST, port: config.PARLEY_PORT });
  const workerPool = pool;

  return {
    app,
    pool: workerPool,
    store,
    rooms,
    signalling,
    url,
    async close() {
      await rooms.closeAll('the server is shutting down');
      await signalling.close();
      await app.close();
      workerPool.close();
      await store.close();
    },
  };
}
