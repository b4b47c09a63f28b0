/**
 * Composition root: config -> cluster (room store, other nodes), worker
 * pool, HTTP app and signalling endpoint. Tests start Parley in-process
 * through this.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Credentials } from './auth/credentials.js';
import { SingleNode, type Cluster } from './cluster/cluster.js';
import { RedisCluster } from './cluster/redis-cluster.js';
import type { Config } from './config.js';
import { buildApp } from './http/app.js';
import { registerInternalRoutes } from './http/internal-routes.js';
import { MemoryRoomStore } from './rooms/memory-room-store.js';
import { RoomManager } from './rooms/room-manager.js';
import type { RoomStore } from './rooms/room-store.js';
import { Metrics } from './metrics.js';
import { WorkerPool } from './rtc/worker-pool.js';
import type { IceConfig } from './signalling/session.js';
import { SuspendedSessions } from './signalling/suspended-sessions.js';
import { attachSignalling, type SignallingEndpoint } from './signalling/ws-endpoint.js';
import { turnCredentials } from './auth/turn-credentials.js';

export interface Parley {
  app: FastifyInstance;
  metrics: Metrics;
  cluster: Cluster;
  credentials: Credentials;
  pool: WorkerPool;
  store: RoomStore;
  rooms: RoomManager;
  signalling: SignallingEndpoint;
  /** The address the server listens on, e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

export async function startParley(config: Config, options: { logLevel?: string } = {}): Promise<Parley> {
  const logger = pino({ level: options.logLevel ?? config.PARLEY_LOG_LEVEL });
  const nodeId = config.PARLEY_NODE_ID ?? `${os.hostname()}-${randomBytes(3).toString('hex')}`;
  let url = '';
  const internalUrl = () => config.PARLEY_INTERNAL_URL ?? url.replace(/\/\/[^:/]+/, `//${config.PARLEY_RTC_ANNOUNCED_ADDRESS}`);
  const cluster: Cluster = config.PARLEY_REDIS_URL
    ? await RedisCluster.connect(config.PARLEY_REDIS_URL, nodeId, internalUrl, logger)
    : new SingleNode(nodeId, new MemoryRoomStore());
  const store = cluster.store;
  const credentials = new Credentials(
    config.PARLEY_SECRET ?? randomBytes(32).toString('base64url'),
    config.PARLEY_CREDENTIAL_TTL_HOURS * 3600,
  );
  let pool: WorkerPool | undefined;
  let rooms: RoomManager | undefined;
  let draining = false;
  const metrics = new Metrics(() => rooms, () => pool);
  const app = await buildApp({ config, store, credentials, pool: () => pool, draining: () => draining, metrics }, logger);
  if (!config.PARLEY_SECRET) {
    app.log.warn('PARLEY_SECRET is not set: using a random one, so meeting links stop working when the server restarts');
  }
  pool = await WorkerPool.create({ size: config.PARLEY_WORKERS, logger: app.log });
  const ice: IceConfig = (peerId) => ({
    iceServers:
      config.PARLEY_TURN_URLS && config.PARLEY_TURN_SECRET
        ? [turnCredentials(config.PARLEY_TURN_URLS.split(','), config.PARLEY_TURN_SECRET, peerId, config.PARLEY_TURN_CREDENTIAL_TTL_SECONDS)]
        : [],
    iceTransportPolicy: config.PARLEY_FORCE_RELAY ? 'relay' : 'all',
  });
  rooms = new RoomManager(cluster, credentials, ice, pool, config, app.log);
  if (cluster.shared) registerInternalRoutes(app, rooms, config.PARLEY_SECRET!);
  const signalling = attachSignalling(
    app.server,
    { nodeId, metrics, ice, rooms, store, credentials, suspended: new SuspendedSessions(), logger: app.log },
    {
      allowedOrigins: config.PARLEY_ALLOWED_ORIGINS?.split(',') ?? [],
      publicUrl: config.PARLEY_PUBLIC_URL,
      maxConnectionsPerIp: config.PARLEY_MAX_CONNECTIONS_PER_IP,
      maxMessagesPerSecond: config.PARLEY_MAX_MESSAGES_PER_SECOND,
      trustProxy: config.PARLEY_TRUST_PROXY,
      draining: () => draining,
    },
  );
  url = await app.listen({ host: config.PARLEY_HOST, port: config.PARLEY_PORT });
  await cluster.announce();
  const load = setInterval(() => cluster.setLoad(signalling.connections()), 2_000);
  load.unref();
  const workerPool = pool;

  const roomManager = rooms;
  return {
    app,
    metrics,
    cluster,
    credentials,
    pool: workerPool,
    store,
    rooms: roomManager,
    signalling,
    url,
    /** Graceful stop: no new joins, everyone told (their pages reconnect elsewhere), then everything closed. */
    async close() {
      draining = true;
      clearInterval(load);
      await roomManager.closeAll('the server is shutting down');
      await signalling.close();
      await app.close();
      workerPool.close();
      await cluster.close();
    },
  };
}
