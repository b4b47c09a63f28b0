/**
 * From an offered m-line to what mediasoup takes: the RtpParameters of a
 * WHIP publisher's producer and the RtpCapabilities of a WHEP player's
 * consumer. Codecs match on MIME type, clock rate and channels; H.264 also
 * on packetization-mode and profile, where a Baseline offer stands for the
 * router's Constrained Baseline (what WebRTC encoders send under both).
 */
import type { types } from 'mediasoup';
import type { OfferedCodec, OfferedMedia } from './sdp-media.js';
import { quote, SdpError } from './sdp-guard.js';

interface Match {
  offered: OfferedCodec;
  capability: types.RtpCodecCapability;
  /** The offered fmtp parameters as mediasoup must see them. */
  parameters: Record<string, string | number>;
  rtx: OfferedCodec | undefined;
}

const FEEDBACK = new Set(['nack', 'nack pli', 'ccm fir', 'goog-remb', 'transport-cc']);

/** WHIP: the producer's RtpParameters for one offered m-line, or undefined when no codec fits. */
export function publishParameters(media: OfferedMedia, router: types.RtpCapabilities): types.RtpParameters | undefined {
  const chosen = matches(media, router)[0];
  if (!chosen) return undefined;
  const codecs: types.RtpCodecParameters[] = [
    {
      mimeType: chosen.capability.mimeType,
      payloadType: chosen.offered.payloadType,
      clockRate: chosen.offered.clockRate,
      ...(media.kind === 'audio' ? { channels: chosen.offered.channels ?? 1 } : {}),
      parameters: chosen.parameters,
      rtcpFeedback: feedbackOf(chosen.offered),
    },
  ];
  if (chosen.rtx) codecs.push(rtxParameters(media, chosen.rtx, chosen.offered));
  const cname = media.cname ?? (media.msid && media.msid.streamId !== '-' ? media.msid.streamId : undefined);
  return {
    mid: media.mid,
    codecs,
    headerExtensions: extensionsOf(media, router).map(({ id, uri }) => ({ uri: uri as types.RtpHeaderExtensionUri, id, encrypt: false, parameters: {} })),
    encodings: encodingsOf(media, chosen.rtx !== undefined),
    rtcp: { ...(cname !== undefined ? { cname } : {}), reducedSize: true },
  };
}

/** WHEP: the consumer's RtpCapabilities for one offered m-line (every codec both sides have, the offer's numbers), or undefined. */
export function watchCapabilities(media: OfferedMedia, router: types.RtpCapabilities): types.RtpCapabilities | undefined {
  const found = matches(media, router);
  if (found.length === 0) return undefined;
  const codecs: types.RtpCodecCapability[] = [];
  for (const { offered, capability, parameters, rtx } of found) {
    codecs.push({
      kind: media.kind,
      mimeType: capability.mimeType,
      preferredPayloadType: offered.payloadType,
      clockRate: offered.clockRate,
      ...(media.kind === 'audio' ? { channels: offered.channels ?? 1 } : {}),
      parameters,
      rtcpFeedback: feedbackOf(offered),
    });
    if (rtx) {
      const { payloadType, ...rest } = rtxParameters(media, rtx, offered);
      codecs.push({ ...rest, kind: media.kind, preferredPayloadType: payloadType });
    }
  }
  const headerExtensions = extensionsOf(media, router).map(({ id, uri }) => ({
    kind: media.kind,
    uri: uri as types.RtpHeaderExtensionUri,
    preferredId: id,
    preferredEncrypt: false,
    direction: 'sendrecv' as const,
  }));
  return { codecs, headerExtensions };
}

/** Throws SdpError(406) naming what was offered and what Parley takes when no m-line has a codec the router has. */
export function requireSupportedCodec(media: OfferedMedia[], router: types.RtpCapabilities): void {
  if (media.some((one) => matches(one, router).length > 0)) return;
  const offered = [...new Set(media.flatMap((one) => one.codecs.map((codec) => codec.name)).filter((name) => !/^(rtx|red|ulpfec|flexfec.*|telephone-event|CN)$/i.test(name)))];
  const taken = [...new Set((router.codecs ?? []).filter((codec) => !isRtx(codec)).map((codec) => codec.mimeType.split('/')[1]!))];
  throw new SdpError(406, `no supported codec: offered ${quote(offered.slice(0, 8).join(', ') || 'none', 80)}; Parley takes ${taken.join(', ')}`);
}

/** One match per router codec the offer has, in the offer's order. */
function matches(media: OfferedMedia, router: types.RtpCapabilities): Match[] {
  const found: Match[] = [];
  for (const capability of router.codecs ?? []) {
    if (capability.kind !== media.kind || isRtx(capability)) continue;
    const fitting = media.codecs.filter((offered) => fits(offered, capability) && !found.some((match) => match.offered === offered));
    const offered = fitting.find((codec) => h264Profile(codec.parameters) === h264Profile(capability.parameters ?? {})) ?? fitting[0];
    if (!offered) continue;
    found.push({ offered, capability, parameters: parametersFor(offered, capability), rtx: rtxOf(media, offered, capability, router) });
  }
  return found.sort((a, b) => media.codecs.indexOf(a.offered) - media.codecs.indexOf(b.offered));
}

function fits(offered: OfferedCodec, capability: types.RtpCodecCapability): boolean {
  if (`${capability.kind}/${offered.name}`.toLowerCase() !== capability.mimeType.toLowerCase()) return false;
  if (offered.clockRate !== capability.clockRate) return false;
  if (capability.kind === 'audio' && (offered.channels ?? 1) !== (capability.channels ?? 1)) return false;
  if (capability.mimeType.toLowerCase() !== 'video/h264') return true;
  const parameters = capability.parameters ?? {};
  if ((offered.parameters['packetization-mode'] ?? 0) !== (parameters['packetization-mode'] ?? 0)) return false;
  const wanted = h264Profile(parameters);
  const profile = h264Profile(offered.parameters);
  return profile !== 'other' && (profile === wanted || (profile === 'baseline' && wanted === 'constrained-baseline'));
}

/** The profile of an H.264 profile-level-id (RFC 6184 §8.1; absent means Constrained Baseline, as in libwebrtc and mediasoup). */
function h264Profile(parameters: Record<string, unknown>): 'constrained-baseline' | 'baseline' | 'other' {
  const value = parameters['profile-level-id'];
  if (value === undefined) return 'constrained-baseline';
  if (typeof value !== 'string' || !/^[0-9a-fA-F]{6}$/.test(value)) return 'other';
  const profileIdc = parseInt(value.slice(0, 2), 16);
  const profileIop = parseInt(value.slice(2, 4), 16);
  if ((profileIdc === 0x42 && (profileIop & 0x4f) === 0x40) || (profileIdc === 0x4d && (profileIop & 0x8f) === 0x80)) return 'constrained-baseline';
  if (profileIdc === 0x58 && (profileIop & 0xcf) === 0xc0) return 'constrained-baseline';
  if (profileIdc === 0x42 && (profileIop & 0x4f) === 0x00) return 'baseline';
  return 'other';
}

/** A Baseline H.264 offer is given to mediasoup as Constrained Baseline at the offered level, which the router's profile matches. */
function parametersFor(offered: OfferedCodec, capability: types.RtpCodecCapability): Record<string, string | number> {
  const parameters = { ...offered.parameters };
  if (capability.mimeType.toLowerCase() === 'video/h264' && h264Profile(offered.parameters) === 'baseline') {
    parameters['profile-level-id'] = `42e0${String(offered.parameters['profile-level-id']).slice(4).toLowerCase()}`;
  }
  return parameters;
}

/** The offered RTX for a codec, when the router also has RTX for it. */
function rtxOf(media: OfferedMedia, offered: OfferedCodec, capability: types.RtpCodecCapability, router: types.RtpCapabilities): OfferedCodec | undefined {
  const routerHasRtx = (router.codecs ?? []).some((codec) => isRtx(codec) && codec.parameters?.['apt'] === capability.preferredPayloadType);
  if (!routerHasRtx) return undefined;
  return media.codecs.find((codec) => codec.name.toLowerCase() === 'rtx' && codec.parameters['apt'] === offered.payloadType && codec.clockRate === offered.clockRate);
}

function rtxParameters(media: OfferedMedia, rtx: OfferedCodec, offered: OfferedCodec): types.RtpCodecParameters {
  return { mimeType: `${media.kind}/rtx`, payloadType: rtx.payloadType, clockRate: rtx.clockRate, parameters: { apt: offered.payloadType }, rtcpFeedback: [] };
}

function feedbackOf(offered: OfferedCodec): types.RtcpFeedback[] {
  return offered.rtcpFeedback.filter(({ type, parameter }) => FEEDBACK.has(parameter ? `${type} ${parameter}` : type));
}

function extensionsOf(media: OfferedMedia, router: types.RtpCapabilities): OfferedMedia['headerExtensions'] {
  const known = (router.headerExtensions ?? []).filter((ext) => ext.kind === media.kind && ext.direction !== 'inactive');
  return media.headerExtensions.filter((ext) => known.some((candidate) => candidate.uri === ext.uri));
}

/** Simulcast rids; else the SSRCs (with RTX when it is used); else one encoding found by MID, which mediasoup accepts. */
function encodingsOf(media: OfferedMedia, withRtx: boolean): types.RtpEncodingParameters[] {
  if (media.rids.length > 0) return media.rids.map((rid) => ({ rid }));
  if (media.ssrcs.length > 0) {
    return media.ssrcs.map(({ ssrc, rtxSsrc }) => (withRtx && rtxSsrc !== undefined ? { ssrc, rtx: { ssrc: rtxSsrc } } : { ssrc }));
  }
  return [{}];
}

function isRtx(codec: types.RtpCodecCapability): boolean {
  return codec.mimeType.toLowerCase().endsWith('/rtx');
}
