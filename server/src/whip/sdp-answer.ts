/**
 * Writes Parley's SDP answer to a WHIP or WHEP offer: ICE-lite, one BUNDLE
 * of the accepted m-lines on the one WebRtcTransport, DTLS passive (mediasoup
 * is the DTLS server), and per m-line the codecs, header extensions and
 * streams the caller settled on. Every offered m-line is answered in the
 * offer's order; the ones not accepted have port 0.
 */
import { randomInt } from 'node:crypto';
import sdpTransform from 'sdp-transform';
import type { types } from 'mediasoup';
import type { Offer } from './sdp-offer.js';
import { integerIn, LABEL, MID, NAME, RID } from './sdp-guard.js';

export type AnsweredMedia =
  | { mid: string; accepted: false }
  | {
      mid: string;
      accepted: true;
      direction: 'recvonly' | 'sendonly';
      codecs: types.RtpCodecParameters[];
      headerExtensions: types.RtpHeaderExtensionParameters[];
      rids?: string[];
      ssrc?: { ssrc: number; rtxSsrc?: number; cname: string; streamId: string; trackId: string };
    };

export interface AnswerInput {
  offer: Offer;
  /** The server's: the WebRtcTransport's ICE parameters, candidates and DTLS parameters. */
  ice: types.IceParameters;
  candidates: types.IceCandidate[];
  dtls: types.DtlsParameters;
  media: AnsweredMedia[];
}

type Accepted = Extract<AnsweredMedia, { accepted: true }>;

export function writeAnswer(input: AnswerInput): string {
  const accepted = new Map<string, Accepted>();
  for (const answered of input.media) {
    if (answered.accepted && MID.test(answered.mid) && input.offer.lines.some((line) => line.mid === answered.mid)) accepted.set(answered.mid, answered);
  }
  const fingerprint = fingerprintOf(input.dtls);
  const media = input.offer.lines.map((line): sdpTransform.MediaDescription => {
    const answered = accepted.get(line.mid);
    if (!answered) {
      return { type: line.type, port: 0, protocol: line.protocol, payloads: line.format, mid: line.mid, direction: 'inactive' } as sdpTransform.MediaDescription;
    }
    return {
      type: line.type,
      port: 9,
      protocol: 'UDP/TLS/RTP/SAVPF',
      payloads: answered.codecs.map((codec) => codec.payloadType).join(' '),
      connection: { version: 4, ip: '0.0.0.0' },
      mid: line.mid,
      iceUfrag: input.ice.usernameFragment,
      icePwd: input.ice.password,
      ...(fingerprint ? { fingerprint } : {}),
      setup: 'passive',
      rtcpMux: 'rtcp-mux',
      rtcpRsize: 'rtcp-rsize',
      candidates: input.candidates.map(candidateOf),
      endOfCandidates: 'end-of-candidates',
      direction: answered.direction,
      ...codecLines(answered, input.offer, line.mid),
      ext: answered.headerExtensions.map((ext) => ({ value: ext.id, uri: ext.uri })),
      ...streamLines(answered),
    } as sdpTransform.MediaDescription;
  });
  const session: sdpTransform.SessionDescription = {
    version: 0,
    origin: { username: '-', sessionId: randomInt(1, 2 ** 47), sessionVersion: 2, netType: 'IN', ipVer: 4, address: '127.0.0.1' },
    name: '-',
    timing: { start: 0, stop: 0 },
    icelite: 'ice-lite',
    ...(accepted.size > 0 ? { groups: [{ type: 'BUNDLE', mids: input.offer.lines.filter((line) => accepted.has(line.mid)).map((line) => line.mid).join(' ') }] } : {}),
    msidSemantic: { semantic: 'WMS', token: '*' },
    media,
  };
  return sdpTransform.write(session);
}

/** One fingerprint, sha-256 when the server has it: some stacks (libwebrtc among them) take only one per m-line. */
function fingerprintOf(dtls: types.DtlsParameters): { type: string; hash: string } | undefined {
  const chosen = dtls.fingerprints.find((fingerprint) => fingerprint.algorithm === 'sha-256') ?? dtls.fingerprints.at(-1);
  return chosen ? { type: chosen.algorithm, hash: chosen.value } : undefined;
}

export function candidateOf(candidate: types.IceCandidate): NonNullable<sdpTransform.MediaAttributes['candidates']>[number] {
  return {
    foundation: candidate.foundation,
    component: 1,
    transport: candidate.protocol,
    priority: candidate.priority,
    ip: candidate.address ?? candidate.ip,
    port: candidate.port,
    type: candidate.type,
    ...(candidate.protocol === 'tcp' ? { tcptype: candidate.tcpType ?? 'passive' } : {}),
  };
}

/** rtpmap, fmtp and rtcp-fb of each codec; an H.264 fmtp repeats the offer's profile-level-id for that payload type. */
function codecLines(answered: Accepted, offer: Offer, mid: string): Pick<sdpTransform.MediaDescription, 'rtp' | 'fmtp' | 'rtcpFb'> {
  const offered = offer.media.find((media) => media.mid === mid);
  const rtp: sdpTransform.MediaDescription['rtp'] = [];
  const fmtp: sdpTransform.MediaDescription['fmtp'] = [];
  const rtcpFb: NonNullable<sdpTransform.MediaDescription['rtcpFb']> = [];
  for (const codec of answered.codecs) {
    const [, name = ''] = codec.mimeType.split('/');
    rtp.push({ payload: codec.payloadType, codec: name, rate: codec.clockRate, ...(codec.channels && codec.channels > 1 ? { encoding: codec.channels } : {}) });
    const parameters: Record<string, unknown> = { ...codec.parameters };
    const offeredProfile = offered?.codecs.find((one) => one.payloadType === codec.payloadType)?.parameters['profile-level-id'];
    if (name.toLowerCase() === 'h264' && offeredProfile !== undefined) parameters['profile-level-id'] = offeredProfile;
    const config = Object.entries(parameters)
      .filter(([key, value]) => NAME.test(key) && /^[\x21-\x3a\x3c-\x7e]{1,256}$/.test(String(value)))
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(';');
    if (config) fmtp.push({ payload: codec.payloadType, config });
    for (const feedback of codec.rtcpFeedback ?? []) {
      rtcpFb.push({ payload: codec.payloadType, type: feedback.type, ...(feedback.parameter ? { subtype: feedback.parameter } : {}) });
    }
  }
  return { rtp, fmtp, rtcpFb };
}

/** a=rid recv and a=simulcast for a simulcast publisher; a=msid and a=ssrc lines for what Parley sends. Labels are re-checked: they may come from another client. */
function streamLines(answered: Accepted): Partial<sdpTransform.MediaDescription> {
  const rids = (answered.rids ?? []).filter((rid) => RID.test(rid));
  if (rids.length > 0) {
    return { rids: rids.map((id) => ({ id, direction: 'recv' })), simulcast: { dir1: 'recv', list1: rids.join(';') } };
  }
  const ssrc = answered.ssrc;
  if (!ssrc || integerIn(ssrc.ssrc, 1, 2 ** 32 - 1) === undefined) return {};
  const label = (value: string) => (LABEL.test(value) ? value : value.replace(/[^\x21-\x7e]/g, '').slice(0, 64) || '-');
  const [cname, streamId, trackId] = [label(ssrc.cname), label(ssrc.streamId), label(ssrc.trackId)];
  const ssrcs = [ssrc.ssrc, ...(ssrc.rtxSsrc !== undefined && integerIn(ssrc.rtxSsrc, 1, 2 ** 32 - 1) !== undefined ? [ssrc.rtxSsrc] : [])];
  return {
    msid: [{ id: streamId, appdata: trackId }],
    ssrcs: ssrcs.flatMap((id) => [
      { id, attribute: 'cname', value: cname },
      { id, attribute: 'msid', value: `${streamId} ${trackId}` },
    ]),
    ...(ssrcs.length === 2 ? { ssrcGroups: [{ semantics: 'FID', ssrcs: ssrcs.join(' ') }] } : {}),
  };
}
