/**
 * The management API: what a host does from the meeting page, for servers
 * holding an API key. List rooms and their people, remove someone, end a
 * meeting, start and stop its recording or live stream, list its
 * recordings. The schemas here are both the validation and the OpenAPI
 * document (/docs/openapi.json). These routes always need a key: with no
 * PARLEY_API_KEYS configured they are off (403). Actions on a meeting run
 * wherever it is live (see MeetingControl).
 */
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeys } from '../auth/api-keys.js';
import { clientAddress } from '../auth/request-info.js';
import type { ServerAction } from '../meeting/server-actions.js';
import type { ErrorCode } from '../protocol/errors.js';
import { DISPLAY_NAME_PATTERN, ID_PATTERN } from '../protocol/grammar.js';
import { MAX_DISPLAY_NAME_LENGTH } from '../protocol/limits.js';
import { RecordingInfo, StreamKeySecret, StreamTarget } from '../protocol/messages.js';
import { errorResponseBody } from '../signalling/error-response.js';
import { ROOM_ID_PATTERN } from '../store/room-id.js';
import type { MeetingControl } from './meeting-control.js';

/** Requests per minute to each management route, per API key (per address for requests without a valid key). */
export const MANAGEMENT_LIMIT = { max: 300, timeWindow: '1 minute' } as const;

/** The name of the bearer scheme in the OpenAPI document. */
export const API_KEY_SCHEME = 'apiKey';

/** The HTTP status of each error a meeting can answer with. */
const STATUS: Record<ErrorCode, number> = {
  bad_message: 400,
  message_too_large: 413,
  unknown_method: 400,
  invalid_state: 409,
  not_found: 404,
  room_not_found: 404,
  room_full: 409,
  room_locked: 409,
  credential_invalid: 403,
  credential_revoked: 403,
  password_required: 403,
  password_incorrect: 403,
  forbidden: 403,
  too_many_requests: 429,
  rate_limited: 429,
  media_error: 500,
  unavailable: 503,
  internal_error: 500,
};

const ErrorBody = (description: string) => Type.Object({ error: Type.String({ description: 'What went wrong, in words.' }) }, { description });
const NoBody = (description: string) => Type.Null({ description });

/** The failures every management route can answer with. */
const REFUSALS = {
  400: ErrorBody('The request does not match this schema.'),
  401: ErrorBody('No API key, or not a valid one: send Authorization: Bearer KEY.'),
  403: ErrorBody('The management API is off (this server has no PARLEY_API_KEYS), or this server cannot do this.'),
  429: ErrorBody(`Too many requests: at most ${MANAGEMENT_LIMIT.max} a minute to each route per key. Retry-After says when to try again.`),
  503: ErrorBody('Meeting data, or the node that serves the meeting, is unreachable right now; try again shortly.'),
};
const NO_ROOM = { 404: ErrorBody('No such meeting: it has ended or expired, or never existed.') };

const RoomIdParams = Type.Object({
  roomId: Type.String({ pattern: ROOM_ID_PATTERN, description: 'The meeting, as in its link /r/ROOM_ID.' }),
});
const ParticipantParams = Type.Object({
  roomId: Type.String({ pattern: ROOM_ID_PATTERN, description: 'The meeting, as in its link /r/ROOM_ID.' }),
  peerId: Type.String({ pattern: ID_PATTERN, description: 'The participant, as GET /api/rooms/{roomId}/participants lists them.' }),
});

const StreamKeyParams = Type.Object({
  roomId: Type.String({ pattern: ROOM_ID_PATTERN, description: 'The meeting, as in its link /r/ROOM_ID.' }),
  keyId: Type.String({ pattern: ID_PATTERN, description: 'The key, as GET /api/rooms/{roomId}/stream-keys lists them.' }),
});

const StageLabel = Type.String({
  minLength: 1,
  maxLength: MAX_DISPLAY_NAME_LENGTH,
  pattern: DISPLAY_NAME_PATTERN,
  description: 'The name the stream has on the stage, e.g. "OBS — Studio A"; a display name, without control characters or bidirectional overrides.',
});

const StreamKey = Type.Object(
  {
    id: Type.String({ description: 'The key, for revoking it.' }),
    label: Type.String({ description: 'The name its stream has on the stage.' }),
    createdAt: Type.Integer({ description: 'When it was created, in milliseconds since 1970.' }),
  },
  { description: 'A stream key (never the key itself, which only its creation shows).' },
);

const RoomSummary = Type.Object(
  {
    id: Type.String({ description: 'The meeting; its link is /r/ID.' }),
    createdAt: Type.Integer({ description: 'When it was created, in milliseconds since 1970.' }),
    lobby: Type.Boolean({ description: 'Newcomers wait in the lobby until a host admits them.' }),
    locked: Type.Boolean({ description: 'Nobody new gets in, not even to the lobby.' }),
    webinar: Type.Boolean({ description: 'A webinar: newcomers enter as attendees.' }),
    passwordRequired: Type.Boolean({ description: 'Newcomers must give the meeting password.' }),
    recording: Type.Boolean({ description: 'A recording is running.' }),
    streaming: Type.Boolean({ description: 'A live stream is running.' }),
    participants: Type.Integer({ minimum: 0, description: 'People in the meeting, on every node.' }),
    waiting: Type.Integer({ minimum: 0, description: 'People waiting in its lobby, on every node.' }),
  },
  { description: 'A meeting that has neither ended nor expired.' },
);

const Participant = Type.Object(
  {
    peerId: Type.String({ description: 'The participant: what DELETE /api/rooms/{roomId}/participants/{peerId} takes.' }),
    displayName: Type.String({ description: 'The name they gave, as everyone in the meeting sees it.' }),
    role: Type.Union([Type.Literal('host'), Type.Literal('participant'), Type.Literal('attendee')], {
      description: "Hosts run the meeting; participants take part; a webinar's attendees only watch.",
    }),
    state: Type.Union([Type.Literal('waiting'), Type.Literal('joined')], { description: 'waiting: in the lobby; joined: in the meeting.' }),
    joinedAt: Type.Integer({ description: 'When they joined or knocked, or last changed role, in milliseconds since 1970.' }),
  },
  { description: 'Someone in the meeting or its lobby.' },
);

interface Operation {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  operationId: string;
  tag: 'rooms' | 'participants' | 'recording' | 'studio';
  summary: string;
  params?: TSchema;
  body?: TSchema;
  /** The success responses; the refusals are added to every operation. */
  responses: Record<number, TSchema>;
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

export async function registerAdminRoutes(
  app: FastifyInstance,
  { control, apiKeys, trustProxy }: { control: MeetingControl; apiKeys: ApiKeys; trustProxy: boolean },
): Promise<void> {
  const rateLimit = {
    ...MANAGEMENT_LIMIT,
    // A valid key has its own budget; anything else shares its address's, so inventing keys buys nothing.
    keyGenerator: (request: FastifyRequest) => {
      const key = apiKeys.keyIndex(request.headers.authorization);
      return key === undefined ? `address:${clientAddress(request.raw, trustProxy)}` : `key:${key}`;
    },
  };

  // After the rate limit (onRequest), before validation: a caller without a key learns nothing about the request.
  const requireKey = async (request: FastifyRequest, reply: FastifyReply) => {
    if (apiKeys.open) return reply.code(403).send({ error: 'the management API is off: set PARLEY_API_KEYS' });
    if (!apiKeys.allows(request.headers.authorization)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'a valid API key is required: Authorization: Bearer KEY' });
    }
  };

  // A body whose fields are all optional may be left out.
  const emptyBodyAllowed = async (request: FastifyRequest) => {
    request.body ??= {};
  };

  const act = (request: FastifyRequest, action: ServerAction) => control.run((request.params as { roomId: string }).roomId, action);
  const accepted = (reply: FastifyReply) => reply.code(202).send();

  const operations: Operation[] = [
    {
      method: 'GET',
      url: '/api/rooms',
      operationId: 'listRooms',
      tag: 'rooms',
      summary: 'Every live meeting of this deployment, oldest first, with how many people are in it and its lobby.',
      responses: { 200: Type.Object({ rooms: Type.Array(RoomSummary, { description: 'The meetings, oldest first.' }) }, { description: 'The live meetings.' }) },
      handler: async () => ({
        rooms: (await control.rooms()).map(({ room, joined, waiting }) => ({
          id: room.id,
          createdAt: room.createdAt,
          lobby: room.lobby,
          locked: room.locked,
          webinar: room.webinar,
          passwordRequired: room.passwordHash !== undefined,
          recording: room.recordingNode !== undefined,
          streaming: room.streamingNode !== undefined,
          participants: joined,
          waiting,
        })),
      }),
    },
    {
      method: 'DELETE',
      url: '/api/rooms/:roomId',
      operationId: 'endMeeting',
      tag: 'rooms',
      summary: "Ends the meeting for everyone, as a host's End does: everyone is told, and its link stops working.",
      params: RoomIdParams,
      responses: { 204: NoBody('The meeting has ended.'), ...NO_ROOM },
      handler: async (request, reply) => {
        await act(request, { action: 'end' });
        return reply.code(204).send();
      },
    },
    {
      method: 'GET',
      url: '/api/rooms/:roomId/participants',
      operationId: 'listParticipants',
      tag: 'participants',
      summary: 'Who is in the meeting and its lobby, on every node.',
      params: RoomIdParams,
      responses: {
        200: Type.Object(
          { participants: Type.Array(Participant, { description: 'The people, by joinedAt, earliest first.' }) },
          { description: "The meeting's people." },
        ),
        ...NO_ROOM,
      },
      handler: async (request) => ({
        participants: (await control.participants((request.params as { roomId: string }).roomId)).map(({ peerId, displayName, role, state, joinedAt }) => ({
          peerId,
          displayName,
          role,
          state,
          joinedAt,
        })),
      }),
    },
    {
      method: 'DELETE',
      url: '/api/rooms/:roomId/participants/:peerId',
      operationId: 'removeParticipant',
      tag: 'participants',
      summary:
        "Removes someone from the meeting (or turns them away from its lobby), as a host's Remove does: they are told, " +
        "and their link no longer lets them back in. The meeting's creator too.",
      params: ParticipantParams,
      responses: {
        204: NoBody('They are out.'),
        404: ErrorBody('No such meeting, or that person is not in it.'),
        409: ErrorBody('That person is not in the meeting right now.'),
      },
      handler: async (request, reply) => {
        await act(request, { action: 'remove', peerId: (request.params as { peerId: string }).peerId });
        return reply.code(204).send();
      },
    },
    {
      method: 'POST',
      url: '/api/rooms/:roomId/recording',
      operationId: 'startRecording',
      tag: 'recording',
      summary: 'Starts recording the meeting: everyone in it sees that it is recorded. The body may be left out.',
      params: RoomIdParams,
      body: Type.Object(
        { tracks: Type.Optional(Type.Boolean({ description: "Also keep each person's audio and video apart (default false)." })) },
        { additionalProperties: false },
      ),
      responses: { 202: NoBody('The recording has started.'), ...NO_ROOM, 409: ErrorBody('Already recorded, or nobody is in the meeting.') },
      handler: async (request, reply) => {
        await act(request, { action: 'startRecording', tracks: (request.body as { tracks?: boolean }).tracks ?? false });
        return accepted(reply);
      },
    },
    {
      method: 'DELETE',
      url: '/api/rooms/:roomId/recording',
      operationId: 'stopRecording',
      tag: 'recording',
      summary: 'Stops the recording; the file is then listed by GET /api/rooms/{roomId}/recordings.',
      params: RoomIdParams,
      responses: { 202: NoBody('The recording is stopping.'), ...NO_ROOM, 409: ErrorBody('The meeting is not being recorded, or nobody is in it.') },
      handler: async (request, reply) => {
        await act(request, { action: 'stopRecording' });
        return accepted(reply);
      },
    },
    {
      method: 'GET',
      url: '/api/rooms/:roomId/recordings',
      operationId: 'listRecordings',
      tag: 'recording',
      summary: "The meeting's finished recordings, newest first, with signed download links.",
      params: RoomIdParams,
      responses: {
        200: Type.Object({ recordings: Type.Array(RecordingInfo, { description: 'The recordings, newest first.' }) }, { description: 'The recordings.' }),
        ...NO_ROOM,
      },
      handler: async (request) => ({ recordings: (await act(request, { action: 'listRecordings' })).recordings ?? [] }),
    },
    {
      method: 'POST',
      url: '/api/rooms/:roomId/stream',
      operationId: 'startStreaming',
      tag: 'recording',
      summary: "Streams the meeting live (everyone's picture and sound) to an RTMP or RTMPS destination, reconnecting if it drops.",
      params: RoomIdParams,
      body: Type.Object({ url: StreamTarget }, { additionalProperties: false }),
      responses: { 202: NoBody('The stream has started.'), ...NO_ROOM, 409: ErrorBody('Already streamed, or nobody is in the meeting.') },
      handler: async (request, reply) => {
        await act(request, { action: 'startStreaming', url: (request.body as { url: string }).url });
        return accepted(reply);
      },
    },
    {
      method: 'DELETE',
      url: '/api/rooms/:roomId/stream',
      operationId: 'stopStreaming',
      tag: 'recording',
      summary: 'Stops the live stream.',
      params: RoomIdParams,
      responses: { 202: NoBody('The stream is stopping.'), ...NO_ROOM, 409: ErrorBody('The meeting is not being streamed, or nobody is in it.') },
      handler: async (request, reply) => {
        await act(request, { action: 'stopStreaming' });
        return accepted(reply);
      },
    },
    {
      method: 'POST',
      url: '/api/rooms/:roomId/stream-keys',
      operationId: 'createStreamKey',
      tag: 'studio',
      summary: 'A stream key for publishing into the meeting over WHIP (OBS, an encoder): its stream appears on the stage under `label`. The key is in this answer only.',
      params: RoomIdParams,
      body: Type.Object({ label: StageLabel }, { additionalProperties: false }),
      responses: {
        201: Type.Object(
          {
            streamKey: StreamKey,
            key: StreamKeySecret,
            whip: Type.String({ description: 'Where to publish, relative to this server: POST it an SDP offer with Authorization: Bearer KEY.' }),
          },
          { description: 'The new key.' },
        ),
        ...NO_ROOM,
        409: ErrorBody('The meeting has as many stream keys as it may.'),
      },
      handler: async (request, reply) => {
        const { roomId } = request.params as { roomId: string };
        const created = await control.createStreamKey(roomId, (request.body as { label: string }).label);
        return reply.code(201).send({ ...created, whip: `/whip/${roomId}` });
      },
    },
    {
      method: 'GET',
      url: '/api/rooms/:roomId/stream-keys',
      operationId: 'listStreamKeys',
      tag: 'studio',
      summary: "The meeting's stream keys, oldest first (without the keys themselves).",
      params: RoomIdParams,
      responses: { 200: Type.Object({ streamKeys: Type.Array(StreamKey, { description: 'The keys, oldest first.' }) }, { description: 'The keys.' }), ...NO_ROOM },
      handler: async (request) => ({ streamKeys: await control.listStreamKeys((request.params as { roomId: string }).roomId) }),
    },
    {
      method: 'DELETE',
      url: '/api/rooms/:roomId/stream-keys/:keyId',
      operationId: 'revokeStreamKey',
      tag: 'studio',
      summary: 'Revokes a stream key: it publishes no more, and its live stream, if any, leaves the meeting.',
      params: StreamKeyParams,
      responses: { 204: NoBody('The key is revoked.'), 404: ErrorBody('No such meeting, or it has no such key.') },
      handler: async (request, reply) => {
        const { roomId, keyId } = request.params as { roomId: string; keyId: string };
        await control.revokeStreamKey(roomId, keyId);
        return reply.code(204).send();
      },
    },
    {
      method: 'POST',
      url: '/api/rooms/:roomId/viewer-tokens',
      operationId: 'createViewerToken',
      tag: 'studio',
      summary: 'A token for watching the meeting with a WHEP player, valid as long as a meeting credential (PARLEY_CREDENTIAL_TTL_HOURS).',
      params: RoomIdParams,
      responses: {
        201: Type.Object(
          {
            token: Type.String({ description: 'The bearer token for the WHEP endpoint.' }),
            whep: Type.String({ description: 'Where to watch, relative to this server: POST it an SDP offer with Authorization: Bearer TOKEN.' }),
          },
          { description: 'The token.' },
        ),
        ...NO_ROOM,
      },
      handler: async (request, reply) => {
        const { roomId } = request.params as { roomId: string };
        return reply.code(201).send({ token: await control.viewerToken(roomId), whep: `/whep/${roomId}` });
      },
    },
  ];

  await app.register(async (scope) => {
    scope.setErrorHandler(async (error: FastifyError, request, reply) => {
      // Fastify's own refusals (validation, a body that is not JSON) and the rate limiter's 429 carry their status.
      if (error.statusCode !== undefined && error.statusCode < 500) return reply.code(error.statusCode).send({ error: error.message });
      const { code, message } = errorResponseBody(error, request.log);
      return reply.code(STATUS[code]).send({ error: message });
    });
    for (const { method, url, operationId, tag, summary, params, body, responses, handler } of operations) {
      scope.route({
        method,
        url,
        config: { rateLimit },
        preValidation: body ? [requireKey, emptyBodyAllowed] : [requireKey],
        schema: {
          operationId,
          tags: [tag],
          summary,
          security: [{ [API_KEY_SCHEME]: [] }],
          ...(params ? { params } : {}),
          ...(body ? { body } : {}),
          response: { ...REFUSALS, ...responses },
        },
        handler,
      });
    }
  });
}
