/**
 * Node-to-node HTTP, for deployments with several nodes: only requests
 * signed with the shared secret are served.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { SIGNATURE_HEADER, verify } from '../cluster/internal-auth.js';
import type { PipeRequest } from '../cluster/room-link.js';
import type { RoomLinks } from '../cluster/room-links.js';

const PipeRequestSchema = Type.Object(
  {
    roomId: Type.String({ maxLength: 64 }),
    fromNode: Type.String({ maxLength: 64 }),
    offer: Type.Object({ ip: Type.String({ maxLength: 253 }), port: Type.Integer({ minimum: 1, maximum: 65535 }) }),
    producerId: Type.String({ maxLength: 64 }),
  },
  { additionalProperties: false },
);

export function registerInternalRoutes(app: FastifyInstance, links: RoomLinks, secret: string): void {
  app.post('/internal/pipe', { schema: { body: PipeRequestSchema } }, async (request, reply) => {
    const body = request.body as PipeRequest;
    if (!verify(secret, JSON.stringify(body), request.headers[SIGNATURE_HEADER] as string | undefined)) {
      return reply.code(401).send({ error: 'bad or missing signature' });
    }
    const answer = await links.get(body.roomId)?.servePipe(body);
    if (!answer) return reply.code(404).send({ error: 'no such room or producer on this node' });
    return answer;
  });
}
