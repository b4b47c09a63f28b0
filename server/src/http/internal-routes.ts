/**
 * Node-to-node HTTP, for deployments with several nodes: only requests
 * signed with the shared secret are served, each signature once.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { SIGNATURE_HEADER, SignatureVerifier } from '../cluster/internal-auth.js';
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

const REFUSALS = {
  invalid: 'bad or missing signature',
  expired: 'signature expired',
  replayed: 'signature already used',
  busy: 'too many signed requests; try again shortly',
} as const;

export function registerInternalRoutes(app: FastifyInstance, links: RoomLinks, secret: string): void {
  const signatures = new SignatureVerifier(secret);
  app.post('/internal/pipe', { schema: { body: PipeRequestSchema } }, async (request, reply) => {
    const body = request.body as PipeRequest;
    const verdict = signatures.verify(JSON.stringify(body), request.headers[SIGNATURE_HEADER] as string | undefined);
    if (verdict !== 'ok') {
      return reply.code(verdict === 'busy' ? 503 : 401).send({ error: REFUSALS[verdict] });
    }
    const answer = await links.get(body.roomId)?.servePipe(body);
    if (!answer) return reply.code(404).send({ error: 'no such room or producer on this node' });
    return answer;
  });
}
