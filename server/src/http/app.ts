/**
 * The HTTP side: the room API, the management API, the health check and
 * the browser client. Every body and parameter is checked against a schema
 * by Fastify, and the same schemas make the OpenAPI document served at
 * /docs/openapi.json.
 */
import { readFileSync } from 'node:fs';
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
import { API_KEY_SCHEME, registerAdminRoutes } from './admin-routes.js';
import type { MeetingControl } from './meeting-control.js';
import { registerOpenApi } from './openapi.js';
import { registerSecurityHeaders } from './security-headers.js';

/** The project root, from server/src/http (tsx) or dist/server/http (built) alike. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLIENT_DIR = path.join(ROOT, 'dist/client');
const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

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

/** What the rate limiter answers past a limit. */
const TOO_MANY = Type.Object(
  { error: Type.String({ description: 'Too Many Requests.' }), message: Type.String({ description: 'When to try again.' }) },
  { additionalProperties: true, description: 'Too many requests from this address; Retry-After says when to try again.' },
);

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
  /** The management API's reach into meetings, here or on other nodes. */
  control: MeetingControl;
}

/**
 * Async because plugins must be loaded before the routes that rely on them
 * are declared: @fastify/rate-limit attaches its limit to routes declared
 * after it has loaded, so an un-awaited registration left room creation
 * unlimited.
 */
export async function buildApp(
  { config, meetings, pool, draining, metrics, control }: AppDeps,
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
  // Before the routes it describes: it collects them as they are declared.
  await registerOpenApi(app, version);

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
        operationId: 'createRoom',
        tags: ['rooms'],
        summary: 'Creates a meeting and answers with its links. Needs an API key when PARLEY_API_KEYS is set; open otherwise. The body may be left out.',
        // An empty requirement: a server without PARLEY_API_KEYS takes requests without a key.
        security: [{ [API_KEY_SCHEME]: [] }, {}],
        body: Type.Object(
          {
            lobby: Type.Optional(Type.Boolean({ description: 'Newcomers wait until a host admits them (default true).' })),
            webinar: Type.Optional(
              Type.Boolean({ description: 'A webinar: whoever joins without the host link enters as an attendee, who watches and asks questions (default false).' }),
            ),
            password: Type.Optional(
              Type.String({ minLength: 4, maxLength: 128, description: 'A password everyone but hosts and admitted participants must give.' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object(
            {
              id: Type.String({ description: 'The meeting.' }),
              url: Type.String({ description: 'The participant link to share.' }),
              hostUrl: Type.String({ description: 'The link for the host; it carries the host credential. Keep it private.' }),
              dialIn: Type.Optional(
                Type.Object(
                  {
                    pin: Type.String({ description: 'The 9-digit PIN phones key in or dial. For hosts: it lets anyone with a phone in (through the lobby, if on).' }),
                    uri: Type.String({ description: 'The SIP URI that reaches the meeting directly, e.g. sip:123456789@pbx.example.com.' }),
                  },
                  { description: 'How phones reach the meeting, when this server takes phone calls.' },
                ),
              ),
            },
            { description: 'The meeting was created.' },
          ),
          401: Type.Object({ error: Type.String({ description: 'What went wrong.' }) }, { description: 'API keys are configured and the request carries none of them.' }),
          403: Type.Object({ error: Type.String({ description: 'What went wrong.' }) }, { description: 'A browser page of another origin asked.' }),
          429: TOO_MANY,
        },
      },
    },
    async (request, reply) => {
      const { lobby = true, password, webinar = false } = request.body as { lobby?: boolean; password?: string; webinar?: boolean };
      const { id, hostCredential, dialIn } = await meetings.create(password === undefined ? { lobby, webinar } : { lobby, password, webinar });
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
        operationId: 'lookUpRoom',
        tags: ['rooms'],
        summary: 'What a meeting link’s page may know before it turns on the camera; needs no key.',
        security: [],
        params: Type.Object({ roomId: Type.String({ pattern: ROOM_ID_PATTERN, description: 'The meeting, as in its link /r/ROOM_ID.' }) }),
        response: {
          200: Type.Object(
            {
              exists: Type.Literal(true, { description: 'Always true here.' }),
              lobby: Type.Boolean({ description: 'Newcomers wait in the lobby.' }),
              passwordRequired: Type.Boolean({ description: 'Newcomers must give the meeting password.' }),
              recording: Type.Boolean({ description: 'The meeting is being recorded.' }),
              webinar: Type.Boolean({ description: 'Newcomers enter as attendees, who watch and send nothing.' }),
            },
            { description: 'The meeting exists.' },
          ),
          404: Type.Object(
            { exists: Type.Literal(false, { description: 'Always false here.' }), error: Type.String({ description: 'What went wrong.' }) },
            { description: 'No such meeting: it has ended or expired, or never existed.' },
          ),
          429: TOO_MANY,
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

  await registerAdminRoutes(app, { control, apiKeys, trustProxy });

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
