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
import { registerSecurityHeaders } from './security-headers.js';

const CLIENT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/client');

export interface AppDeps {
  config: Config;
  meetings: Pick<Meetings, 'create'>;
  pool: () => WorkerPool | undefined;
  /** True once the server is shutting down: it takes no new meetings. */
  draining: () => boolean;
  metrics: Metrics;
}

export function buildApp({ config, meetings, pool, draining, metrics }: AppDeps, logger: FastifyBaseLogger): FastifyInstance {
  const app = Fastify({ loggerInstance: logger, bodyLimit: 16 * 1024, trustProxy: config.PARLEY_TRUST_PROXY });
  const apiKeys = new ApiKeys(config.PARLEY_API_KEYS);
  registerSecurityHeaders(app);
  // Only routes that ask for it are limited (room creation).
  app.register(rateLimit, { global: false });

  app.register(fastifyStatic, { root: CLIENT_DIR, index: false, wildcard: false, prefix: '/' });

  app.post(
    '/api/rooms',
    {
      // Rooms cost memory until they expire: 20 a minute per address.
      config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
      // No body at all means the defaults.
      preValidation: async (request) => {
        request.body ??= {};
      },
      // With API keys configured, only their holders may create rooms.
      onRequest: async (request, reply) => {
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
          }),
          401: Type.Object({ error: Type.String() }),
          429: Type.Object({ error: Type.String(), message: Type.String() }, { additionalProperties: true }),
        },
      },
    },
    async (request, reply) => {
      const { lobby = true, password } = request.body as { lobby?: boolean; password?: string };
      const { id, hostCredential } = await meetings.create(password === undefined ? { lobby } : { lobby, password });
      const base = config.PARLEY_PUBLIC_URL ?? `${request.protocol}://${request.host}`;
      const url = new URL(`/r/${id}`, base).toString();
      reply.code(201);
      return { id, url, hostUrl: `${url}#host=${hostCredential}` };
    },
  );

  const sendClient = (_request: unknown, reply: { sendFile(file: string): unknown }) => reply.sendFile('index.html');
  app.get('/', sendClient);
  app.get('/r/:roomId', { schema: { params: Type.Object({ roomId: Type.String({ pattern: ROOM_ID_PATTERN }) }) } }, sendClient);

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  app.get('/healthz', async (_request, reply) => {
    const workers = pool()?.size ?? 0;
    const status = draining() ? 'draining' : workers > 0 ? 'ok' : 'starting';
    reply.code(status === 'ok' ? 200 : 503);
    return { status, workers };
  });

  return app;
}
