/**
 * Composition root: config -> cluster (room store, other nodes), worker
 * pool, meetings, the cluster's room links, the HTTP app and the signalling
 * endpoint. This is the only place that knows every layer; tests start
 * Parley in-process through it.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { pino } from 'pino';
import pretty from 'pino-pretty';
import { Credentials } from './auth/credentials.js';
import { turnCredentials } from './auth/turn-credentials.js';
import { SingleNode, type Cluster } from './cluster/cluster.js';
import { RedisCluster } from './cluster/redis-cluster.js';
import { RoomLinks } from './cluster/room-links.js';
import type { Config } from './config.js';
import { buildApp } from './http/app.js';
import { registerWhipRoutes } from './http/whip-routes.js';
import { registerInternalRoutes } from './http/internal-routes.js';
import { MeetingControl } from './http/meeting-control.js';
import { registerRecordingRoutes } from './http/recording-routes.js';
import { Meetings } from './meeting/meetings.js';
import { SuspendedSessions } from './meeting/suspended-sessions.js';
import { WebhookReporter } from './meeting/webhook-reporter.js';
import { Metrics, type NodeLoad } from './metrics.js';
import type { IceConfig } from './rtc/ice-config.js';
import { TransportCensus } from './rtc/transport-census.js';
import { WorkerPool } from './rtc/worker-pool.js';
import { attachSignalling, type SignallingEndpoint } from './signalling/ws-endpoint.js';
import { Recordings } from './recording/recordings.js';
import { Telephony } from './telephony/telephony.js';
import { WhipSessions } from './whip/sessions.js';
import type { HandlerSession } from './signalling/handler.js';
import { MemoryRoomStore } from './store/memory-room-store.js';
import type { RoomStore } from './store/room-store.js';
import { Webhooks } from './webhooks/webhooks.js';

export interface Parley {
  app: FastifyInstance;
  metrics: Metrics;
  cluster: Cluster;
  credentials: Credentials;
  pool: WorkerPool;
  store: RoomStore;
  meetings: Meetings;
  signalling: SignallingEndpoint;
  /** The phone bridge, unless SIP is off or its port was taken. */
  telephony: Telephony | undefined;
  /** Recording and live streaming, unless off or ffmpeg is missing. */
  recordings: Recordings | undefined;
  /** Signed webhooks, when PARLEY_WEBHOOK_URLS is set: `send` reports an event (docs/webhooks.md). */
  webhooks: Webhooks | undefined;
  /** WHIP publishers and WHEP players on this node. */
  whip: WhipSessions;
  /** The address the server listens on, e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  logLevel?: string;
  /** Human-readable log lines (a terminal); otherwise one JSON object per line, for log collectors. */
  pretty?: boolean;
}

export async function startParley(config: Config, options: StartOptions = {}): Promise<Parley> {
  const level = options.logLevel ?? config.PARLEY_LOG_LEVEL;
  const logger = options.pretty
    ? pino({ level }, pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }))
    : pino({ level });
  const nodeId = config.PARLEY_NODE_ID ?? `${os.hostname()}-${randomBytes(3).toString('hex')}`;
  let url = '';
  const internalUrl = () => config.PARLEY_INTERNAL_URL ?? url.replace(/\/\/[^:/]+/, `//${config.PARLEY_RTC_ANNOUNCED_ADDRESS}`);
  const cluster: Cluster = config.PARLEY_REDIS_URL
    ? await RedisCluster.connect(config.PARLEY_REDIS_URL, nodeId, internalUrl, logger)
    : new SingleNode(nodeId, new MemoryRoomStore());
  const store = cluster.store;
  const secret = config.PARLEY_SECRET ?? randomBytes(32).toString('base64url');
  const credentials = new Credentials(secret, config.PARLEY_CREDENTIAL_TTL_HOURS * 3600);
  if (!config.PARLEY_SECRET) {
    logger.warn('PARLEY_SECRET is not set: using a random one, so meeting links stop working when the server restarts');
  }
  const census = new TransportCensus();
  const pool = await WorkerPool.create({ size: config.PARLEY_WORKERS, logger, onWorker: (worker) => census.watch(worker) });
  const ice: IceConfig = (peerId) => ({
    iceServers:
      config.PARLEY_TURN_URLS && config.PARLEY_TURN_SECRET
        ? [turnCredentials(config.PARLEY_TURN_URLS.split(','), config.PARLEY_TURN_SECRET, peerId, config.PARLEY_TURN_CREDENTIAL_TTL_SECONDS)]
        : [],
    iceTransportPolicy: config.PARLEY_FORCE_RELAY ? 'relay' : 'all',
  });
  const meetings = new Meetings({ store, credentials, ice, pool, config, nodeId, logger });
  let draining = false;
  let recordings: Recordings | undefined;
  const metrics = new Metrics(() => nodeLoad(meetings, recordings), () => workerUsage(pool), census);
  const control = new MeetingControl({ meetings, store, cluster, secret: config.PARLEY_SECRET, logger });
  const app = await buildApp({ config, meetings, pool: () => pool, draining: () => draining, metrics, control }, logger);
  const webhooks = config.PARLEY_WEBHOOK_URLS ? startWebhooks(config, nodeId, app.log, metrics) : undefined;
  const reporter = webhooks && new WebhookReporter({ webhooks, store, nodeId, logger: app.log });
  if (reporter) meetings.onOpen(async (meeting) => reporter.follow(meeting));
  if (cluster.shared) {
    const links = new RoomLinks({ cluster, config, secret: config.PARLEY_SECRET!, logger: app.log });
    meetings.onOpen((meeting) => links.open(meeting));
    registerInternalRoutes(app, links, control, config.PARLEY_SECRET!);
  }
  const suspended = new SuspendedSessions<HandlerSession>({
    perAddress: config.PARLEY_MAX_CONNECTIONS_PER_IP,
    total: config.PARLEY_MAX_HELD_SESSIONS,
  });
  const signalling = attachSignalling(
    app.server,
    { meetings, metrics, credentials, suspended, logger: app.log },
    {
      allowedOrigins: config.PARLEY_ALLOWED_ORIGINS?.split(',') ?? [],
      publicUrl: config.PARLEY_PUBLIC_URL,
      maxConnectionsPerIp: config.PARLEY_MAX_CONNECTIONS_PER_IP,
      maxMessagesPerSecond: config.PARLEY_MAX_MESSAGES_PER_SECOND,
      trustProxy: config.PARLEY_TRUST_PROXY,
      draining: () => draining,
    },
  );
  const telephony = await Telephony.start({ config, meetings, logger: app.log });
  if (telephony) meetings.usePhoneBridge(telephony);
  const recordingsDir = config.PARLEY_RECORDINGS_DIR ?? path.join(config.PARLEY_DATA_DIR, 'recordings');
  recordings = await startRecordings(config, { dir: recordingsDir, nodeId }, secret, () => config.PARLEY_PUBLIC_URL ?? url, webhooks, app.log);
  if (recordings) {
    meetings.useEgress(recordings);
    registerRecordingRoutes(app, { dir: recordingsDir, secret });
  }
  const whip = new WhipSessions({ meetings, credentials, pool: () => pool, logger: app.log });
  await registerWhipRoutes(app, { sessions: whip, trustProxy: config.PARLEY_TRUST_PROXY });
  url = await app.listen({ host: config.PARLEY_HOST, port: config.PARLEY_PORT });
  recordings?.recover();
  await cluster.announce();
  const load = setInterval(() => cluster.setLoad(signalling.connections()), 2_000);
  load.unref();

  return {
    app,
    metrics,
    cluster,
    credentials,
    pool,
    store,
    meetings,
    signalling,
    telephony,
    recordings,
    webhooks,
    whip,
    url,
    /** Graceful stop: no new joins, everyone told (their pages reconnect elsewhere), then everything closed. */
    async close() {
      draining = true;
      clearInterval(load);
      await recordings?.close();
      whip.closeAll();
      await meetings.closeAll('the server is shutting down');
      // What is not delivered in time stays spooled for the next start.
      await reporter?.settled();
      await webhooks?.flush(WEBHOOK_FLUSH_MS);
      webhooks?.close();
      await telephony?.close();
      await signalling.close();
      await app.close();
      pool.close();
      await cluster.close();
    },
  };
}

/** Recording and streaming, when on and ffmpeg is there to do them. */
async function startRecordings(
  config: Config,
  { dir, nodeId }: { dir: string; nodeId: string },
  secret: string,
  publicBase: () => string,
  webhooks: Webhooks | undefined,
  logger: FastifyBaseLogger,
): Promise<Recordings | undefined> {
  if (!config.PARLEY_RECORDING_ENABLED) return undefined;
  if (!(await Recordings.toolsPresent())) {
    logger.warn('ffmpeg is not on PATH: meetings cannot be recorded or streamed (install ffmpeg, or set PARLEY_RECORDING_ENABLED=false to silence this)');
    return undefined;
  }
  return new Recordings({
    dir,
    nodeId,
    secret,
    publicBase,
    retentionDays: config.PARLEY_RECORDING_RETENTION_DAYS,
    linkTtlHours: config.PARLEY_RECORDING_LINK_TTL_HOURS,
    minFreeBytes: config.PARLEY_RECORDING_MIN_FREE_MB * 1024 * 1024,
    maxRecordings: config.PARLEY_MAX_RECORDINGS,
    maxStreams: config.PARLEY_MAX_STREAMS,
    privateStreamTargets: config.PARLEY_STREAM_PRIVATE_TARGETS,
    logger: logger.child({ part: 'recording' }),
    report: (event) => webhooks?.send(event),
  });
}

/** How long a graceful stop waits for webhook receivers. */
const WEBHOOK_FLUSH_MS = 3_000;

function startWebhooks(config: Config, nodeId: string, logger: FastifyBaseLogger, metrics: Metrics): Webhooks {
  return new Webhooks({
    urls: [...new Set(config.PARLEY_WEBHOOK_URLS!.split(','))],
    secret: config.PARLEY_WEBHOOK_SECRET!,
    nodeId,
    spoolDir: path.join(config.PARLEY_DATA_DIR, 'webhooks'),
    logger,
    onLost: (reason) => metrics.webhookEventsLost.inc({ reason }),
  });
}

async function nodeLoad(meetings: Meetings, recordings: Recordings | undefined): Promise<NodeLoad> {
  const load: NodeLoad = { rooms: 0, peers: 0, lobbyPeers: 0, phones: 0, producers: 0, consumers: 0, recordings: 0, streams: 0, recordingsFinishing: 0, ...recordings?.counts() };
  for (const meeting of await meetings.list()) {
    const { producers, consumers } = meeting.media.counts();
    load.rooms++;
    load.peers += meeting.roster.joined().length;
    load.lobbyPeers += meeting.roster.waiting().length;
    load.phones += meeting.roster.all().filter((peer) => peer.phone && peer.state !== 'closed').length;
    load.producers += producers;
    load.consumers += consumers;
  }
  return load;
}

async function workerUsage(pool: WorkerPool) {
  return Promise.all(
    pool.liveWorkers().map(async (worker) => {
      const usage = await worker.getResourceUsage();
      return { pid: worker.pid, cpuSeconds: (usage.ru_utime + usage.ru_stime) / 1000, maxRssBytes: usage.ru_maxrss * 1024 };
    }),
  );
}
