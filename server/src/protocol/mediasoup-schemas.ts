/**
 * Runtime schemas for the mediasoup objects that cross the wire. They bound
 * every array and string; mediasoup's own checks run after these.
 */
import { Type, type Static } from '@sinclair/typebox';

const Token = Type.String({ minLength: 1, maxLength: 128 });
const MediaKind = Type.Union([Type.Literal('audio'), Type.Literal('video')]);
const PayloadType = Type.Integer({ minimum: 0, maximum: 127 });
const ClockRate = Type.Integer({ minimum: 1, maximum: 10_000_000 });
const Channels = Type.Integer({ minimum: 1, maximum: 16 });
const Ssrc = Type.Integer({ minimum: 0, maximum: 0xffffffff });

const CodecParameters = Type.Record(
  Type.String({ maxLength: 64 }),
  Type.Union([Type.String({ maxLength: 256 }), Type.Number()]),
  { maxProperties: 32 },
);

const RtcpFeedback = Type.Object({
  type: Token,
  parameter: Type.Optional(Type.String({ maxLength: 64 })),
});

const RtpCodecCapability = Type.Object({
  kind: MediaKind,
  mimeType: Token,
  preferredPayloadType: Type.Optional(PayloadType),
  clockRate: ClockRate,
  channels: Type.Optional(Channels),
  parameters: Type.Optional(CodecParameters),
  rtcpFeedback: Type.Optional(Type.Array(RtcpFeedback, { maxItems: 16 })),
});

const RtpHeaderExtensionCapability = Type.Object({
  kind: MediaKind,
  uri: Type.String({ minLength: 1, maxLength: 256 }),
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
  mimeType: Token,
  payloadType: PayloadType,
  clockRate: ClockRate,
  channels: Type.Optional(Channels),
  parameters: Type.Optional(CodecParameters),
  rtcpFeedback: Type.Optional(Type.Array(RtcpFeedback, { maxItems: 16 })),
});

const RtpHeaderExtensionParameters = Type.Object({
  uri: Type.String({ minLength: 1, maxLength: 256 }),
  id: Type.Integer({ minimum: 1, maximum: 255 }),
  encrypt: Type.Optional(Type.Boolean()),
  parameters: Type.Optional(CodecParameters),
});

const RtpEncodingParameters = Type.Object({
  ssrc: Type.Optional(Ssrc),
  rid: Type.Optional(Type.String({ maxLength: 32 })),
  codecPayloadType: Type.Optional(PayloadType),
  rtx: Type.Optional(Type.Object({ ssrc: Ssrc })),
  dtx: Type.Optional(Type.Boolean()),
  scalabilityMode: Type.Optional(Type.String({ maxLength: 16 })),
  scaleResolutionDownBy: Type.Optional(Type.Number({ minimum: 1, maximum: 64 })),
  maxBitrate: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
  maxFramerate: Type.Optional(Type.Number({ minimum: 0, maximum: 240 })),
  adaptivePtime: Type.Optional(Type.Boolean()),
  priority: Type.Optional(Type.String({ maxLength: 16 })),
  networkPriority: Type.Optional(Type.String({ maxLength: 16 })),
  active: Type.Optional(Type.Boolean()),
});

export const RtpParameters = Type.Object({
  mid: Type.Optional(Type.String({ maxLength: 32 })),
  codecs: Type.Array(RtpCodecParameters, { minItems: 1, maxItems: 16 }),
  headerExtensions: Type.Optional(Type.Array(RtpHeaderExtensionParameters, { maxItems: 32 })),
  encodings: Type.Optional(Type.Array(RtpEncodingParameters, { maxItems: 8 })),
  rtcp: Type.Optional(
    Type.Object({
      cname: Type.Optional(Type.String({ maxLength: 256 })),
      reducedSize: Type.Optional(Type.Boolean()),
      mux: Type.Optional(Type.Boolean()),
    }),
  ),
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
      value: Type.String({ minLength: 1, maxLength: 256 }),
    }),
    { minItems: 1, maxItems: 8 },
  ),
});
export type DtlsParameters = Static<typeof DtlsParameters>;

export const IceParameters = Type.Object({
  usernameFragment: Token,
  password: Token,
  iceLite: Type.Optional(Type.Boolean()),
});

export const IceCandidate = Type.Object({
  foundation: Token,
  priority: Type.Integer({ minimum: 0 }),
  address: Type.String({ minLength: 1, maxLength: 256 }),
  ip: Type.Optional(Type.String({ maxLength: 256 })),
  protocol: Type.Union([Type.Literal('udp'), Type.Literal('tcp')]),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  type: Type.Union([Type.Literal('host'), Type.Literal('srflx'), Type.Literal('prflx'), Type.Literal('relay')]),
  tcpType: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('passive'), Type.Literal('so')])),
});
