/**
 * Reads the SDP offer of a WHIP publisher (RFC 9725) or a WHEP player: the
 * transport (ICE credentials, DTLS fingerprints and role) and, for the one
 * audio and the one video m-line Parley takes, what it offers in checked,
 * typed form. Every other m-line is kept only so that the answer can
 * reject it in place. Anything malformed is an `SdpError` (400).
 */
import sdpTransform from 'sdp-transform';
import type { types } from 'mediasoup';
import { checkOfferText, ICE_PWD, ICE_UFRAG, MID, NAME, quote, readFingerprint, SdpError } from './sdp-guard.js';
import { readMediaSection, type OfferedDirection, type OfferedMedia, type Purpose } from './sdp-media.js';

export { SdpError } from './sdp-guard.js';

export type { OfferedCodec, OfferedDirection, OfferedMedia, Purpose } from './sdp-media.js';

/** Any m-line of the offer, as far as the answer must repeat it. */
export interface OfferedLine {
  mid: string;
  type: string;
  protocol: string;
  /** The first format of the m-line, repeated when it is rejected. */
  format: string;
}

export interface Offer {
  /** The m-lines Parley may accept: at most one audio and one video, in the offer's order. */
  media: OfferedMedia[];
  /** Every m-line of the offer, in order. */
  lines: OfferedLine[];
  iceUfrag: string;
  icePwd: string;
  /** The client's DTLS parameters for WebRtcTransport.connect(): role 'client' (its a=setup is actpass or active). */
  dtls: types.DtlsParameters;
}

const MAX_FINGERPRINTS = 8;
const SENDS = new Set(['sendonly', 'sendrecv']);
const RECEIVES = new Set(['recvonly', 'sendrecv']);

/** Throws SdpError(400) with a reason for SDP that is malformed, breaks a rule, or has nothing Parley could take. */
export function parseOffer(sdp: string, purpose: Purpose): Offer {
  const rawLines = checkOfferText(sdp);
  let session: sdpTransform.SessionDescription;
  try {
    session = sdpTransform.parse(`${rawLines.join('\r\n')}\r\n`);
  } catch {
    throw new SdpError(400, 'the offer does not parse as SDP');
  }
  const sections = session.media ?? [];
  if (sections.length === 0) throw new SdpError(400, 'the offer has no m-lines');

  const lines: OfferedLine[] = [];
  const media: OfferedMedia[] = [];
  const accepted: sdpTransform.MediaDescription[] = [];
  let audioOrVideo = false;
  for (const [index, section] of sections.entries()) {
    const line = readLine(section, index);
    if (lines.some((other) => other.mid === line.mid)) throw new SdpError(400, `two m-lines have the mid ${quote(line.mid)}`);
    lines.push(line);
    const kind = section.type;
    if (kind !== 'audio' && kind !== 'video') continue;
    if (!(section.port > 0 || section.bundleOnly) || !/SAVPF$/.test(line.protocol)) continue;
    audioOrVideo = true;
    const direction = String(section.direction ?? session.direction ?? 'sendrecv');
    if (!(purpose === 'publish' ? SENDS : RECEIVES).has(direction)) continue;
    if (media.some((taken) => taken.kind === kind)) continue;
    if (!section.rtcpMux) throw new SdpError(400, `m-line ${quote(line.mid)} lacks a=rtcp-mux, which Parley requires`);
    media.push(readMediaSection(section, { mid: line.mid, kind, index, direction: direction as OfferedDirection, purpose }));
    accepted.push(section);
  }
  if (media.length === 0) {
    if (!audioOrVideo) throw new SdpError(400, 'the offer has no audio or video m-line over UDP/TLS/RTP/SAVPF');
    throw new SdpError(
      400,
      purpose === 'publish' ? 'a WHIP offer must send media: its m-lines must be sendonly or sendrecv' : 'a WHEP offer must receive media: its m-lines must be recvonly or sendrecv',
    );
  }
  const first = accepted[0]!;
  return { media, lines, ...iceOf(first, session), dtls: dtlsOf(first, session, rawLines) };
}

function readLine(section: sdpTransform.MediaDescription, index: number): OfferedLine {
  const type = String(section.type);
  const protocol = String(section.protocol);
  if (!NAME.test(type) || !NAME.test(protocol)) throw new SdpError(400, `m-line ${index + 1} is malformed`);
  if (section.mid === undefined) throw new SdpError(400, `m-line ${index + 1} has no a=mid`);
  const mid = String(section.mid);
  if (!MID.test(mid)) throw new SdpError(400, `m-line ${index + 1} has an invalid a=mid: ${quote(mid)}`);
  const format = String(section.payloads ?? '').split(' ')[0] ?? '';
  if (!NAME.test(format)) throw new SdpError(400, `m-line ${index + 1} has an invalid format: ${quote(format)}`);
  return { mid, type, protocol, format };
}

function iceOf(first: sdpTransform.MediaDescription, session: sdpTransform.SessionDescription): { iceUfrag: string; icePwd: string } {
  const ufrag = first.iceUfrag ?? session.iceUfrag;
  const pwd = first.icePwd ?? session.icePwd;
  if (ufrag === undefined || pwd === undefined) throw new SdpError(400, 'the offer has no a=ice-ufrag and a=ice-pwd');
  const iceUfrag = String(ufrag);
  const icePwd = String(pwd);
  if (!ICE_UFRAG.test(iceUfrag)) throw new SdpError(400, 'a=ice-ufrag must be 4 to 256 letters, digits, "+" or "/"');
  if (!ICE_PWD.test(icePwd)) throw new SdpError(400, 'a=ice-pwd must be 22 to 256 letters, digits, "+" or "/"');
  return { iceUfrag, icePwd };
}

function dtlsOf(first: sdpTransform.MediaDescription, session: sdpTransform.SessionDescription, rawLines: string[]): types.DtlsParameters {
  const setup = first.setup ?? session.setup;
  if (setup === 'passive') throw new SdpError(400, 'Parley is the DTLS server; offer a=setup:actpass');
  if (setup !== 'actpass' && setup !== 'active') throw new SdpError(400, 'the offer needs a=setup:actpass');
  // sdp-transform keeps one fingerprint per section; an offer may carry several, all valid.
  const fingerprints: types.DtlsFingerprint[] = [];
  for (const line of rawLines) {
    if (!line.startsWith('a=fingerprint:')) continue;
    const fingerprint = readFingerprint(line.slice('a=fingerprint:'.length).trim());
    if (fingerprint && !fingerprints.some((known) => known.algorithm === fingerprint.algorithm && known.value === fingerprint.value)) {
      fingerprints.push(fingerprint);
    }
  }
  if (fingerprints.length === 0) throw new SdpError(400, 'the offer has no a=fingerprint with sha-256, sha-384, sha-512 or sha-1');
  if (fingerprints.length > MAX_FINGERPRINTS) throw new SdpError(400, `the offer has more than ${MAX_FINGERPRINTS} fingerprints`);
  return { role: 'client', fingerprints };
}
