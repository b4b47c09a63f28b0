/**
 * Reading RTP as the recorder needs it: a packet's sequence number,
 * timestamp, marker and payload (past CSRCs, extensions and padding), and
 * the audio codecs it can decode.
 */
import type { PhoneCodec } from '../audio/codecs.js';
import type { RtpPacketView } from './depacketize.js';

/** A well-formed RTP packet's fields; undefined for anything else. */
export function rtpView(packet: Buffer): RtpPacketView | undefined {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) return undefined;
  let offset = 12 + (packet[0]! & 0x0f) * 4;
  if (packet[0]! & 0x10) offset = offset + 4 <= packet.length ? offset + 4 + packet.readUInt16BE(offset + 2) * 4 : Infinity;
  const end = packet[0]! & 0x20 ? packet.length - packet[packet.length - 1]! : packet.length;
  if (offset > end) return undefined;
  return { sequenceNumber: packet.readUInt16BE(2), timestamp: packet.readUInt32BE(4), marker: (packet[1]! & 0x80) !== 0, payload: packet.subarray(offset, end) };
}

const AUDIO_CODECS: Record<string, PhoneCodec> = {
  'audio/opus': { name: 'opus', clockRate: 48000, channels: 2 },
  'audio/pcmu': { name: 'PCMU', clockRate: 8000, channels: 1 },
  'audio/pcma': { name: 'PCMA', clockRate: 8000, channels: 1 },
};

/** The decoder's codec for an audio MIME type, if it is one the audio engine decodes. */
export const audioCodec = (mimeType: string): PhoneCodec | undefined => AUDIO_CODECS[mimeType.toLowerCase()];
