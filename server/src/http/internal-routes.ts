/**
 * Node-to-node HTTP, for deployments with several nodes: only requests
 * signed with the shared secret are served, each signature once. Media
 * pipes (/internal/pipe) and the management API's actions on a meeting this
 * node serves (/internal/admin).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SIGNATURE_HEADER, SignatureVerifier } from '../cluster/internal-auth.js';
import type { PipeRequest } from '../cluster/room-link.js';
import type { RoomLinks } from '../cluster/room-links.js';
import { ForwardedActionSchema, type ForwardedAction, type MeetingControl } from './meeting-control.js';

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

export function registerInternalRoutes(app: FastifyInstance, links: RoomLinks, control: MeetingControl, secret: string): void {
  const signatures = new SignatureVerifier(secret);
  // Runs before the handler: a request without a valid, fresh signature goes no further.
  const signed = async (request: FastifyRequest, reply: FastifyReply) => {
    const verdict = signatures.verify(JSON.stringify(request.body), request.headers[SIGNATURE_HEADER] as string | undefined);
    if (verdict !== 'ok') return reply.code(verdict === 'busy' ? 503 : 401).send({ error: REFUSALS[verdict] });
  };
  app.post('/internal/pipe', { schema: { body: PipeRequestSchema }, preHandler: signed }, async (request, reply) => {
    const body = request.body as PipeRequest;
    const answer = await links.get(body.roomId)?.servePipe(body);
    if (!answer) return reply.code(404).send({ error: 'no such room or producer on this node' });
    return answer;
  });
  app.post('/internal/admin', { schema: { body: ForwardedActionSchema }, preHandler: signed }, (request) => control.serve(request.body as ForwardedAction));
}
