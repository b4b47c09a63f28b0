/**
 * Runtime schemas for the mediasoup objects that cross the wire. They bound
 * every array and string; mediasoup's own checks run after these.
 *
 * Every string that can reach another peer's SDP is held to its SDP grammar
 * (grammar.ts): mediasoup copies a producer's codec parameters, rtcp.cname
 * and msid verbatim into the consumers of it, and mediasoup-client writes
 * them into the remote description of every receiving browser unescaped. A
 * CR or LF there would add SDP lines of the sender's choosing (a=candidate,
 * a=fingerprint) to someone else's session. `errorMessage` is what the
 * refusal says (see validation.ts).
 */
import { Type, type Static } from '@sinclair/typebox';
import {
  CNAME_PATTERN,
  FINGERPRINT_PATTERN,
  FMTP_VALUE_PATTERN,
  HOST_PATTERN,
  iceCharsPattern,
  MIME_TYPE_PATTERN,
  MSID_PATTERN,
  RID_PATTERN,
  SCALABILITY_MODE_PATTERN,
  tokenPattern,
  URI_PATTERN,
} from './grammar.js';

const sdpString = (pattern: string, errorMessage: string, maxLength: number, minLength = 1) =>
  Type.String({ minLength, maxLength, pattern, errorMessage });

const MimeType = sdpString(MIME_TYPE_PATTERN, 'must be type/subtype, two SDP tokens (RFC 8866), e.g. video/VP8', 97);
const RtcpFeedbackType = sdpString(tokenPattern(64), 'must be an SDP token (RFC 8866): 1-64 visible ASCII characters without separators', 64);
const RtcpFeedbackParameter = sdpString(
  tokenPattern(64, 0),
  'must be empty or an SDP token (RFC 8866): up to 64 visible ASCII characters without separators',
  64,
  0,
);
const HeaderExtensionUri = sdpString(URI_PATTERN, 'must be a URI (RFC 3986 characters only), e.g. urn:ietf:params:rtp-hdrext:sdes:mid', 256);
const MediaKind = Type.Union([Type.Literal('audio'), Type.Literal('video')]);
const PayloadType = Type.Integer({ minimum: 0, maximum: 127 });
const ClockRate = Type.Integer({ minimum: 1, maximum: 10_000_000 });
const Channels = Type.Integer({ minimum: 1, maximum: 16 });
const Ssrc = Type.Integer({ minimum: 0, maximum: 0xffffffff });

/** An fmtp parameter value: a number, or a string that cannot break out of `a=fmtp:PT name=value;...`. */
const CodecParameterValue = Type.Union([Type.Number(), Type.String({ minLength: 1, maxLength: 256, pattern: FMTP_VALUE_PATTERN })], {
  errorMessage: "must be a number or 1-256 visible ASCII characters without space, ';' or '='",
});

/** fmtp parameters: names are SDP tokens (`profile-level-id`, `x-google-start-bitrate`, `apt`). */
const CodecParameters = Type.Record(Type.String({ pattern: tokenPattern(64) }), CodecParameterValue, {
  maxProperties: 32,
  additionalProperties: false,
  errorMessage: 'at most 32 parameters, each named by an SDP token (RFC 8866) of 1-64 characters',
});

const RtcpFeedback = Type.Object({
  type: RtcpFeedbackType,
  parameter: Type.Optional(RtcpFeedbackParameter),
});

const RtpCodecCapability = Type.Object({
  kind: MediaKind,
  mimeType: MimeType,
  preferredPayloadType: Type.Optional(PayloadType),
  clockRate: ClockRate,
  channels: Type.Optional(Channels),
  parameters: Type.Optional(CodecParameters),
  rtcpFeedback: Type.Optional(Type.Array(RtcpFeedback, { maxItems: 16 })),
});

const RtpHeaderExtensionCapability = Type.Object({
  kind: MediaKind,
  uri: HeaderExtensionUri,
  preferredId: Type.Integer({ minimum: 1, maximum: 255 }),
  preferredEncrypt: Type.Optional(Type.Boolean()),
  direction: Type.Optional(
    Type.Union([
      Type.Literal('sendrecv'),
      Type.Literal('sendonly'),
      Type.Literal('recvonly'),
      Type.Literal('inactive'),
    ]),
  ),
});

export const RtpCapabilities = Type.Object({
  codecs: Type.Optional(Type.Array(RtpCodecCapability, { maxItems: 64 })),
  headerExtensions: Type.Optional(Type.Array(RtpHeaderExtensionCapability, { maxItems: 32 })),
});
export type RtpCapabilities = Static<typeof RtpCapabilities>;

const RtpCodecParameters = Type.Object({
  mimeType: MimeType,
  payloadType: PayloadType,
  clockRate: ClockRate,
  channels: Type.Optional(Channels),
  parameters: Type.Optional(CodecParameters),
  rtcpFeedback: Type.Optional(Type.Array(RtcpFeedback, { maxItems: 16 })),
});

const RtpHeaderExtensionParameters = Type.Object({
  uri: HeaderExtensionUri,
  id: Type.Integer({ minimum: 1, maximum: 255 }),
  encrypt: Type.Optional(Type.Boolean()),
  parameters: Type.Optional(CodecParameters),
});

const Priority = Type.Union([Type.Literal('very-low'), Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')]);

const RtpEncodingParameters = Type.Object({
  ssrc: Type.Optional(Ssrc),
  rid: Type.Optional(sdpString(RID_PATTERN, 'must be an RTP stream id (RFC 8851): 1-32 letters, digits, - or _', 32)),
  codecPayloadType: Type.Optional(PayloadType),
  rtx: Type.Optional(Type.Object({ ssrc: Ssrc })),
  dtx: Type.Optional(Type.Boolean()),
  scalabilityMode: Type.Optional(sdpString(SCALABILITY_MODE_PATTERN, 'must be a scalability mode such as L1T3 or S3T3_KEY', 16)),
  scaleResolutionDownBy: Type.Optional(Type.Number({ minimum: 1, maximum: 64 })),
  maxBitrate: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
  maxFramerate: Type.Optional(Type.Number({ minimum: 0, maximum: 240 })),
  adaptivePtime: Type.Optional(Type.Boolean()),
  priority: Type.Optional(Priority),
  networkPriority: Type.Optional(Priority),
  active: Type.Optional(Type.Boolean()),
});

export const RtpParameters = Type.Object({
  mid: Type.Optional(sdpString(tokenPattern(32), 'must be an SDP token (RFC 8866) of 1-32 characters', 32)),
  codecs: Type.Array(RtpCodecParameters, { minItems: 1, maxItems: 16 }),
  headerExtensions: Type.Optional(Type.Array(RtpHeaderExtensionParameters, { maxItems: 32 })),
  encodings: Type.Optional(Type.Array(RtpEncodingParameters, { maxItems: 8 })),
  rtcp: Type.Optional(
    Type.Object({
      cname: Type.Optional(sdpString(CNAME_PATTERN, 'must be up to 256 visible ASCII characters, no space', 256, 0)),
      reducedSize: Type.Optional(Type.Boolean()),
      mux: Type.Optional(Type.Boolean()),
    }),
  ),
  /** `streamId trackId` (mediasoup-client sets it; mediasoup hands it to consumers, whose a=msid it becomes). */
  msid: Type.Optional(sdpString(MSID_PATTERN, 'must be "streamId trackId", each an SDP token (RFC 8866) of 1-64 characters', 129)),
});
export type RtpParameters = Static<typeof RtpParameters>;

export const DtlsParameters = Type.Object({
  role: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('client'), Type.Literal('server')])),
  fingerprints: Type.Array(
    Type.Object({
      algorithm: Type.Union([
        Type.Literal('sha-1'),
        Type.Literal('sha-224'),
        Type.Literal('sha-256'),
        Type.Literal('sha-384'),
        Type.Literal('sha-512'),
      ]),
      value: sdpString(FINGERPRINT_PATTERN, 'must be hex byte pairs separated by colons, e.g. AB:CD:...', 191),
    }),
    { minItems: 1, maxItems: 8 },
  ),
});
export type DtlsParameters = Static<typeof DtlsParameters>;

export const IceParameters = Type.Object({
  usernameFragment: sdpString(iceCharsPattern(256), 'must be ICE characters (letters, digits, + and /)', 256),
  password: sdpString(iceCharsPattern(256), 'must be ICE characters (letters, digits, + and /)', 256),
  iceLite: Type.Optional(Type.Boolean()),
});

export const IceCandidate = Type.Object({
  foundation: sdpString(iceCharsPattern(32), 'must be 1-32 ICE characters (letters, digits, + and /)', 32),
  priority: Type.Integer({ minimum: 0 }),
  address: sdpString(HOST_PATTERN, 'must be an IP address or host name', 253),
  ip: Type.Optional(sdpString(HOST_PATTERN, 'must be an IP address', 253)),
  protocol: Type.Union([Type.Literal('udp'), Type.Literal('tcp')]),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  type: Type.Union([Type.Literal('host'), Type.Literal('srflx'), Type.Literal('prflx'), Type.Literal('relay')]),
  tcpType: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('passive'), Type.Literal('so')])),
});
