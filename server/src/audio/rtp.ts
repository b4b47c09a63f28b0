/**
 * RTP for the phone bridge, on top of rtp.js: parsing a received packet
 * without ever throwing (anything malformed is simply undefined), building
 * our own packets with a steady SSRC, sequence and timestamp, and rewriting a
 * phone's packet for mediasoup with a new SSRC and payload type plus the
 * RFC 6464 ssrc-audio-level header extension (one-byte form, RFC 8285).
 */
import { packets } from 'rtp.js';
import type { AudioLevel } from './level.js';

// From the package root: the dependency checker does not follow the 'rtp.js/packets' subpath export.
const { RtpPacket } = packets;

export interface RtpFields {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  /** A copy: it outlives the received buffer. */
  payload: Uint8Array;
  /** The ssrc-audio-level extension, when asked for by id and present. */
  audioLevel?: AudioLevel;
}

/** RTP header fields beyond the fixed 12 bytes are rtp.js's to parse; this only refuses the impossible. */
export function parseRtp(packet: Uint8Array, audioLevelExtensionId?: number): RtpFields | undefined {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) return undefined;
  try {
    const parsed = new RtpPacket(new DataView(packet.buffer, packet.byteOffset, packet.length));
    const payload = parsed.getPayload();
    const fields: RtpFields = {
      payloadType: parsed.getPayloadType(),
      sequenceNumber: parsed.getSequenceNumber(),
      timestamp: parsed.getTimestamp(),
      ssrc: parsed.getSsrc(),
      marker: parsed.getMarker(),
      payload: new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength).slice(),
    };
    const level = audioLevelExtensionId === undefined ? undefined : parsed.getExtension(audioLevelExtensionId);
    if (level !== undefined && level.byteLength >= 1) {
      const byte = level.getUint8(0);
      fields.audioLevel = { level: byte & 0x7f, voice: (byte & 0x80) !== 0 };
    }
    return fields;
  } catch {
    return undefined;
  }
}

export interface RtpHeader {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker?: boolean;
  /** Sent as ssrc-audio-level when `audioLevelExtensionId` is set. */
  audioLevel?: AudioLevel;
  audioLevelExtensionId?: number;
}

/** Serialises one packet. Extension ids must be 1..14 (one-byte form). */
export function buildRtp(header: RtpHeader, payload: Uint8Array): Uint8Array {
  const packet = new RtpPacket();
  packet.setPayloadType(header.payloadType);
  packet.setSequenceNumber(header.sequenceNumber & 0xffff);
  packet.setTimestamp(header.timestamp >>> 0);
  packet.setSsrc(header.ssrc >>> 0);
  packet.setMarker(header.marker ?? false);
  const { audioLevel, audioLevelExtensionId: extensionId } = header;
  if (audioLevel !== undefined && extensionId !== undefined) {
    if (!Number.isInteger(extensionId) || extensionId < 1 || extensionId > 14) throw new RangeError(`bad one-byte extension id ${extensionId}`);
    packet.enableOneByteExtensions();
    const level = Math.min(127, Math.max(0, Math.round(audioLevel.level)));
    packet.setExtension(extensionId, new DataView(Uint8Array.of((audioLevel.voice ? 0x80 : 0) | level).buffer));
  }
  packet.setPayload(new DataView(payload.buffer, payload.byteOffset, payload.byteLength));
  const view = packet.getView();
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

export interface RtpStreamOptions {
  ssrc: number;
  payloadType: number;
  /** RTP timestamp units per frame: 160 for 20 ms of G.711, 960 for 20 ms of Opus. */
  samplesPerFrame: number;
  /** Where ssrc-audio-level goes, if the receiver negotiated it. */
  audioLevelExtensionId?: number;
  /** Random when left out, as RFC 3550 asks. */
  initialSequenceNumber?: number;
  initialTimestamp?: number;
}

/** The sending side of one RTP stream: fixed SSRC and payload type, one frame per packet. */
export class RtpStream {
  private sequenceNumber: number;
  private timestamp: number;

  constructor(private readonly options: RtpStreamOptions) {
    this.sequenceNumber = options.initialSequenceNumber ?? Math.floor(Math.random() * 0x10000);
    this.timestamp = options.initialTimestamp ?? Math.floor(Math.random() * 0x1_0000_0000);
  }

  /** The packet for the next frame; the marker starts a talkspurt (after `skip`). */
  next(payload: Uint8Array, options: { marker?: boolean; audioLevel?: AudioLevel } = {}): Uint8Array {
    const packet = buildRtp(
      {
        payloadType: this.options.payloadType,
        sequenceNumber: this.sequenceNumber,
        timestamp: this.timestamp,
        ssrc: this.options.ssrc,
        marker: options.marker,
        audioLevel: options.audioLevel,
        audioLevelExtensionId: this.options.audioLevelExtensionId,
      },
      payload,
    );
    this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff;
    this.skip();
    return packet;
  }

  /** Advances the timestamp over frames not sent (silence), keeping the sequence unbroken. */
  skip(frames = 1): void {
    this.timestamp = (this.timestamp + frames * this.options.samplesPerFrame) >>> 0;
  }
}

export interface RewriteOptions {
  ssrc: number;
  payloadType: number;
  audioLevelExtensionId: number;
  audioLevel: AudioLevel;
}

/**
 * A phone's packet (already parsed) made fit for a mediasoup producer: same
 * sequence number, timestamp, marker and payload, our SSRC and payload
 * type, and only the audio-level extension (the phone's own extensions and
 * CSRCs are dropped).
 */
export function rewriteRtp(packet: RtpFields, options: RewriteOptions): Uint8Array {
  return buildRtp({ ...packet, ...options }, packet.payload);
}
