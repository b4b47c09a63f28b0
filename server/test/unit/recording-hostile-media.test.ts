/**
 * What a participant with their own RTP stack could send through a tap,
 * fed to the recorder's parsers: RTP whose CSRC count, extension length or
 * padding runs past the packet, RTCP whose length field runs past it,
 * arbitrary bytes, payloads that lie, and a frame that never ends. Nothing
 * throws, nothing reads outside the packet, and no frame grows without
 * bound; the same bytes in a capture file finish without error.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { depacketizerFor } from '../../src/recording/depacketize.js';
import { extractAudio, extractVideo } from '../../src/recording/extract.js';
import { rtpView } from '../../src/recording/rtp-payload.js';
import { measureTrack, senderReports } from '../../src/recording/track-sync.js';
import { rtpPacket, senderReportPacket, writeCapture, type RtpHeaderFields } from '../helpers/recording-media.js';
import { QUICK } from '../helpers/timeouts.js';

let dir: string;
before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'parley-hostile-'))), QUICK);
after(() => rm(dir, { recursive: true, force: true }), QUICK);

const PAYLOAD = Buffer.from('payload!');

/** The payload must be a view inside the packet's own bytes. */
function assertInside(packet: Buffer, payload: Buffer): void {
  assert.ok(payload.buffer === packet.buffer, 'a view of the packet');
  assert.ok(payload.byteOffset >= packet.byteOffset + 12 && payload.byteOffset + payload.length <= packet.byteOffset + packet.length, 'inside the packet, past the header');
}

test('rtpView finds the payload past CSRCs and an extension, and before padding', QUICK, () => {
  const packet = rtpPacket({ sequenceNumber: 65_535, timestamp: 2 ** 32 - 1, marker: true, csrcCount: 3, extensionWords: 2, padding: 4 }, PAYLOAD);
  const view = rtpView(packet)!;
  assert.deepEqual({ ...view, payload: view.payload.toString() }, { sequenceNumber: 65_535, timestamp: 2 ** 32 - 1, marker: true, payload: 'payload!' });
  assertInside(packet, view.payload);
});

test('rtpView refuses RTP whose fields run past the packet', QUICK, () => {
  const lies: [string, Buffer][] = [
    ['an extension length past the end', rtpPacket({ sequenceNumber: 1, timestamp: 1, extensionWords: 1, extensionLengthField: 0xffff }, PAYLOAD)],
    ['an extension header cut off', rtpPacket({ sequenceNumber: 1, timestamp: 1, extensionWords: 0 }).subarray(0, 14)],
    ['padding longer than the packet', rtpPacket({ sequenceNumber: 1, timestamp: 1, paddingCountByte: 255 }, PAYLOAD)],
    ['padding eating into the header', rtpPacket({ sequenceNumber: 1, timestamp: 1, paddingCountByte: 12 }, Buffer.alloc(0))],
    ['a CSRC count past the end', rtpPacket({ sequenceNumber: 1, timestamp: 1 }, PAYLOAD).fill(0x8f, 0, 1)],
    ['CSRCs and an extension past the end', rtpPacket({ sequenceNumber: 1, timestamp: 1, csrcCount: 15, extensionWords: 0 }).subarray(0, 40)],
    ['version 1', rtpPacket({ sequenceNumber: 1, timestamp: 1 }, PAYLOAD).fill(0x40, 0, 1)],
    ['eleven bytes', Buffer.alloc(11, 0x80)],
    ['nothing', Buffer.alloc(0)],
  ];
  for (const [what, packet] of lies) assert.equal(rtpView(packet), undefined, what);
});

const lyingHeader: fc.Arbitrary<RtpHeaderFields> = fc.record(
  {
    sequenceNumber: fc.integer({ min: 0, max: 0xffff }),
    timestamp: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    marker: fc.boolean(),
    csrcCount: fc.integer({ min: 0, max: 15 }),
    extensionWords: fc.integer({ min: 0, max: 4 }),
    extensionLengthField: fc.integer({ min: 0, max: 0xffff }),
    padding: fc.integer({ min: 1, max: 8 }),
    paddingCountByte: fc.integer({ min: 0, max: 255 }),
  },
  { requiredKeys: ['sequenceNumber', 'timestamp'] },
);

test('rtpView never throws and never reads outside the packet, for any bytes or any lying header', QUICK, () => {
  const check = (packet: Buffer) => {
    const view = rtpView(packet);
    if (view) assertInside(packet, view.payload);
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => check(Buffer.from(bytes))), { numRuns: 2000 });
  fc.assert(
    fc.property(lyingHeader, fc.uint8Array({ maxLength: 40 }), fc.nat(80), (header, payload, cut) => {
      const packet = rtpPacket(header, Buffer.from(payload));
      check(packet.subarray(0, Math.max(0, packet.length - cut)));
    }),
    { numRuns: 2000 },
  );
});

test('senderReports survives length fields past the end, cut reports and arbitrary bytes', QUICK, () => {
  const report = { ntpSeconds: 10, rtpTimestamp: 90_000 };
  assert.deepEqual(senderReports(senderReportPacket({ ...report, lengthField: 0xffff })), [{ ntpMs: 10_000, rtpTimestamp: 90_000 }], 'its fields are all there');
  assert.deepEqual(senderReports(senderReportPacket(report).subarray(0, 19)), [], 'cut before its RTP timestamp ends');
  assert.deepEqual(senderReports(Buffer.concat([senderReportPacket({ ...report, lengthField: 0xffff }), senderReportPacket({ ntpSeconds: 20, rtpTimestamp: 1 })])), [{ ntpMs: 10_000, rtpTimestamp: 90_000 }]);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const reports = senderReports(Buffer.from(bytes));
      assert.ok(reports.length <= bytes.length / 20);
      for (const found of reports) assert.ok(Number.isFinite(found.ntpMs) && Number.isInteger(found.rtpTimestamp));
    }),
    { numRuns: 3000 },
  );
});

test('the depacketizers never throw on arbitrary payloads, and give frames only at a marker', QUICK, () => {
  for (const mimeType of ['video/VP8', 'video/H264']) {
    fc.assert(
      fc.property(
        fc.array(fc.record({ payload: fc.uint8Array({ maxLength: 64 }), marker: fc.boolean(), timestampStep: fc.integer({ min: 0, max: 2 }), sequenceStep: fc.integer({ min: 0, max: 2 }) }), { maxLength: 60 }),
        (packets) => {
          const assembler = depacketizerFor(mimeType)!;
          let sequenceNumber = 65_530;
          let timestamp = 0;
          for (const packet of packets) {
            sequenceNumber = (sequenceNumber + packet.sequenceStep) & 0xffff;
            timestamp += packet.timestampStep * 3000;
            const frame = assembler.push({ sequenceNumber, timestamp, marker: packet.marker, payload: Buffer.from(packet.payload) });
            if (frame) assert.ok(packet.marker && frame.timestamp === timestamp, `${mimeType}: a frame without its marker`);
          }
        },
      ),
      { numRuns: 500 },
    );
  }
});

test('a frame that never ends is dropped once larger than any real frame, and the stream recovers at the next keyframe', QUICK, () => {
  const vp8 = depacketizerFor('video/VP8')!;
  const keyframe = Buffer.from([0x10, 0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 64, 0, 48, 0]);
  let sequenceNumber = 0;
  const push = (payload: Buffer, timestamp: number, marker: boolean) => vp8.push({ sequenceNumber: sequenceNumber++, timestamp, marker, payload });
  assert.ok(push(keyframe, 0, true));
  // 16 MB of one frame at 1200 bytes a packet, as a sender that never sets the marker would send.
  const piece = Buffer.concat([Buffer.from([0x00]), Buffer.alloc(1199, 0xab)]);
  assert.equal(push(Buffer.concat([Buffer.from([0x10, 0x31]), piece]), 3000, false), undefined);
  for (let i = 0; i < 16 * 1024 * 1024 / 1200; i++) assert.equal(push(piece, 3000, false), undefined);
  assert.equal(push(piece, 3000, true)?.data.length, undefined, 'the oversized frame is dropped at its marker');
  assert.equal(push(Buffer.from([0x10, 0x31, 0, 0, 1]), 6000, true), undefined, 'an interframe after it waits for a keyframe');
  const recovered = push(keyframe, 9000, true);
  assert.deepEqual(recovered && { timestamp: recovered.timestamp, keyframe: recovered.keyframe }, { timestamp: 9000, keyframe: true });
});

test('a capture of arbitrary bytes, lying RTP and lying RTCP is measured and extracted without error', QUICK, async () => {
  const records = fc
    .sample(fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 80 }).map((bytes) => Buffer.from(bytes)), fc.tuple(lyingHeader, fc.uint8Array({ maxLength: 40 })).map(([header, payload]) => rtpPacket(header, Buffer.from(payload)))), {
      numRuns: 3000,
      seed: 7,
    })
    .map((packet, index) => ({ packet, arrivalMs: 1_700_000_000_000 + index }));
  records.push({ packet: senderReportPacket({ ntpSeconds: 1, rtpTimestamp: 5, lengthField: 0xffff }), arrivalMs: 1_700_000_010_000 });
  const capture = path.join(dir, 'garbage.rtp');
  await writeCapture(capture, records);
  const timing = await measureTrack(capture, 90_000);
  assert.ok(timing.packets > 0);
  const codecs = [
    { mimeType: 'video/VP8', payloadType: 96, clockRate: 90_000, channels: 1 },
    { mimeType: 'video/H264', payloadType: 102, clockRate: 90_000, channels: 1 },
  ];
  for (const codec of codecs) await extractVideo(capture, codec, 0, 0, 60_000, path.join(dir, `garbage-${codec.payloadType}.ivf`));
  for (const mimeType of ['audio/opus', 'audio/PCMU']) {
    const track = await extractAudio(capture, { mimeType, payloadType: 0, clockRate: 48_000, channels: 1 }, 0, 0, 60_000, path.join(dir, `garbage-${mimeType.slice(6)}.wav`));
    if (track) assert.ok(track.durationMs <= 61_000, `${mimeType}: ${track.durationMs} ms`);
  }
});
