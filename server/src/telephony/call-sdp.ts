/**
 * The SDP of a phone call (RFC 3264 offer/answer, audio only), parsed and
 * written with `sdp-transform`. Parley takes the first of PCMU, PCMA and
 * Opus that the phone offers, in the phone's order, plus RFC 4733
 * telephone-events for DTMF. Anything it cannot use is an `SdpError` that
 * says which SIP answer fits.
 */
import net from 'node:net';
import sdpTransform from 'sdp-transform';
import type { PhoneCodec } from '../audio/codecs.js';

export class SdpError extends Error {
  constructor(
    /** 400 for SDP that does not parse, 488 for SDP Parley cannot take. */
    readonly status: 400 | 488,
    message: string,
  ) {
    super(message);
  }
}

export interface CallMedia {
  /** Where the phone wants its RTP. */
  address: string;
  port: number;
  codec: PhoneCodec;
  payloadType: number;
  /** The telephone-event payload type, when the phone sends DTMF in RTP. */
  dtmfPayloadType: number | undefined;
  /** Whether the phone wants to hear us (not on hold). */
  receives: boolean;
  /** Whether the phone says it sends (its RTP is expected). */
  sends: boolean;
}

const MAX_SDP_BYTES = 4_096;
const CODECS: Record<string, PhoneCodec> = {
  'PCMU/8000': { name: 'PCMU', clockRate: 8000, channels: 1 },
  'PCMA/8000': { name: 'PCMA', clockRate: 8000, channels: 1 },
  'OPUS/48000': { name: 'opus', clockRate: 48000, channels: 2 },
};
const STATIC_PAYLOAD_TYPES: Record<number, string> = { 0: 'PCMU/8000', 8: 'PCMA/8000' };

/** What the phone's offer (or answer) asks for; `keep`: the call's codec, taken again when offered again (a re-INVITE). */
export function readCallSdp(sdp: string, keep?: PhoneCodec['name']): CallMedia {
  if (sdp.length === 0) throw new SdpError(488, 'no SDP offer (late offer is not supported)');
  if (sdp.length > MAX_SDP_BYTES || !/^v=0\r?\n/.test(sdp)) throw new SdpError(400, 'malformed SDP');
  // sdp-transform skips what it does not understand; a line that is not `x=...` at all is malformed.
  if (sdp.split(/\r?\n/).some((line) => line !== '' && !/^[a-z]=/.test(line))) throw new SdpError(400, 'malformed SDP');
  let session: sdpTransform.SessionDescription;
  try {
    session = sdpTransform.parse(sdp);
  } catch {
    throw new SdpError(400, 'malformed SDP');
  }
  const audio = session.media?.find((media) => media.type === 'audio' && media.port > 0);
  if (!audio) throw new SdpError(488, 'no audio stream');
  const address = audio.connection?.ip ?? session.connection?.ip;
  if (!address || net.isIPv4(address) === false) throw new SdpError(488, 'no IPv4 connection address');
  if (!Number.isInteger(audio.port) || audio.port < 1 || audio.port > 65535) throw new SdpError(400, 'bad media port');
  const payloads = String(audio.payloads ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  if (payloads.length === 0 || payloads.length > 32 || payloads.some((pt) => !Number.isInteger(pt) || pt < 0 || pt > 127)) {
    throw new SdpError(400, 'bad payload types');
  }
  const nameOf = (pt: number) => {
    const rtp = audio.rtp.find((entry) => entry.payload === pt);
    return rtp ? `${rtp.codec.toUpperCase()}/${rtp.rate ?? ''}` : STATIC_PAYLOAD_TYPES[pt];
  };
  const known = payloads.filter((pt) => {
    const name = nameOf(pt);
    return name !== undefined && CODECS[name] !== undefined;
  });
  const chosen = known.find((pt) => CODECS[nameOf(pt)!]!.name === keep) ?? known[0];
  if (chosen === undefined) throw new SdpError(488, 'no common codec: Parley takes PCMU, PCMA or Opus');
  const codec = CODECS[nameOf(chosen)!]!;
  const dtmf = payloads.find((pt) => nameOf(pt) === `TELEPHONE-EVENT/${codec.clockRate}`);
  const direction = audio.direction ?? session.direction ?? 'sendrecv';
  const receives = (direction === 'sendrecv' || direction === 'recvonly') && address !== '0.0.0.0';
  const sends = direction === 'sendrecv' || direction === 'sendonly';
  return { address, port: audio.port, codec, payloadType: chosen, dtmfPayloadType: dtmf, receives, sends };
}

export interface LocalMedia {
  address: string;
  port: number;
  /** Session version: a new answer or offer in the same call increments it. */
  version: number;
}

/** Our answer: the chosen codec and telephone-events, in the direction that mirrors the phone's (hold: we only receive). */
export function writeAnswer(local: LocalMedia, chosen: CallMedia): string {
  const direction = chosen.receives ? (chosen.sends ? 'sendrecv' : 'sendonly') : chosen.sends ? 'recvonly' : 'inactive';
  return write(local, [chosen.payloadType], chosen, direction);
}

/** Our offer for a call we place: PCMU, PCMA and telephone-events. */
export function writeOffer(local: LocalMedia): string {
  return write(local, [0, 8], { dtmfPayloadType: 101 }, 'sendrecv');
}

function write(local: LocalMedia, payloadTypes: number[], media: Partial<CallMedia>, direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'): string {
  const rtp = payloadTypes.map((payload) => rtpMapOf(payload, media));
  const all = [...payloadTypes];
  if (media.dtmfPayloadType !== undefined) {
    const rate = media.codec?.name === 'opus' ? 48000 : 8000;
    rtp.push({ payload: media.dtmfPayloadType, codec: 'telephone-event', rate });
    all.push(media.dtmfPayloadType);
  }
  const description: sdpTransform.SessionDescription = {
    version: 0,
    origin: { username: 'parley', sessionId: local.port * 1000 + 1, sessionVersion: local.version, netType: 'IN', ipVer: 4, address: local.address },
    name: 'Parley',
    connection: { version: 4, ip: local.address },
    timing: { start: 0, stop: 0 },
    media: [
      {
        type: 'audio',
        port: local.port,
        protocol: 'RTP/AVP',
        payloads: all.join(' '),
        rtp,
        fmtp: media.dtmfPayloadType !== undefined ? [{ payload: media.dtmfPayloadType, config: '0-16' }] : [],
        ptime: 20,
        direction,
      },
    ],
  };
  return sdpTransform.write(description);
}

function rtpMapOf(payload: number, media: Partial<CallMedia>): { payload: number; codec: string; rate: number; encoding?: number } {
  if (payload === 0) return { payload, codec: 'PCMU', rate: 8000 };
  if (payload === 8) return { payload, codec: 'PCMA', rate: 8000 };
  if (media.codec?.name === 'opus') return { payload, codec: 'opus', rate: 48000, encoding: 2 };
  return { payload, codec: media.codec?.name ?? 'PCMU', rate: media.codec?.clockRate ?? 8000 };
}
