/**
 * Capture files (recording/capture-file.ts): what is written is read back
 * exactly, across the reader's chunk boundaries; a file cut anywhere in its
 * last record (a process killed mid-write) yields every earlier record and
 * nothing torn; a record of an unknown kind ends the reading; a disk that
 * stops taking data fails the capture instead of filling memory.
 */
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CaptureWriter, readCapture, type CapturedPacket } from '../../src/recording/capture-file.js';
import { runTool } from '../../testkit/processes.js';
import { rtpPacket, senderReportPacket, writeCapture } from '../helpers/recording-media.js';
import { QUICK } from '../helpers/timeouts.js';

let dir: string;
before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'parley-capture-'))), QUICK);
after(() => rm(dir, { recursive: true, force: true }), QUICK);

async function readAll(file: string): Promise<CapturedPacket[]> {
  const packets: CapturedPacket[] = [];
  for await (const packet of readCapture(file)) packets.push(packet);
  return packets;
}

const RECORD_HEADER_BYTES = 11;
const PACKETS = [
  { packet: rtpPacket({ sequenceNumber: 1, timestamp: 1000 }, Buffer.from('first')), arrivalMs: 1_700_000_000_000.25 },
  { packet: senderReportPacket({ ntpSeconds: 3_900_000_000, rtpTimestamp: 1000 }), arrivalMs: 1_700_000_000_001 },
  { packet: rtpPacket({ sequenceNumber: 2, timestamp: 4000, marker: true }, Buffer.alloc(300, 7)), arrivalMs: 1_700_000_000_002.5 },
];
const expected = (packets: typeof PACKETS) => packets.map(({ packet, arrivalMs }) => ({ rtcp: packet[1] === 200, arrivalMs, packet }));

test('records are read back as written: kind, arrival time and bytes', QUICK, async () => {
  const file = path.join(dir, 'round-trip.rtp');
  await writeCapture(file, PACKETS);
  assert.deepEqual(await readAll(file), expected(PACKETS));
  assert.equal((await readFile(file)).length, PACKETS.reduce((sum, { packet }) => sum + RECORD_HEADER_BYTES + packet.length, 0));
});

test('a file cut at any byte of its last record yields exactly the complete records', QUICK, async () => {
  const whole = path.join(dir, 'whole.rtp');
  await writeCapture(whole, PACKETS);
  const bytes = await readFile(whole);
  const lastStart = bytes.length - RECORD_HEADER_BYTES - PACKETS.at(-1)!.packet.length;
  const cut = path.join(dir, 'cut.rtp');
  for (let length = lastStart; length < bytes.length; length++) {
    await writeFile(cut, bytes);
    await truncate(cut, length);
    assert.deepEqual(await readAll(cut), expected(PACKETS.slice(0, -1)), `cut at ${length} of ${bytes.length}`);
  }
});

test('records straddling the reader’s 1 MiB chunks are read whole', QUICK, async () => {
  const packets = Array.from({ length: 2500 }, (_, index) => ({
    packet: rtpPacket({ sequenceNumber: index, timestamp: index * 3000 }, Buffer.alloc(1000 + (index % 97), index & 0xff)),
    arrivalMs: index,
  }));
  const file = path.join(dir, 'big.rtp');
  await writeCapture(file, packets);
  assert.deepEqual(await readAll(file), expected(packets));
});

test('a record of an unknown kind stops the reader, even with good records after it', QUICK, async () => {
  const file = path.join(dir, 'unknown.rtp');
  await writeCapture(file, PACKETS);
  const bytes = await readFile(file);
  const second = RECORD_HEADER_BYTES + PACKETS[0]!.packet.length;
  bytes[second] = 9;
  await writeFile(file, bytes);
  assert.deepEqual(await readAll(file), expected(PACKETS.slice(0, 1)));
});

test('a packet too long for the length field is left out rather than written torn', QUICK, async () => {
  const file = path.join(dir, 'long.rtp');
  await writeCapture(file, [PACKETS[0]!, { packet: Buffer.alloc(0x10000, 0x80), arrivalMs: 5 }, PACKETS[2]!]);
  assert.deepEqual(await readAll(file), expected([PACKETS[0]!, PACKETS[2]!]));
});

test('a capture whose disk stops taking data fails rather than holding the media in memory', QUICK, async () => {
  // A FIFO nobody reads yet: every write waits, as on a stalled network volume.
  const fifo = path.join(dir, 'stalled.fifo');
  await runTool('mkfifo', [fifo]);
  const writer = new CaptureWriter(fifo);
  const packet = rtpPacket({ sequenceNumber: 0, timestamp: 0 }, Buffer.alloc(1188));
  let written = 0;
  while (!writer.error && written < 64 * 2 ** 20) {
    writer.write(packet, 0);
    written += packet.length;
  }
  assert.match(writer.error?.message ?? 'no error', /did not keep up/);
  assert.ok(writer.bytes <= 17 * 2 ** 20, `${writer.bytes} bytes held`);
  const reader = createReadStream(fifo).resume();
  await writer.close();
  reader.destroy();
});
