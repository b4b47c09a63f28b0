/**
 * The HTTP side: the room API, the health check and the browser client.
 * Every body and parameter is checked against a schema by Fastify.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { Type } from '@sinclair/typebox';
import type { Credentials } from '../auth/credentials.js';
import type { Config } from '../config.js';
import { newRoomId, ROOM_ID_PATTERN } from '../rooms/room-id.js';
import type { RoomStore } from '../rooms/room-store.js';
import type { WorkerPool } from '../rtc/worker-pool.js';

const CLIENT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/client');

export interface AppDeps {
  config: Config;
  store: RoomStore;
  credentials: Credentials;
  pool: () => WorkerPool | undefined;
}

export function buildApp({ config, store, credentials, pool }: AppDeps, logger: FastifyBaseLogger): FastifyInstance {
  const app = Fastify({ loggerInstance: logger, bodyLimit: 16 * 1024, trustProxy: false });

  app.register(fastifyStatic, { root: CLIENT_DIR, index: false, wildcard: false, prefix: '/' });

  app.post(
    '/api/rooms',
    {
      // No body at all means the defaults.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        body: Type.Object(
          { lobby: Type.Optional(Type.Boolean({ description: 'Newcomers wait until a host admits them (default true).' })) },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            url: Type.String({ description: 'The participant link to share.' }),
            hostUrl: Type.String({ description: 'The link for the host; it carries the host credential. Keep it private.' }),
          }),
        },
      },
    },
    async (request, reply) => {
      const { lobby = true } = request.body as { lobby?: boolean };
      const id = newRoomId();
      await store.createRoom({ id, createdAt: Date.now(), lobby, locked: false });
      const hostCredential = await credentials.issue(id, 'host');
      const base = config.PARLEY_PUBLIC_URL ?? `${request.protocol}://${request.host}`;
      const url = new URL(`/r/${id}`, base).toString();
      reply.code(201);
      return { id, url, hostUrl: `${url}#host=${hostCredential}` };
    },
  );

  const sendClient = (_request: unknown, reply: { sendFile(file: string): unknown }) => reply.sendFile('index.html');
  app.get('/', sendClient);
  app.get('/r/:roomId', { schema: { params: Type.Object({ roomId: Type.String({ pattern: ROOM_ID_PATTERN }) }) } }, sendClient);

  app.get('/healthz', async (_request, reply) => {
    const workers = pool()?.size ?? 0;
    reply.code(workers > 0 ? 200 : 503);
    return { status: workers > 0 ? 'ok' : 'starting', workers };
  });

  return app;
}
