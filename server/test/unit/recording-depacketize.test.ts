/**
 * Whole video frames from RTP (recording/depacketize.ts), with payloads
 * built by hand: VP8 with and without the extended descriptor, H.264 as
 * single NAL units, STAP-A and FU-A. A frame that lost a packet (its middle
 * or its marker) is dropped, and so is everything after it until the next
 * keyframe; packets out of order count as lost; sequence numbers wrap.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { depacketizerFor, vp8Size, type FrameAssembler, type RtpPacketView, type VideoFrame } from '../../src/recording/depacketize.js';
import { QUICK } from '../helpers/timeouts.js';

/** A VP8 keyframe's first bytes: tag (keyframe bit 0), start code, 64×48. */
const VP8_KEY = Buffer.from([0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 64, 0, 48, 0, 0xaa, 0xbb, 0xcc, 0xdd]);
/** An interframe: the tag's first bit is 1. */
const VP8_DELTA = Buffer.from([0x31, 0x01, 0x00, 0x11, 0x22, 0x33, 0x44]);

/** A VP8 payload descriptor: `start` sets S with partition 0; `pictureId` (7 or 15 bits) and `tl0`/`tid` use the extended form. */
function vp8Descriptor(start: boolean, extended?: { pictureId?: number; longPictureId?: boolean; tl0?: number; tid?: number }): Buffer {
  if (!extended) return Buffer.from([start ? 0x10 : 0x00]);
  const bytes = [0x80 | (start ? 0x10 : 0), 0];
  if (extended.pictureId !== undefined) {
    bytes[1]! |= 0x80;
    if (extended.longPictureId) bytes.push(0x80 | (extended.pictureId >> 8), extended.pictureId & 0xff);
    else bytes.push(extended.pictureId & 0x7f);
  }
  if (extended.tl0 !== undefined) {
    bytes[1]! |= 0x40;
    bytes.push(extended.tl0);
  }
  if (extended.tid !== undefined) {
    bytes[1]! |= 0x20;
    bytes.push(extended.tid << 6);
  }
  return Buffer.from(bytes);
}

/** A frame's bytes cut into `pieces` VP8 payloads. */
function vp8Payloads(frame: Buffer, pieces: number, extended?: Parameters<typeof vp8Descriptor>[1]): Buffer[] {
  const size = Math.ceil(frame.length / pieces);
  return Array.from({ length: pieces }, (_, index) => Buffer.concat([vp8Descriptor(index === 0, extended), frame.subarray(index * size, (index + 1) * size)]));
}

/** RTP views of one frame's payloads, from sequence number `first`. */
function packetsOf(payloads: Buffer[], timestamp: number, first: number): RtpPacketView[] {
  return payloads.map((payload, index) => ({ sequenceNumber: (first + index) & 0xffff, timestamp, marker: index === payloads.length - 1, payload }));
}

function feed(assembler: FrameAssembler, packets: RtpPacketView[]): VideoFrame[] {
  return packets.flatMap((packet) => assembler.push(packet) ?? []);
}

/** Frames 0..n-1 at 3000 ticks apart, `perFrame` packets each, sequence numbers from `first`; frame k is a keyframe if `keys` has it. */
function vp8Stream(count: number, keys: Set<number>, perFrame = 3, first = 1000): RtpPacketView[][] {
  return Array.from({ length: count }, (_, k) => {
    const data = Buffer.concat([keys.has(k) ? VP8_KEY : VP8_DELTA, Buffer.from([k])]);
    return packetsOf(vp8Payloads(data, perFrame), 90_000 + k * 3000, first + k * perFrame);
  });
}

test('VP8: a keyframe in one packet, and one over three packets with 15-bit and 7-bit picture ids, TL0PICIDX and TID', QUICK, () => {
  const vp8 = depacketizerFor('video/VP8')!;
  assert.deepEqual(feed(vp8, packetsOf([Buffer.concat([vp8Descriptor(true), VP8_KEY])], 1234, 1)), [{ timestamp: 1234, keyframe: true, data: VP8_KEY }]);
  const long = feed(vp8, packetsOf(vp8Payloads(VP8_KEY, 3, { pictureId: 0x1abc, longPictureId: true, tl0: 7, tid: 2 }), 4234, 2));
  assert.deepEqual(long, [{ timestamp: 4234, keyframe: true, data: VP8_KEY }]);
  const short = feed(vp8, packetsOf(vp8Payloads(VP8_DELTA, 2, { pictureId: 0x55 }), 7234, 5));
  assert.deepEqual(short, [{ timestamp: 7234, keyframe: false, data: VP8_DELTA }]);
  assert.deepEqual(vp8Size(VP8_KEY), { width: 64, height: 48 });
  assert.equal(vp8Size(VP8_DELTA), undefined);
});

test('VP8: nothing comes out before the first keyframe', QUICK, () => {
  const frames = feed(depacketizerFor('video/vp8')!, vp8Stream(4, new Set([2])).flat());
  assert.deepEqual(
    frames.map((frame) => frame.data.at(-1)),
    [2, 3],
  );
});

test('a packet lost mid-frame drops that frame and everything until the next keyframe', QUICK, () => {
  const stream = vp8Stream(6, new Set([0, 4]));
  stream[1]!.splice(1, 1);
  const frames = feed(depacketizerFor('video/vp8')!, stream.flat());
  assert.deepEqual(
    frames.map((frame) => [frame.data.at(-1), frame.keyframe]),
    [
      [0, true],
      [4, true],
      [5, false],
    ],
  );
});

test("a frame's lost marker packet drops it and everything until the next keyframe", QUICK, () => {
  const stream = vp8Stream(5, new Set([0, 3]));
  stream[1]!.pop();
  const frames = feed(depacketizerFor('video/vp8')!, stream.flat());
  assert.deepEqual(
    frames.map((frame) => frame.data.at(-1)),
    [0, 3, 4],
  );
});

test("a frame's lost first packet drops it too", QUICK, () => {
  const stream = vp8Stream(4, new Set([0, 2]));
  stream[1]!.shift();
  assert.deepEqual(
    feed(depacketizerFor('video/vp8')!, stream.flat()).map((frame) => frame.data.at(-1)),
    [0, 2, 3],
  );
});

test('packets reordered across frames count as lost: the frames wait for the next keyframe', QUICK, () => {
  const stream = vp8Stream(5, new Set([0, 4]));
  // Frame 2's first packet overtakes frame 1's marker.
  const [one, two] = [stream[1]!, stream[2]!];
  const reordered = [...stream[0]!, one[0]!, one[1]!, two[0]!, one[2]!, two[1]!, two[2]!, ...stream[3]!, ...stream[4]!];
  assert.deepEqual(
    feed(depacketizerFor('video/vp8')!, reordered).map((frame) => frame.data.at(-1)),
    [0, 4],
  );
});

test('sequence numbers wrap from 65535 to 0 without loss', QUICK, () => {
  const frames = feed(depacketizerFor('video/vp8')!, vp8Stream(4, new Set([0]), 3, 65_530).flat());
  assert.deepEqual(
    frames.map((frame) => frame.data.at(-1)),
    [0, 1, 2, 3],
  );
  assert.deepEqual(
    frames.map((frame) => frame.timestamp),
    [90_000, 93_000, 96_000, 99_000],
  );
});

const START = Buffer.from([0, 0, 0, 1]);
const SPS = Buffer.from([0x67, 0x42, 0xe0, 0x1f, 0x8d]);
const PPS = Buffer.from([0x68, 0xce, 0x3c, 0x80]);
const IDR_BODY = Buffer.from([0x88, 0x84, 0x00, 0x33, 0xff, 0x10, 0x20, 0x30, 0x40]);
const stapA = (...units: Buffer[]) => Buffer.concat([Buffer.from([0x78]), ...units.flatMap((unit) => [Buffer.from([unit.length >> 8, unit.length & 0xff]), unit])]);
/** An IDR slice (NAL header 0x65) as FU-A pieces of its body. */
const fuA = (body: Buffer, pieces: number) => {
  const size = Math.ceil(body.length / pieces);
  return Array.from({ length: pieces }, (_, index) => {
    const header = (index === 0 ? 0x80 : 0) | (index === pieces - 1 ? 0x40 : 0) | 5;
    return Buffer.concat([Buffer.from([0x7c, header]), body.subarray(index * size, (index + 1) * size)]);
  });
};

test('H.264: STAP-A parameter sets and an FU-A IDR slice make one keyframe with start codes', QUICK, () => {
  const h264 = depacketizerFor('video/H264')!;
  const frames = feed(h264, packetsOf([stapA(SPS, PPS), ...fuA(IDR_BODY, 3)], 3000, 10));
  assert.deepEqual(frames, [{ timestamp: 3000, keyframe: true, data: Buffer.concat([START, SPS, START, PPS, START, Buffer.from([0x65]), IDR_BODY]) }]);
  // A single NAL unit, a non-IDR slice (type 1): an interframe.
  const slice = Buffer.from([0x41, 0x9a, 0x02, 0x03]);
  assert.deepEqual(feed(h264, packetsOf([slice], 6000, 14)), [{ timestamp: 6000, keyframe: false, data: Buffer.concat([START, slice]) }]);
});

test("H.264: an FU-A's middle piece lost drops the frame; a STAP-A whose size runs past the end is refused", QUICK, () => {
  const h264 = depacketizerFor('video/h264')!;
  const pieces = packetsOf([stapA(SPS, PPS), ...fuA(IDR_BODY, 3)], 3000, 10);
  pieces.splice(2, 1);
  assert.deepEqual(feed(h264, pieces), []);
  const lying = Buffer.concat([Buffer.from([0x78, 0x00, 0x40]), SPS]);
  assert.deepEqual(feed(h264, packetsOf([lying], 6000, 20)), []);
  // The stream goes on at the next keyframe.
  assert.equal(feed(h264, packetsOf([stapA(SPS, PPS), ...fuA(IDR_BODY, 2)], 9000, 21)).length, 1);
});

test('codecs other than VP8 and H.264 have no depacketizer', QUICK, () => {
  assert.equal(depacketizerFor('video/VP9'), undefined);
  assert.equal(depacketizerFor('audio/opus'), undefined);
});
