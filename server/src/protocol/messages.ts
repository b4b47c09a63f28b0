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
import { CloneType, Type, type Static, type TSchema } from '@sinclair/typebox';
import { ErrorCodes } from './errors.js';
import { MAX_CHAT_LENGTH, MAX_CREDENTIAL_LENGTH, MAX_DISPLAY_NAME_LENGTH, MAX_ID_LENGTH } from './limits.js';
import { BYTE_STRING_PATTERN, CHAT_TEXT_PATTERN, DISPLAY_NAME_PATTERN, ID_PATTERN, PLAIN_TEXT_PATTERN } from './grammar.js';
import { DtlsParameters, IceCandidate, IceParameters, RtpCapabilities, RtpParameters } from './mediasoup-schemas.js';

const Id = Type.String({
  minLength: 1,
  maxLength: MAX_ID_LENGTH,
  pattern: ID_PATTERN,
  errorMessage: `must be an id: 1-${MAX_ID_LENGTH} letters, digits, '_', '.', ':' or '-'`,
});
const Empty = Type.Object({}, { additionalProperties: false });
const strict = <T extends Parameters<typeof Type.Object>[0]>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });

export const MediaSource = Type.Union([
  Type.Literal('mic'),
  Type.Literal('camera'),
  Type.Literal('screen'),
  Type.Literal('screen-audio'),
]);
export type MediaSource = Static<typeof MediaSource>;

/** Hosts and participants are the panel, who send; attendees (in a webinar) only watch, raise hands and ask questions. */
export const Role = Type.Union([Type.Literal('host'), Type.Literal('participant'), Type.Literal('attendee')]);
export type Role = Static<typeof Role>;

/** Shown to everyone in the meeting: see grammar.ts for what it may not contain. */
export const DisplayName = Type.String({
  minLength: 1,
  maxLength: MAX_DISPLAY_NAME_LENGTH,
  pattern: DISPLAY_NAME_PATTERN,
  errorMessage: `must be 1-${MAX_DISPLAY_NAME_LENGTH} characters with something visible, and no control characters, bidirectional overrides or isolates, or line separators`,
});
/** Shown to everyone in the meeting: lines and tabs are fine, other controls and bidi overrides are not. */
export const ChatText = Type.String({
  minLength: 1,
  maxLength: MAX_CHAT_LENGTH,
  pattern: CHAT_TEXT_PATTERN,
  errorMessage: `must be 1-${MAX_CHAT_LENGTH} characters without control characters (but newline and tab) or bidirectional overrides and isolates`,
});
const Reason = Type.String({ maxLength: 256, pattern: PLAIN_TEXT_PATTERN });
const ByteString = Type.String({ maxLength: 256, pattern: BYTE_STRING_PATTERN });
const Credential = Type.String({ minLength: 1, maxLength: MAX_CREDENTIAL_LENGTH });

const ProducerInfo = strict({ id: Id, source: MediaSource, paused: Type.Boolean() });
export const PeerInfo = strict({
  id: Id,
  displayName: DisplayName,
  role: Role,
  handRaised: Type.Boolean(),
  producers: Type.Array(ProducerInfo),
  /** Present (true) for someone who dialled in or was called by telephone. */
  phone: Type.Optional(Type.Literal(true)),
  /** A stream published over WHIP (OBS, an encoder), shown like a screen share. */
  stream: Type.Optional(Type.Literal(true)),
});
export type PeerInfo = Static<typeof PeerInfo>;

/** Reactions are named, not free emoji: the client draws each with its own icon, whatever fonts the viewer has. */
export const Reaction = Type.Union([
  Type.Literal('thumbs-up'),
  Type.Literal('thumbs-down'),
  Type.Literal('laugh'),
  Type.Literal('heart'),
  Type.Literal('applause'),
  Type.Literal('celebrate'),
]);
export type Reaction = Static<typeof Reaction>;

export const RoomSettings = strict({
  locked: Type.Boolean(),
  lobby: Type.Boolean(),
  /** The meeting is being recorded: everyone sees it for as long as it lasts. */
  recording: Type.Boolean(),
  /** The meeting is being streamed live to an RTMP(S) destination. */
  streaming: Type.Boolean(),
  /** A webinar: newcomers without a panelist's credential enter as attendees. */
  webinar: Type.Boolean(),
});
export type RoomSettings = Static<typeof RoomSettings>;

/** Where a host streams the meeting: an RTMP or RTMPS URL with its stream key, e.g. rtmp://a.rtmp.youtube.com/live2/KEY. */
export const StreamTarget = Type.String({
  minLength: 10,
  maxLength: 1024,
  pattern: '^rtmps?://[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?/[A-Za-z0-9._~!$&*+,;=:@%/?-]*$',
  description: 'An RTMP or RTMPS URL with its stream key, e.g. rtmp://a.rtmp.youtube.com/live2/KEY.',
});

/** A finished recording, for hosts: a signed download link that stops working at `expiresAt`. */
export const RecordingInfo = strict({
  id: CloneType(Id, { description: 'The recording.' }),
  startedAt: Type.Integer({ minimum: 0, description: 'When the recording started, in milliseconds since 1970.' }),
  durationSeconds: Type.Number({ minimum: 0, description: 'How long it lasts.' }),
  sizeBytes: Type.Integer({ minimum: 0, description: 'The size of the file.' }),
  url: Type.String({ maxLength: 2048, pattern: '^(https?://[^\\s]+|/[^\\s]*)$', description: 'A signed download link, absolute or relative to this server.' }),
  expiresAt: Type.Integer({ minimum: 0, description: 'When the link stops working, in milliseconds since 1970.' }),
  tracks: Type.Optional(
    Type.Array(
      strict({
        name: CloneType(DisplayName, { description: 'Whose track it is.' }),
        source: CloneType(MediaSource, { description: 'What the track is: a microphone, a camera, a screen or its sound.' }),
        startSeconds: Type.Number({ minimum: 0, description: 'Where the track begins, from the start of the recording.' }),
        url: Type.String({ maxLength: 2048, pattern: '^(https?://[^\\s]+|/[^\\s]*)$', description: 'A signed download link to the track (video as Matroska, audio as WAV).' }),
      }),
      { maxItems: 512, description: "Each person's audio and video apart, when the recording was asked to keep them." },
    ),
  ),
});
export type RecordingInfo = Static<typeof RecordingInfo>;

/** A key a WHIP publisher presents; the key itself is only in the answer that creates it. */
export const StreamKeyInfo = strict({
  id: CloneType(Id, { description: 'The key, for revoking it.' }),
  label: CloneType(DisplayName, { description: 'The name the stream has on the stage.' }),
  createdAt: Type.Integer({ minimum: 0, description: 'When it was created, in milliseconds since 1970.' }),
});
export type StreamKeyInfo = Static<typeof StreamKeyInfo>;
/** A whole stream key: `<id>.<secret>`, the bearer token of `POST /whip/<room>`. */
export const StreamKeySecret = Type.String({ pattern: '^[A-Za-z0-9_-]{12}\\.[A-Za-z0-9_-]{43}$', description: 'The bearer token for POST /whip/<room>. Shown once.' });

export const ChatMessage = strict({
  id: Id,
  peerId: Id,
  displayName: DisplayName,
  text: ChatText,
  sentAt: Type.Integer({ minimum: 0 }),
});
export type ChatMessage = Static<typeof ChatMessage>;

/**
 * An attendee's question in a webinar: `open` until a panelist answers it
 * (`answer` is then set) or dismisses it. Panelists see every question;
 * the asker sees their own; everyone sees answered ones.
 */
export const Question = strict({
  id: Id,
  peerId: Id,
  displayName: DisplayName,
  text: ChatText,
  askedAt: Type.Integer({ minimum: 0 }),
  state: Type.Union([Type.Literal('open'), Type.Literal('answered'), Type.Literal('dismissed')]),
  answer: Type.Optional(strict({ text: ChatText, displayName: DisplayName, answeredAt: Type.Integer({ minimum: 0 }) })),
});
export type Question = Static<typeof Question>;

const WaitingPeer = strict({ peerId: Id, displayName: DisplayName, phone: Type.Optional(Type.Literal(true)) });

/** How phones reach this meeting: its PIN and the SIP address to dial (hosts only). */
const DialIn = strict({
  pin: Type.String({ pattern: '^[0-9]{9}$' }),
  uri: Type.String({ maxLength: 256, pattern: '^sips?:[0-9]{9}@[^\\s<>"]+$' }),
});

const TransportOptions = strict({
  id: Id,
  iceParameters: IceParameters,
  iceCandidates: Type.Array(IceCandidate),
  dtlsParameters: DtlsParameters,
});

const PeerTarget = strict({ peerId: Id });

const Milliseconds = Type.Integer({ minimum: 0, maximum: 3_600_000 });

/**
 * When each stage of a join up to the first remote video frame was reached,
 * in milliseconds since the page's navigation began; in the order they
 * usually happen. A stage the page did not see (no camera) is left out.
 */
const FirstMediaStages = strict({
  pageLoaded: Type.Optional(Milliseconds),
  socketOpen: Type.Optional(Milliseconds),
  /** The pre-join form is on screen: from here to `joinPressed` the person fills it in. */
  formShown: Type.Optional(Milliseconds),
  cameraStarted: Type.Optional(Milliseconds),
  joinPressed: Type.Optional(Milliseconds),
  joined: Type.Optional(Milliseconds),
  transportsReady: Type.Optional(Milliseconds),
  mediaConnected: Type.Optional(Milliseconds),
  firstPacket: Type.Optional(Milliseconds),
  firstFrame: Type.Optional(Milliseconds),
});
export type FirstMediaStages = Static<typeof FirstMediaStages>;
export type FirstMediaStage = keyof FirstMediaStages;
export const FIRST_MEDIA_STAGES = Object.keys(FirstMediaStages.properties) as FirstMediaStage[];

/** Each request method: the schema of its data and of its response data. */
export const Requests = {
  getRouterRtpCapabilities: { request: Empty, response: strict({ rtpCapabilities: RtpCapabilities }) },
  /**
   * Asks to enter. `joined` means in the meeting now; `waiting` means in the
   * lobby until a host admits (notification `joined`) or denies (`denied`).
   * The credential in the answer lets this person back in after a dropped
   * connection or a reload.
   */
  join: {
    request: strict({
      displayName: DisplayName,
      rtpCapabilities: RtpCapabilities,
      credential: Type.Optional(Credential),
      /** Needed when the room has a password, unless the credential is a host's or an admitted participant's. */
      password: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    }),
    response: strict({
      peerId: Id,
      status: Type.Union([Type.Literal('joined'), Type.Literal('waiting')]),
      credential: Credential,
    }),
  },
  /** Your transport in `direction`: the one made with the welcome, or a new one if you have none. */
  createWebRtcTransport: {
    request: strict({ direction: Type.Union([Type.Literal('send'), Type.Literal('recv')]) }),
    response: TransportOptions,
  },
  connectWebRtcTransport: {
    request: strict({ transportId: Id, dtlsParameters: DtlsParameters }),
    response: Empty,
  },
  /** New ICE credentials for a transport whose connection failed. */
  restartIce: { request: strict({ transportId: Id }), response: strict({ iceParameters: IceParameters }) },
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
  closeProducer: { request: strict({ producerId: Id }), response: Empty },
  /** Resumes a consumer: after creation, or after pauseConsumer (a hidden tile). */
  resumeConsumer: { request: strict({ consumerId: Id }), response: Empty },
  pauseConsumer: { request: strict({ consumerId: Id }), response: Empty },
  /** The simulcast layer that fits the tile the consumer is shown in. */
  setConsumerPreferredLayers: {
    request: strict({ consumerId: Id, spatialLayer: Type.Integer({ minimum: 0, maximum: 3 }) }),
    response: Empty,
  },
  /** The panel's chat; attendees of a webinar ask questions instead. */
  sendChat: { request: strict({ text: ChatText }), response: Empty },
  /** An attendee asks the panel a question (rate-limited like chat). */
  askQuestion: { request: strict({ text: ChatText }), response: strict({ questionId: Id }) },
  /** A panelist answers a question: everyone then sees it with its answer. */
  answerQuestion: { request: strict({ questionId: Id, text: ChatText }), response: Empty },
  /** A panelist sets a question aside: only panelists and the asker learn it. */
  dismissQuestion: { request: strict({ questionId: Id }), response: Empty },
  setHandRaised: { request: strict({ raised: Type.Boolean() }), response: Empty },
  /** A short reaction everyone in the meeting sees, the sender included; a burst of 5, then one a second. */
  sendReaction: { request: strict({ reaction: Reaction }), response: Empty },
  /**
   * From opening the link to the first decoded remote video frame, for the
   * server's metrics, with the moment each stage of the join was reached.
   */
  reportTimeToFirstMedia: {
    request: strict({
      milliseconds: Milliseconds,
      stages: Type.Optional(FirstMediaStages),
    }),
    response: Empty,
  },
  /**
   * After a dropped connection: take over the session `peerId` had, within
   * the grace period, proving the same credential. Media never stopped.
   */
  resume: { request: strict({ peerId: Id, credential: Credential }), response: Empty },
  leave: { request: Empty, response: Empty },
  // Host controls; every one is authorised on the server.
  admit: { request: PeerTarget, response: Empty },
  admitAll: { request: Empty, response: Empty },
  deny: { request: PeerTarget, response: Empty },
  promote: { request: PeerTarget, response: Empty },
  muteParticipant: { request: PeerTarget, response: Empty },
  /** Mutes every microphone in the meeting but the sender's own; each owner is told and may unmute. */
  muteAll: { request: Empty, response: Empty },
  /** Asks someone to unmute: they get `unmuteRequested` and decide. The server never unmutes anyone. */
  askToUnmute: { request: PeerTarget, response: Empty },
  stopCamera: { request: PeerTarget, response: Empty },
  stopScreenShare: { request: PeerTarget, response: Empty },
  removeParticipant: { request: PeerTarget, response: Empty },
  setRoomLocked: { request: strict({ locked: Type.Boolean() }), response: Empty },
  setLobbyEnabled: { request: strict({ enabled: Type.Boolean() }), response: Empty },
  /** Turns webinar mode on (newcomers enter as attendees) or off (every attendee becomes a participant). */
  setWebinar: { request: strict({ enabled: Type.Boolean() }), response: Empty },
  /** An attendee joins the panel: they get `becamePanelist` with a send transport. */
  makePanelist: { request: PeerTarget, response: Empty },
  /** A panelist leaves the panel: their media stops and they get `becameAttendee`. */
  makeAttendee: { request: PeerTarget, response: Empty },
  endMeeting: { request: Empty, response: Empty },
  /**
   * Records the meeting into one file (cameras in a grid with names, a
   * screen share as the main picture, everyone's audio mixed); with
   * `tracks`, each person's audio and video also as separate files.
   */
  startRecording: { request: strict({ tracks: Type.Optional(Type.Boolean()) }), response: Empty },
  stopRecording: { request: Empty, response: Empty },
  /** The meeting's finished recordings, newest first, with fresh download links. */
  listRecordings: { request: Empty, response: strict({ recordings: Type.Array(RecordingInfo, { maxItems: 100 }) }) },
  /** Streams the composite picture and mixed sound to an RTMP(S) URL, reconnecting if it drops. */
  startStreaming: { request: strict({ url: StreamTarget }), response: Empty },
  stopStreaming: { request: Empty, response: Empty },
  /** A key for publishing into this meeting over WHIP (OBS, an encoder), named for the stage. */
  createStreamKey: { request: strict({ label: DisplayName }), response: strict({ streamKey: StreamKeyInfo, key: StreamKeySecret }) },
  listStreamKeys: { request: Empty, response: strict({ streamKeys: Type.Array(StreamKeyInfo, { maxItems: 100 }) }) },
  /** The key publishes no more, and a stream it is publishing ends. */
  revokeStreamKey: { request: strict({ keyId: Id }), response: Empty },
  /** A token for watching this meeting over WHEP (`POST /whep/<room>`), valid as long as a meeting credential. */
  createViewerToken: { request: Empty, response: strict({ token: Credential }) },
  /**
   * Calls a phone into the meeting: a SIP URI or a telephone number, placed
   * through the server's trunk. Only destinations on the operator's
   * allow-list are called; the callee enters without the lobby.
   */
  dialOut: {
    request: strict({ target: Type.String({ minLength: 3, maxLength: 128, pattern: '^(\\+?[0-9]{3,20}|sips?:[A-Za-z0-9._~+-]{1,64}@[A-Za-z0-9.-]{1,100}(:[0-9]{1,5})?)$' }) }),
    response: strict({ peerId: Id }),
  },
} as const satisfies Record<string, { request: TSchema; response: TSchema }>;

export type RequestMethod = keyof typeof Requests;
export type RequestData<M extends RequestMethod> = Static<(typeof Requests)[M]['request']>;
export type ResponseData<M extends RequestMethod> = Static<(typeof Requests)[M]['response']>;

/** Each notification the server pushes, with the schema of its data. */
export const Notifications = {
  /** You are in the meeting (directly, or admitted from the lobby). */
  joined: strict({
    role: Role,
    /** Everyone else you can see: an attendee sees the panel only. */
    peers: Type.Array(PeerInfo),
    /** How many attendees the meeting has, on every node (0 outside a webinar). */
    audience: Type.Integer({ minimum: 0 }),
    /** The panel's recent chat (empty for attendees). */
    chatHistory: Type.Array(ChatMessage),
    /** A webinar's questions you may see: all of them for panelists; your own and the answered ones for attendees. */
    questions: Type.Array(Question),
    room: RoomSettings,
    /** Replaces the credential from `join`: it now admits you without waiting. */
    credential: Credential,
    /** TURN servers with short-lived credentials, for networks that block direct media. */
    iceServers: Type.Array(
      strict({
        urls: Type.Array(ByteString, { maxItems: 8 }),
        username: ByteString,
        credential: ByteString,
      }),
      { maxItems: 4 },
    ),
    /** `relay` when the operator makes all media go through TURN. */
    iceTransportPolicy: Type.Union([Type.Literal('all'), Type.Literal('relay')]),
    /**
     * Your send and receive transports, made with the welcome: no request
     * stands between it and media. Absent only for the server's own phone
     * participants, whose media does not travel over WebRTC; `send` is
     * absent for attendees, who only receive.
     */
    transports: Type.Optional(strict({ send: Type.Optional(TransportOptions), recv: TransportOptions })),
    /** To hosts, when this server takes phone calls. */
    dialIn: Type.Optional(DialIn),
  }),
  /** A host turned you away from the lobby. */
  denied: strict({ reason: Reason }),
  /** To the host who asked: the phone you called did not answer, or the call failed. */
  dialOutFailed: strict({ target: Type.String({ maxLength: 128, pattern: PLAIN_TEXT_PATTERN }), reason: Reason }),
  peerJoined: strict({ peer: PeerInfo }),
  peerUpdated: strict({ peer: PeerInfo }),
  peerLeft: strict({ peerId: Id }),
  /** To hosts: who is waiting in the lobby now. */
  lobbyChanged: strict({ waiting: Type.Array(WaitingPeer) }),
  roomUpdated: strict({ room: RoomSettings }),
  /** To hosts: a recording of this meeting is ready to download. */
  recordingReady: strict({ recording: RecordingInfo }),
  /** To hosts: a recording or a live stream stopped because of a problem. */
  egressFailed: strict({ what: Type.Union([Type.Literal('recording'), Type.Literal('streaming')]), reason: Reason }),
  /** You became a host; keep this credential to come back as one. */
  promoted: strict({ credential: Credential, dialIn: Type.Optional(DialIn) }),
  /** How many attendees the meeting has now; sent at most once a second. */
  audienceChanged: strict({ count: Type.Integer({ minimum: 0 }) }),
  /** A host made you a panelist: send with this transport (and keep the credential to come back as one). */
  becamePanelist: strict({ send: TransportOptions, credential: Credential, peers: Type.Array(PeerInfo) }),
  /** A host made you an attendee: your media stopped; `peers` is the panel you now see. */
  becameAttendee: strict({ credential: Credential, peers: Type.Array(PeerInfo), audience: Type.Integer({ minimum: 0 }) }),
  /** To panelists (and the asker): a new question. */
  questionAsked: strict({ question: Question }),
  /** To everyone: a question with its answer. */
  questionAnswered: strict({ question: Question }),
  /** To panelists and the asker: a question was set aside. */
  questionDismissed: strict({ question: Question }),
  /** A host muted your mic, stopped your camera or ended your screen share. */
  mediaStoppedByHost: strict({ producerId: Id, source: MediaSource }),
  /** A host asks you to unmute your microphone; whether to is yours to decide. */
  unmuteRequested: Empty,
  chatMessage: strict({ message: ChatMessage }),
  reaction: strict({ peerId: Id, reaction: Reaction }),
  /** Participants whose microphone is producing sound, loudest first. */
  speakers: strict({ peerIds: Type.Array(Id) }),
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
  /**
   * The media worker serving you died: your transports, producers and
   * consumers are gone, but you are still in the meeting (same peer id,
   * connection, role). Create both transports again and produce again;
   * what others send is offered anew as `newConsumer`.
   */
  mediaReset: strict({ reason: Reason }),
  /** The server is ending this session. */
  sessionClosed: strict({
    reason: Reason,
    /** `server`: a restart, or a lost media worker the room could not replace (joining again works); `replaced`: the same person joined elsewhere. */
    cause: Type.Union([Type.Literal('removed'), Type.Literal('ended'), Type.Literal('server'), Type.Literal('replaced')]),
  }),
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
