/**
 * Composition root: config -> worker pool, room store, HTTP app and
 * signalling endpoint. Tests start Parley in-process through this.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Credentials } from './auth/credentials.js';
import type { Config } from './config.js';
import { buildApp } from './http/app.js';
import { MemoryRoomStore } from './rooms/memory-room-store.js';
import { RoomManager } from './rooms/room-manager.js';
import type { RoomStore } from './rooms/room-store.js';
import { WorkerPool } from './rtc/worker-pool.js';
import { attachSignalling, type SignallingEndpoint } from './signalling/ws-endpoint.js';

export interface Parley {
  app: FastifyInstance;
  credentials: Credentials;
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
  const credentials = new Credentials(
    config.PARLEY_SECRET ?? randomBytes(32).toString('base64url'),
    config.PARLEY_CREDENTIAL_TTL_HOURS * 3600,
  );
  let pool: WorkerPool | undefined;
  const app = buildApp({ config, store, credentials, pool: () => pool }, options.logger ?? { level: config.PARLEY_LOG_LEVEL });
  if (!config.PARLEY_SECRET) {
    app.log.warn('PARLEY_SECRET is not set: using a random one, so meeting links stop working when the server restarts');
  }
  pool = await WorkerPool.create({ size: config.PARLEY_WORKERS, logger: app.log });
  const rooms = new RoomManager(store, pool, config, app.log);
  const signalling = attachSignalling(app.server, { rooms, store, credentials, logger: app.log });
  const url = await app.listen({ host: config.PARLEY_HOST, port: config.PARLEY_PORT });
  const workerPool = pool;

  return {
    app,
    credentials,
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
