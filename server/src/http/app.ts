/**
 * The HTTP side: the room API, the health check and the browser client.
 * Every body and parameter is checked against a schema by Fastify.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { Type } from '@sinclair/typebox';
import { ApiKeys } from '../auth/api-keys.js';
import type { Config } from '../config.js';
import type { Meetings } from '../meeting/meetings.js';
import type { Metrics } from '../metrics.js';
import { ROOM_ID_PATTERN } from '../store/room-id.js';
import type { WorkerPool } from '../rtc/worker-pool.js';
import { clientAddress, originAllowed } from '../auth/request-info.js';
import { registerSecurityHeaders } from './security-headers.js';

const CLIENT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/client');

/**
 * How long a connection may take: to send anything at all, and to send
 * complete request headers (an upgrade request included). A socket that
 * dribbles an unfinished request is closed after HEADERS_TIMEOUT_MS (checked
 * every CONNECTIONS_CHECK_MS) instead of Node's 60 s checked every 30 s.
 */
export const HTTP_TIMEOUTS = {
  /** Inactivity on a connection before its request is complete (Fastify's connectionTimeout). */
  IDLE_MS: 10_000,
  HEADERS_TIMEOUT_MS: 10_000,
  /** A whole request, body included. */
  REQUEST_TIMEOUT_MS: 30_000,
  CONNECTIONS_CHECK_MS: 1_000,
} as const;

/** Room creation per client address (the rate limiter's window). */
export const ROOM_CREATION_LIMIT = { max: 20, timeWindow: '1 minute' } as const;

/** Room look-ups per client address: a page asks once per link opened. */
export const ROOM_LOOKUP_LIMIT = { max: 60, timeWindow: '1 minute' } as const;

export interface AppDeps {
  config: Config;
  meetings: Pick<Meetings, 'create' | 'describe'>;
  pool: () => WorkerPool | undefined;
  /** True once the server is shutting down: it takes no new meetings. */
  draining: () => boolean;
  metrics: Metrics;
}

/**
 * Async because plugins must be loaded before the routes that rely on them
 * are declared: @fastify/rate-limit attaches its limit to routes declared
 * after it has loaded, so an un-awaited registration left room creation
 * unlimited.
 */
export async function buildApp(
  { config, meetings, pool, draining, metrics }: AppDeps,
  logger: FastifyBaseLogger,
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: 16 * 1024,
    trustProxy: config.PARLEY_TRUST_PROXY,
    connectionTimeout: HTTP_TIMEOUTS.IDLE_MS,
    requestTimeout: HTTP_TIMEOUTS.REQUEST_TIMEOUT_MS,
    http: { headersTimeout: HTTP_TIMEOUTS.HEADERS_TIMEOUT_MS, connectionsCheckingInterval: HTTP_TIMEOUTS.CONNECTIONS_CHECK_MS },
  });
  const apiKeys = new ApiKeys(config.PARLEY_API_KEYS);
  const trustProxy = config.PARLEY_TRUST_PROXY;
  const originPolicy = {
    allowedOrigins: config.PARLEY_ALLOWED_ORIGINS?.split(',') ?? [],
    publicUrl: config.PARLEY_PUBLIC_URL,
    trustProxy,
  };
  await registerSecurityHeaders(app);
  // Only routes that ask for it are limited (room creation). The key is the
  // address the signalling limits use: behind the trusted proxy, the entry it
  // appended to X-Forwarded-For, not the first one, which the client chooses.
  await app.register(rateLimit, { global: false, keyGenerator: (request) => clientAddress(request.raw, trustProxy) });

  await app.register(fastifyStatic, { root: CLIENT_DIR, index: false, wildcard: false, prefix: '/' });

  app.post(
    '/api/rooms',
    {
      // Rooms cost memory until they expire: 20 a minute per address.
      config: { rateLimit: ROOM_CREATION_LIMIT },
      // No body at all means the defaults.
      preValidation: async (request) => {
        request.body ??= {};
      },
      onRequest: async (request, reply) => {
        // A foreign page must not create rooms through a visitor's browser:
        // browsers send Origin with every POST; curl and servers send none.
        if (!originAllowed(request.raw, originPolicy)) {
          return reply.code(403).send({
            error: `cross-origin room creation is not allowed from ${JSON.stringify(request.headers.origin)}; add the origin to PARLEY_ALLOWED_ORIGINS to allow it`,
          });
        }
        // With API keys configured, only their holders may create rooms.
        if (!apiKeys.allows(request.headers.authorization)) {
          await reply.code(401).send({ error: 'an API key is required: Authorization: Bearer KEY' });
        }
      },
      schema: {
        body: Type.Object(
          {
            lobby: Type.Optional(Type.Boolean({ description: 'Newcomers wait until a host admits them (default true).' })),
            password: Type.Optional(
              Type.String({ minLength: 4, maxLength: 128, description: 'A password everyone but hosts and admitted participants must give.' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            url: Type.String({ description: 'The participant link to share.' }),
            hostUrl: Type.String({ description: 'The link for the host; it carries the host credential. Keep it private.' }),
            dialIn: Type.Optional(
              Type.Object({
                pin: Type.String({ description: 'The 9-digit PIN phones key in or dial. For hosts: it lets anyone with a phone in (through the lobby, if on).' }),
                uri: Type.String({ description: 'The SIP URI that reaches the meeting directly, e.g. sip:123456789@pbx.example.com.' }),
              }),
            ),
          }),
          401: Type.Object({ error: Type.String() }),
          403: Type.Object({ error: Type.String() }),
          429: Type.Object({ error: Type.String(), message: Type.String() }, { additionalProperties: true }),
        },
      },
    },
    async (request, reply) => {
      const { lobby = true, password } = request.body as { lobby?: boolean; password?: string };
      const { id, hostCredential, dialIn } = await meetings.create(password === undefined ? { lobby } : { lobby, password });
      const base = config.PARLEY_PUBLIC_URL ?? `${request.protocol}://${request.host}`;
      const url = new URL(`/r/${id}`, base).toString();
      reply.code(201);
      return { id, url, hostUrl: `${url}#host=${hostCredential}`, ...(dialIn ? { dialIn } : {}) };
    },
  );

  // Asked by a meeting link's page before it turns on the camera. Room ids are
  // 128-bit random, so existence reveals nothing useful; it is limited anyway.
  app.get(
    '/api/rooms/:roomId',
    {
      config: { rateLimit: ROOM_LOOKUP_LIMIT },
      schema: {
        params: Type.Object({ roomId: Type.String({ pattern: ROOM_ID_PATTERN }) }),
        response: {
          200: Type.Object({ exists: Type.Literal(true), lobby: Type.Boolean(), passwordRequired: Type.Boolean(), recording: Type.Boolean() }),
          404: Type.Object({ exists: Type.Literal(false), error: Type.String() }),
          429: Type.Object({ error: Type.String(), message: Type.String() }, { additionalProperties: true }),
        },
      },
    },
    async (request, reply) => {
      const { roomId } = request.params as { roomId: string };
      reply.header('cache-control', 'no-store');
      const room = await meetings.describe(roomId);
      if (!room) return reply.code(404).send({ exists: false, error: 'this meeting has ended, or the link is not valid' });
      return { exists: true, ...room };
    },
  );

  const sendClient = (_request: unknown, reply: { sendFile(file: string): unknown }) => reply.sendFile('index.html');
  app.get('/', sendClient);
  app.get('/r/:roomId', { schema: { params: Type.Object({ roomId: Type.String({ pattern: ROOM_ID_PATTERN }) }) } }, sendClient);

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  // Polled every few seconds by load balancers and start.sh: only its problems are logged.
  app.get('/healthz', { logLevel: 'warn' }, async (_request, reply) => {
    const workers = pool()?.size ?? 0;
    const status = draining() ? 'draining' : workers > 0 ? 'ok' : 'starting';
    reply.code(status === 'ok' ? 200 : 503);
    return { status, workers };
  });

  return app;
}
