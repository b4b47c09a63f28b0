/**
 * Pre-made RTP for bots: werift neither encodes nor decodes, and an SFU only
 * forwards, so bots send packets shaped like VP8 video and Opus audio at a
 * steady rate. Every 30th video frame is marked a keyframe so receivers'
 * keyframe requests are answered within a second. The rate follows the
 * clock, not the timer's ticks: on a busy machine ticks come late, and
 * counting ticks would send less than the stated rate.
 */
import { RtpHeader, RtpPacket, type MediaStreamTrack } from 'msc-node';

export interface StreamShape {
  kind: 'audio' | 'video';
  packetsPerSecond: number;
  payloadBytes: number;
}

export const VIDEO: StreamShape = { kind: 'video', packetsPerSecond: 100, payloadBytes: 1000 }; // ~800 kbit/s
export const AUDIO: StreamShape = { kind: 'audio', packetsPerSecond: 50, payloadBytes: 80 }; // ~32 kbit/s

const VIDEO_PACKETS_PER_FRAME = 4;
const TICK_MS = 20;
/** After a stall, catch up by at most this much media at once rather than send a burst. */
const MAX_CATCH_UP_MS = 100;

export interface SyntheticSender {
  stop(): void;
  /** Packets sent so far. */
  readonly sent: number;
}

/** Feeds `track` until stopped. */
export function sendSynthetic(track: MediaStreamTrack, shape: StreamShape, ssrc: number): SyntheticSender {
  let sequence = 0;
  let timestamp = 0;
  let owed = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    owed += (Math.min(now - last, MAX_CATCH_UP_MS) / 1000) * shape.packetsPerSecond;
    last = now;
    for (; owed >= 1; owed--) {
      const payload = Buffer.alloc(shape.payloadBytes, 0x5a);
      let marker = false;
      if (shape.kind === 'video') {
        const indexInFrame = sequence % VIDEO_PACKETS_PER_FRAME;
        const frame = Math.floor(sequence / VIDEO_PACKETS_PER_FRAME);
        payload[0] = indexInFrame === 0 ? 0x10 : 0x00; // VP8 descriptor: S bit on a frame's first packet
        payload[1] = frame % 30 === 0 ? 0x00 : 0x01; // VP8 header: P bit clear on keyframes
        marker = indexInFrame === VIDEO_PACKETS_PER_FRAME - 1;
        if (marker) timestamp += 90_000 / (shape.packetsPerSecond / VIDEO_PACKETS_PER_FRAME);
      } else {
        payload[0] = 0xfc; // Opus TOC
        timestamp += 960;
        marker = false;
      }
      const header = new RtpHeader({ payloadType: 0, sequenceNumber: sequence++ & 0xffff, timestamp: timestamp >>> 0, ssrc, marker });
      track.writeRtp(new RtpPacket(header, payload));
    }
  }, TICK_MS);
  return {
    stop: () => clearInterval(timer),
    get sent() {
      return sequence;
    },
  };
}
