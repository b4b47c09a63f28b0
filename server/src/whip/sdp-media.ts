/**
 * Reads one audio or video m-line of a WHIP/WHEP offer, as sdp-transform
 * parsed it, into checked values: the codecs with their fmtp parameters and
 * RTCP feedback, the one-byte header extensions, and what identifies the
 * sender's streams (SSRCs with their RTX, or simulcast rids, CNAME, msid).
 * Numbers out of range and duplicate ids are an `SdpError` (400); values
 * Parley has no use for are left out.
 */
import type sdpTransform from 'sdp-transform';
import type { types } from 'mediasoup';
import { integerIn, LABEL, NAME, quote, RID, SdpError } from './sdp-guard.js';

export type Purpose = 'publish' | 'watch';
export type OfferedDirection = 'sendonly' | 'recvonly' | 'sendrecv';

export interface OfferedCodec {
  payloadType: number;
  /** The codec name as offered (`VP8`, `opus`, `rtx`…). */
  name: string;
  clockRate: number;
  /** Audio only: 1 when the rtpmap says nothing. */
  channels?: number;
  /** The fmtp parameters; numbers for whole-number values except `profile-level-id`. */
  parameters: Record<string, string | number>;
  rtcpFeedback: types.RtcpFeedback[];
}

/** An audio or video m-line Parley may accept. */
export interface OfferedMedia {
  mid: string;
  kind: 'audio' | 'video';
  /** Its position among all the offer's m-lines. */
  index: number;
  direction: OfferedDirection;
  /** In the offer's order, RTX and the codecs Parley does not know included. */
  codecs: OfferedCodec[];
  /** One-byte header extensions (ids 1-14), with the offer's ids. */
  headerExtensions: { id: number; uri: string }[];
  /** The sender's SSRCs (a=ssrc, a=ssrc-group:FID/SIM), one per encoding. */
  ssrcs: { ssrc: number; rtxSsrc?: number }[];
  /** The rids the sender sends (a=rid send, in a=simulcast order). */
  rids: string[];
  cname?: string;
  msid?: { streamId: string; trackId?: string };
}

interface Where {
  mid: string;
  kind: 'audio' | 'video';
  index: number;
  direction: OfferedDirection;
  purpose: Purpose;
}

const MAX_SSRCS = 32;
const MAX_RIDS = 4;
const MAX_SSRC = 2 ** 32 - 1;
/** Payload types assigned statically (RFC 3551) that an offer may use without an rtpmap. */
const STATIC_CODECS: Record<number, { name: string; clockRate: number }> = {
  0: { name: 'PCMU', clockRate: 8000 },
  8: { name: 'PCMA', clockRate: 8000 },
  9: { name: 'G722', clockRate: 8000 },
};
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function readMediaSection(section: sdpTransform.MediaDescription, where: Where): OfferedMedia {
  const at = `m-line ${quote(where.mid)}`;
  const ssrcs = readSsrcs(section, at);
  const cname = section.ssrcs?.find((line) => line.attribute === 'cname' && LABEL.test(String(line.value ?? '')))?.value;
  const msid = section.msid?.[0];
  return {
    mid: where.mid,
    kind: where.kind,
    index: where.index,
    direction: where.direction,
    codecs: readCodecs(section, where.kind, at),
    headerExtensions: readHeaderExtensions(section, at),
    ssrcs,
    rids: where.purpose === 'publish' ? readRids(section, at) : [],
    ...(cname !== undefined ? { cname: String(cname) } : {}),
    ...(msid && LABEL.test(String(msid.id)) ? { msid: { streamId: String(msid.id), ...(msid.appdata ? { trackId: String(msid.appdata) } : {}) } } : {}),
  };
}

function readCodecs(section: sdpTransform.MediaDescription, kind: 'audio' | 'video', at: string): OfferedCodec[] {
  const payloadTypes = String(section.payloads ?? '')
    .split(' ')
    .map((token) => {
      const payloadType = integerIn(token, 0, 127);
      if (payloadType === undefined) throw new SdpError(400, `${at} has an invalid payload type: ${quote(token)}`);
      return payloadType;
    });
  const rtpmaps = new Map<number, sdpTransform.MediaAttributes['rtp'][number]>();
  for (const rtpmap of section.rtp ?? []) {
    const payloadType = integerIn(rtpmap.payload, 0, 127);
    if (payloadType === undefined) throw new SdpError(400, `${at} has an rtpmap with an invalid payload type`);
    if (rtpmaps.has(payloadType)) throw new SdpError(400, `${at} maps payload type ${payloadType} twice`);
    rtpmaps.set(payloadType, rtpmap);
  }
  const codecs: OfferedCodec[] = [];
  for (const payloadType of new Set(payloadTypes)) {
    const rtpmap = rtpmaps.get(payloadType);
    const known = rtpmap ? { name: String(rtpmap.codec), clockRate: integerIn(rtpmap.rate, 1000, 200_000) } : STATIC_CODECS[payloadType];
    if (!known) continue;
    if (!NAME.test(known.name)) throw new SdpError(400, `${at} has an invalid codec name: ${quote(known.name)}`);
    if (known.clockRate === undefined) throw new SdpError(400, `${at} has an invalid clock rate for payload type ${payloadType}`);
    const codec: OfferedCodec = {
      payloadType,
      name: known.name,
      clockRate: known.clockRate,
      parameters: readParameters(section, payloadType),
      rtcpFeedback: readFeedback(section, payloadType),
    };
    if (kind === 'audio') {
      const channels = rtpmap?.encoding === undefined ? 1 : integerIn(rtpmap.encoding, 1, 8);
      if (channels === undefined) throw new SdpError(400, `${at} has an invalid channel count for payload type ${payloadType}`);
      codec.channels = channels;
    }
    codecs.push(codec);
  }
  return codecs;
}

/** The fmtp `key=value` pairs of a payload type; pairs that are not well-formed tokens are left out. */
function readParameters(section: sdpTransform.MediaDescription, payloadType: number): Record<string, string | number> {
  const parameters: Record<string, string | number> = {};
  const fmtp = section.fmtp?.find((entry) => integerIn(entry.payload, 0, 127) === payloadType);
  for (const pair of String(fmtp?.config ?? '').split(';')) {
    const match = /^\s*([A-Za-z0-9_.-]{1,64})=([\x21-\x3a\x3c-\x7e]{1,256})\s*$/.exec(pair);
    if (!match || UNSAFE_KEYS.has(match[1]!)) continue;
    const [, key, value] = match as unknown as [string, string, string];
    parameters[key] = key !== 'profile-level-id' && /^(0|[1-9]\d{0,8})$/.test(value) ? Number(value) : value;
  }
  return parameters;
}

function readFeedback(section: sdpTransform.MediaDescription, payloadType: number): OfferedCodec['rtcpFeedback'] {
  const feedback: OfferedCodec['rtcpFeedback'] = [];
  for (const entry of section.rtcpFb ?? []) {
    if (entry.payload !== '*' && integerIn(entry.payload, 0, 127) !== payloadType) continue;
    const type = String(entry.type);
    const parameter = entry.subtype === undefined ? '' : String(entry.subtype);
    if (!NAME.test(type) || (parameter !== '' && !NAME.test(parameter))) continue;
    if (!feedback.some((known) => known.type === type && known.parameter === parameter)) feedback.push({ type, parameter });
  }
  return feedback;
}

function readHeaderExtensions(section: sdpTransform.MediaDescription, at: string): OfferedMedia['headerExtensions'] {
  const extensions: OfferedMedia['headerExtensions'] = [];
  const ids = new Set<number>();
  for (const ext of section.ext ?? []) {
    const id = integerIn(ext.value, 1, 255);
    if (id === undefined) throw new SdpError(400, `${at} has an invalid extmap id: ${quote(ext.value)}`);
    if (ids.has(id)) throw new SdpError(400, `${at} uses extmap id ${id} twice`);
    ids.add(id);
    const uri = String(ext.uri);
    if (!/^[\x21-\x7e]{1,256}$/.test(uri)) throw new SdpError(400, `${at} has an invalid extmap URI`);
    // Two-byte ids (15-255), encrypted and inactive extensions are never used.
    if (id > 14 || ext['encrypt-uri'] !== undefined || ext.direction === 'inactive') continue;
    extensions.push({ id, uri });
  }
  return extensions;
}

/** One entry per encoding: a=ssrc-group:SIM in order when there is one, else the first SSRC that is nobody's repair stream. */
function readSsrcs(section: sdpTransform.MediaDescription, at: string): OfferedMedia['ssrcs'] {
  const ssrcOf = (value: unknown) => {
    const ssrc = integerIn(value, 1, MAX_SSRC);
    if (ssrc === undefined) throw new SdpError(400, `${at} has an invalid SSRC: ${quote(value)}`);
    return ssrc;
  };
  const all = [...new Set((section.ssrcs ?? []).map((line) => ssrcOf(line.id)))];
  if (all.length > MAX_SSRCS) throw new SdpError(400, `${at} has more than ${MAX_SSRCS} SSRCs`);
  const rtxOf = new Map<number, number>();
  const repairs = new Set<number>();
  let simulcast: number[] | undefined;
  for (const group of section.ssrcGroups ?? []) {
    const members = String(group.ssrcs).trim().split(/\s+/).map(ssrcOf);
    if (group.semantics === 'SIM') simulcast ??= members;
    else members.slice(1).forEach((member) => repairs.add(member));
    if (group.semantics === 'FID' && members.length === 2) rtxOf.set(members[0]!, members[1]!);
  }
  const primaries = simulcast ?? all.filter((ssrc) => !repairs.has(ssrc)).slice(0, 1);
  return primaries.map((ssrc) => (rtxOf.has(ssrc) ? { ssrc, rtxSsrc: rtxOf.get(ssrc)! } : { ssrc }));
}

/** The rids the sender sends: a=simulcast's send list (first alternative of each, pause marks dropped), else the a=rid send lines. */
function readRids(section: sdpTransform.MediaDescription, at: string): string[] {
  const declared: string[] = [];
  for (const rid of section.rids ?? []) {
    const id = String(rid.id);
    if (!RID.test(id)) throw new SdpError(400, `${at} has an invalid rid: ${quote(id)}`);
    if (rid.direction === 'send' && !declared.includes(id)) declared.push(id);
  }
  if (declared.length > MAX_RIDS) throw new SdpError(400, `${at} offers more than ${MAX_RIDS} simulcast streams`);
  const simulcast = section.simulcast;
  const list = simulcast?.dir1 === 'send' ? simulcast.list1 : simulcast?.dir2 === 'send' ? simulcast.list2 : undefined;
  if (list === undefined) return declared;
  const ordered = String(list)
    .split(';')
    .map((alternatives) => alternatives.split(',')[0]!.replace(/^~/, ''))
    .filter((id) => declared.includes(id));
  return [...new Set(ordered)];
}
