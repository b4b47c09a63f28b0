/**
 * Whole video frames from RTP packets, for VP8 (RFC 7741) and H.264
 * (RFC 6184, packetization mode 1). A frame is the payloads of consecutive
 * packets with one timestamp, up to the marker bit; a frame with a missing
 * packet is dropped, and so is everything after it until the next keyframe,
 * since it would decode against a picture that is not there. So is a frame
 * larger than any real one: a sender that never ends a frame cannot make
 * this process hold it without bound.
 */

export interface VideoFrame {
  /** The RTP timestamp, unwrapped by the caller. */
  timestamp: number;
  keyframe: boolean;
  data: Buffer;
}

export interface RtpPacketView {
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
  payload: Buffer;
}

interface Codec {
  /** The frame data this packet carries, and whether it starts a frame; undefined when malformed. */
  payload(packet: Buffer): { data: Buffer; starts: boolean } | undefined;
  isKeyframe(frame: Buffer): boolean;
}

const VP8: Codec = {
  payload(packet) {
    if (packet.length < 1) return undefined;
    let offset = 1;
    const first = packet[0]!;
    if (first & 0x80) {
      if (packet.length < 2) return undefined;
      const extension = packet[1]!;
      offset = 2;
      if (extension & 0x80) offset += packet[offset]! & 0x80 ? 2 : 1; // picture id, 7 or 15 bits
      if (extension & 0x40) offset += 1; // TL0PICIDX
      if (extension & 0x30) offset += 1; // TID / KEYIDX
    }
    if (offset > packet.length) return undefined;
    const starts = (first & 0x10) !== 0 && (first & 0x07) === 0;
    return { data: packet.subarray(offset), starts };
  },
  // The first bit of a VP8 frame's tag is 0 for a keyframe.
  isKeyframe: (frame) => frame.length > 3 && (frame[0]! & 0x01) === 0,
};

const START_CODE = Buffer.from([0, 0, 0, 1]);

const H264: Codec = {
  payload(packet) {
    if (packet.length < 1) return undefined;
    const type = packet[0]! & 0x1f;
    if (type >= 1 && type <= 23) return { data: Buffer.concat([START_CODE, packet]), starts: true };
    if (type === 24) {
      // STAP-A: several NAL units, each after a 16-bit size.
      const units: Buffer[] = [];
      for (let offset = 1; offset + 2 <= packet.length; ) {
        const size = packet.readUInt16BE(offset);
        offset += 2;
        if (size === 0 || offset + size > packet.length) return undefined;
        units.push(START_CODE, packet.subarray(offset, offset + size));
        offset += size;
      }
      return { data: Buffer.concat(units), starts: true };
    }
    if (type === 28) {
      // FU-A: one NAL unit in pieces; the first piece rebuilds its header.
      if (packet.length < 2) return undefined;
      const header = packet[1]!;
      if (header & 0x80) return { data: Buffer.concat([START_CODE, Buffer.from([(packet[0]! & 0xe0) | (header & 0x1f)]), packet.subarray(2)]), starts: true };
      return { data: packet.subarray(2), starts: false };
    }
    return undefined;
  },
  isKeyframe(frame) {
    // An IDR slice (5) or a sequence parameter set (7) after a start code.
    for (let i = 0; i + 4 < frame.length; i++) {
      if (frame[i] === 0 && frame[i + 1] === 0 && frame[i + 2] === 1) {
        const type = frame[i + 3]! & 0x1f;
        if (type === 5 || type === 7) return true;
      }
    }
    return false;
  },
};

/** Far above any real frame (a 4K keyframe is a few hundred kB). */
const MAX_FRAME_BYTES = 8 * 1024 * 1024;

export function depacketizerFor(mimeType: string): FrameAssembler | undefined {
  switch (mimeType.toLowerCase()) {
    case 'video/vp8':
      return new FrameAssembler(VP8);
    case 'video/h264':
      return new FrameAssembler(H264);
    default:
      return undefined;
  }
}

export class FrameAssembler {
  private parts: Buffer[] = [];
  private bytes = 0;
  private timestamp: number | undefined;
  private broken = false;
  private lastSequence: number | undefined;
  private waitingForKeyframe = true;

  constructor(private readonly codec: Codec) {}

  /** Adds a packet (in arrival order); returns the frame it completes, if any. */
  push(packet: RtpPacketView): VideoFrame | undefined {
    const lost = this.lastSequence !== undefined && packet.sequenceNumber !== ((this.lastSequence + 1) & 0xffff);
    this.lastSequence = packet.sequenceNumber;
    const newFrame = packet.timestamp !== this.timestamp;
    if (newFrame) {
      // A new frame began before the old one's marker: the old one lost its end.
      if (this.parts.length > 0 || this.broken) this.waitingForKeyframe = true;
      this.parts = [];
      this.bytes = 0;
      this.timestamp = packet.timestamp;
      this.broken = false;
    }
    // Whatever was lost, later frames may refer to it; within a frame, the frame is gone too.
    if (lost) {
      this.waitingForKeyframe = true;
      if (!newFrame) this.broken = true;
    }
    const piece = this.codec.payload(packet.payload);
    this.bytes += piece?.data.length ?? 0;
    if (!piece || (this.parts.length === 0 && !piece.starts) || this.bytes > MAX_FRAME_BYTES) this.broken = true;
    // A broken frame is dropped whole: nothing of it is kept meanwhile.
    if (!piece || this.broken) this.parts = [];
    else this.parts.push(piece.data);
    if (!piece || !packet.marker) return undefined;
    const parts = this.parts;
    this.parts = [];
    this.timestamp = undefined;
    if (this.broken) {
      this.waitingForKeyframe = true;
      return undefined;
    }
    const data = Buffer.concat(parts);
    const keyframe = this.codec.isKeyframe(data);
    if (this.waitingForKeyframe && !keyframe) return undefined;
    this.waitingForKeyframe = false;
    return { timestamp: packet.timestamp, keyframe, data };
  }
}

/** Width and height from a VP8 keyframe's header, if it is one. */
export function vp8Size(frame: Buffer): { width: number; height: number } | undefined {
  if (frame.length < 10 || frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) return undefined;
  return { width: frame.readUInt16LE(6) & 0x3fff, height: frame.readUInt16LE(8) & 0x3fff };
}
