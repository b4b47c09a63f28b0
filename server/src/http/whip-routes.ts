/**
 * WHIP (RFC 9725) and WHEP over HTTP: POST an SDP offer to
 * `/whip/<room>` (with a stream key) or `/whep/<room>` (with a viewer
 * token) and get the answer, a Location for the session, and its ETag;
 * PATCH the session with a trickle-ice-sdpfrag (candidates, or an ICE
 * restart); DELETE it to stop, both with the token that made it. Any origin may call these (CORS): the token
 * in Authorization is the whole permission, and browsers never send it on
 * their own. See docs/streaming.md.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clientAddress } from '../auth/request-info.js';
import { ROOM_ID_PATTERN } from '../store/room-id.js';
import { MAX_SDP_BYTES } from '../whip/sdp-guard.js';
import type { WhipSessions } from '../whip/sessions.js';
import { refusalOf, WhipError } from '../whip/whip-error.js';

/** Offers per address per minute: a player that retries in a loop is slowed, a studio is not. */
export const WHIP_OFFER_LIMIT = { max: 30, timeWindow: '1 minute' } as const;
/** PATCHes per address per minute: each ICE restart is a round trip to a worker. */
export const WHIP_PATCH_LIMIT = { max: 60, timeWindow: '1 minute' } as const;

const SDP = 'application/sdp';
const SDP_FRAGMENT = 'application/trickle-ice-sdpfrag';
const ROOM_ID = new RegExp(ROOM_ID_PATTERN);
const SESSION_ID = /^[0-9a-f-]{36}$/;

export interface WhipRoutesDeps {
  sessions: WhipSessions;
  trustProxy: boolean;
}

interface Params {
  roomId: string;
  sessionId?: string;
}

export async function registerWhipRoutes(app: FastifyInstance, { sessions, trustProxy }: WhipRoutesDeps): Promise<void> {
  await app.register(async (scope) => {
    scope.addContentTypeParser([SDP, SDP_FRAGMENT], { parseAs: 'string', bodyLimit: MAX_SDP_BYTES }, (_request, body, done) => done(null, body));
    scope.addHook('onRequest', async (_request, reply) => {
      reply.header('access-control-allow-origin', '*');
      reply.header('access-control-expose-headers', 'Location, ETag, Accept-Patch');
      reply.header('cache-control', 'no-store');
    });
    for (const kind of ['whip', 'whep'] as const) {
      scope.options(`/${kind}/:roomId`, preflight);
      scope.options(`/${kind}/:roomId/:sessionId`, preflight);
      scope.post(`/${kind}/:roomId`, { config: { rateLimit: WHIP_OFFER_LIMIT } }, async (request, reply) => {
        return answer(reply, async () => {
          const { roomId } = room(request);
          const offer = body(request, SDP);
          const address = clientAddress(request.raw, trustProxy);
          const started = await (kind === 'whip' ? sessions.publish : sessions.watch).call(sessions, roomId, request.headers.authorization, offer, address);
          reply
            .code(201)
            .header('content-type', SDP)
            .header('location', `/${kind}/${roomId}/${started.sessionId}`)
            .header('etag', started.etag)
            .header('accept-patch', SDP_FRAGMENT);
          return started.answer;
        });
      });
      scope.patch(`/${kind}/:roomId/:sessionId`, { config: { rateLimit: WHIP_PATCH_LIMIT } }, async (request, reply) => {
        return answer(reply, async () => {
          const { roomId, sessionId } = session(request);
          const ifMatch = request.headers['if-match'];
          const fragment = body(request, SDP_FRAGMENT);
          const restarted = await sessions.update(kind, roomId, sessionId, request.headers.authorization, typeof ifMatch === 'string' ? ifMatch : undefined, fragment);
          if (!restarted) return reply.code(204).send();
          reply.code(200).header('content-type', SDP_FRAGMENT).header('etag', restarted.etag);
          return restarted.fragment;
        });
      });
      scope.delete(`/${kind}/:roomId/:sessionId`, async (request, reply) => {
        return answer(reply, async () => {
          const { roomId, sessionId } = session(request);
          sessions.remove(kind, roomId, sessionId, request.headers.authorization);
          return reply.code(200).send();
        });
      });
    }
  });
}

async function preflight(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await reply
    .code(204)
    .header('access-control-allow-methods', 'POST, PATCH, DELETE, OPTIONS')
    .header('access-control-allow-headers', 'Authorization, Content-Type, If-Match')
    .header('access-control-max-age', '600')
    .header('accept-post', SDP)
    .send();
}

/** Runs a route's work; a refusal becomes its status with Parley's sentence, anything else a 500 that says nothing more. */
async function answer(reply: FastifyReply, work: () => Promise<unknown>): Promise<unknown> {
  try {
    return await work();
  } catch (error) {
    const refusal = refusalOf(error);
    if (!refusal) {
      reply.log.error({ err: error }, 'a WHIP or WHEP request failed');
      return reply.code(500).send({ error: 'the server could not set up this stream' });
    }
    if (refusal.status === 401) reply.header('www-authenticate', 'Bearer');
    return reply.code(refusal.status).send({ error: refusal.message });
  }
}

function room(request: FastifyRequest): Params {
  const { roomId } = request.params as Params;
  if (!ROOM_ID.test(roomId)) throw new WhipError(404, 'no such meeting: it has ended or expired, or never existed');
  return { roomId };
}

function session(request: FastifyRequest): Required<Params> {
  const { sessionId } = request.params as Params;
  if (!sessionId || !SESSION_ID.test(sessionId)) throw new WhipError(404, 'no such session');
  return { ...room(request), sessionId };
}

function body(request: FastifyRequest, contentType: string): string {
  const given = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (given !== contentType || typeof request.body !== 'string') throw new WhipError(415, `the body must be ${contentType}`);
  return request.body;
}
