/**
 * The HTTP side: the room API, the health check and the browser client.
 * Every body and parameter is checked against a schema by Fastify.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { Type } from '@sinclair/typebox';
import type { Config } from '../config.js';
import { newRoomId, ROOM_ID_PATTERN } from '../rooms/room-id.js';
import type { RoomStore } from '../rooms/room-store.js';
import type { WorkerPool } from '../rtc/worker-pool.js';

const CLIENT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/client');

export interface AppDeps {
  config: Config;
  store: RoomStore;
  pool: () => WorkerPool | undefined;
}

export function buildApp({ config, store, pool }: AppDeps, logger: boolean | object): FastifyInstance {
  const app = Fastify({ logger: logger as boolean, bodyLimit: 16 * 1024, trustProxy: false });

  app.register(fastifyStatic, { root: CLIENT_DIR, index: false, wildcard: false, prefix: '/' });

  app.post(
    '/api/rooms',
    {
      schema: {
        response: { 201: Type.Object({ id: Type.String(), url: Type.String() }) },
      },
    },
    async (request, reply) => {
      const id = newRoomId();
      await store.createRoom({ id, createdAt: Date.now() });
      const base = config.PARLEY_PUBLIC_URL ?? `${request.protocol}://${request.host}`;
      reply.code(201);
      return { id, url: new URL(`/r/${id}`, base).toString() };
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
