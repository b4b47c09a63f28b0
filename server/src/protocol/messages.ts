/**
 * The signalling protocol, defined once. Server and client both validate
 * every message against these schemas at runtime, and derive their
 * TypeScript types from them. docs/protocol.md describes it in prose.
 *
 * Client -> server: { type: 'request', id, method, data }
 * Server -> client: { type: 'response', id, ok: true, data }
 *                 | { type: 'response', id, ok: false, error: { code, message } }
 *                 | { type: 'notification', method, data }
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ErrorCodes } from './errors.js';
import { MAX_DISPLAY_NAME_LENGTH, MAX_ID_LENGTH } from './limits.js';
import { DtlsParameters, IceCandidate, IceParameters, RtpCapabilities, RtpParameters } from './mediasoup-schemas.js';

const Id = Type.String({ minLength: 1, maxLength: MAX_ID_LENGTH });
const Empty = Type.Object({}, { additionalProperties: false });
const strict = <T extends Parameters<typeof Type.Object>[0]>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });

export const MediaSource = Type.Union([Type.Literal('mic'), Type.Literal('camera')]);
export type MediaSource = Static<typeof MediaSource>;

export const DisplayName = Type.String({ minLength: 1, maxLength: MAX_DISPLAY_NAME_LENGTH, pattern: '\\S' });

const ProducerInfo = strict({ id: Id, source: MediaSource, paused: Type.Boolean() });
export const PeerInfo = strict({ id: Id, displayName: DisplayName, producers: Type.Array(ProducerInfo) });
export type PeerInfo = Static<typeof PeerInfo>;

const TransportOptions = strict({
  id: Id,
  iceParameters: IceParameters,
  iceCandidates: Type.Array(IceCandidate),
  dtlsParameters: DtlsParameters,
});

/** Each request method: the schema of its data and of its response data. */
export const Requests = {
  getRouterRtpCapabilities: { request: Empty, response: strict({ rtpCapabilities: RtpCapabilities }) },
  join: {
    request: strict({ displayName: DisplayName, rtpCapabilities: RtpCapabilities }),
    response: strict({ peerId: Id, peers: Type.Array(PeerInfo) }),
  },
  createWebRtcTransport: {
    request: strict({ direction: Type.Union([Type.Literal('send'), Type.Literal('recv')]) }),
    response: TransportOptions,
  },
  connectWebRtcTransport: {
    request: strict({ transportId: Id, dtlsParameters: DtlsParameters }),
    response: Empty,
  },
  produce: {
    request: strict({
      transportId: Id,
      kind: Type.Union([Type.Literal('audio'), Type.Literal('video')]),
      rtpParameters: RtpParameters,
      source: MediaSource,
      paused: Type.Optional(Type.Boolean()),
    }),
    response: strict({ producerId: Id }),
  },
  pauseProducer: { request: strict({ producerId: Id }), response: Empty },
  resumeProducer: { request: strict({ producerId: Id }), response: Empty },
  resumeConsumer: { request: strict({ consumerId: Id }), response: Empty },
  leave: { request: Empty, response: Empty },
} as const satisfies Record<string, { request: TSchema; response: TSchema }>;

export type RequestMethod = keyof typeof Requests;
export type RequestData<M extends RequestMethod> = Static<(typeof Requests)[M]['request']>;
export type ResponseData<M extends RequestMethod> = Static<(typeof Requests)[M]['response']>;

/** Each notification the server pushes, with the schema of its data. */
export const Notifications = {
  peerJoined: strict({ peer: PeerInfo }),
  peerLeft: strict({ peerId: Id }),
  newConsumer: strict({
    consumerId: Id,
    producerId: Id,
    peerId: Id,
    kind: Type.Union([Type.Literal('audio'), Type.Literal('video')]),
    source: MediaSource,
    rtpParameters: RtpParameters,
    producerPaused: Type.Boolean(),
  }),
  consumerClosed: strict({ consumerId: Id }),
  consumerPaused: strict({ consumerId: Id }),
  consumerResumed: strict({ consumerId: Id }),
  /** The server is ending this session (room closed, media worker lost, ...). */
  sessionClosed: strict({ reason: Type.String({ maxLength: 256 }) }),
} as const satisfies Record<string, TSchema>;

export type NotificationMethod = keyof typeof Notifications;
export type NotificationData<M extends NotificationMethod> = Static<(typeof Notifications)[M]>;

export const RequestEnvelope = strict({
  type: Type.Literal('request'),
  id: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  method: Type.String({ minLength: 1, maxLength: 64 }),
  data: Type.Unknown(),
});

export const ErrorBody = strict({
  code: Type.Union(ErrorCodes.map((code) => Type.Literal(code))),
  message: Type.String({ maxLength: 1024 }),
});
export type ErrorBody = Static<typeof ErrorBody>;

/** Envelopes the client receives; `data` is then checked per method. */
export const ServerEnvelope = Type.Union([
  strict({
    type: Type.Literal('response'),
    id: Type.Integer({ minimum: 0 }),
    ok: Type.Literal(true),
    data: Type.Unknown(),
  }),
  strict({
    type: Type.Literal('response'),
    id: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    ok: Type.Literal(false),
    error: ErrorBody,
  }),
  strict({ type: Type.Literal('notification'), method: Type.String({ maxLength: 64 }), data: Type.Unknown() }),
]);
export type ServerEnvelope = Static<typeof ServerEnvelope>;

/** The discriminated union of every request, typed per method. */
export type ClientRequest = {
  [M in RequestMethod]: { type: 'request'; id: number; method: M; data: RequestData<M> };
}[RequestMethod];

export type ServerNotification = {
  [M in NotificationMethod]: { type: 'notification'; method: M; data: NotificationData<M> };
}[NotificationMethod];

export const isRequestMethod = (method: string): method is RequestMethod => Object.hasOwn(Requests, method);
export const isNotificationMethod = (method: string): method is NotificationMethod =>
  Object.hasOwn(Notifications, method);
