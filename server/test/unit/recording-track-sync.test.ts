/**
 * Timing of captured tracks (recording/track-sync.ts): RTP timestamps
 * unwrap across 2^32 both ways, sender reports are found in a compound RTCP
 * packet built by hand, and captures of two tracks that met different
 * network lags but whose sender reports agree map the worker's clock to
 * this process's clock the same way; a track without sender reports falls
 * back to its own smallest lag.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { clockOffsets, measureTrack, senderReports, TimestampUnwrapper } from '../../src/recording/track-sync.js';
import { rtpPacket, sdesPacket, senderReportPacket, writeCapture } from '../helpers/recording-media.js';
import { QUICK } from '../helpers/timeouts.js';

const TWO_32 = 2 ** 32;

let dir: string;
before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'parley-sync-'))), QUICK);
after(() => rm(dir, { recursive: true, force: true }), QUICK);

test('timestamps unwrap across 2^32 forwards, and back across it for a late packet', QUICK, () => {
  const unwrapper = new TimestampUnwrapper();
  const raw = [TWO_32 - 3000, TWO_32 - 100, 50, 3000, TWO_32 - 50, 6000, 2_000_000_000, 4_000_000_000, 100];
  assert.deepEqual(
    raw.map((timestamp) => unwrapper.unwrap(timestamp)),
    [TWO_32 - 3000, TWO_32 - 100, TWO_32 + 50, TWO_32 + 3000, TWO_32 - 50, TWO_32 + 6000, TWO_32 + 2_000_000_000, TWO_32 + 4_000_000_000, 2 * TWO_32 + 100],
  );
});

/** NTP seconds and fraction for a time in ms. */
const ntp = (ms: number) => ({ ntpSeconds: Math.floor(ms / 1000), ntpFraction: Math.round(((ms % 1000) / 1000) * TWO_32) });

test('the sender report of a compound SR + SDES packet, and none in other RTCP', QUICK, () => {
  const compound = Buffer.concat([senderReportPacket({ ...ntp(3_900_000_123_250), rtpTimestamp: 4_000_000_000 }), sdesPacket('parley-cname')]);
  const [report, ...more] = senderReports(compound);
  assert.equal(more.length, 0);
  assert.equal(report!.rtpTimestamp, 4_000_000_000);
  assert.ok(Math.abs(report!.ntpMs - 3_900_000_123_250) < 0.001, `${report!.ntpMs}`);
  // SDES first, then the SR: found all the same.
  assert.deepEqual(senderReports(Buffer.concat([sdesPacket('x'), senderReportPacket({ ntpSeconds: 10, rtpTimestamp: 7 })])), [{ ntpMs: 10_000, rtpTimestamp: 7 }]);
  assert.deepEqual(senderReports(sdesPacket('only-sdes')), []);
});

/** The worker's clock is this far from this process's: local = worker + SKEW_MS. */
const SKEW_MS = 1_700_000_000_000 - 3_900_000_000_000;
const WORKER_START_MS = 3_900_000_000_000;

interface TrackPlan {
  clockRate: number;
  firstTimestamp: number;
  ticksPerPacket: number;
  msPerPacket: number;
  /** Network lag of packet i over the loopback (ms). */
  lag: (i: number) => number;
  reports: boolean;
}

/** A capture of 150 packets (and a sender report every 25) as the tap would have written it. */
async function capture(file: string, plan: TrackPlan): Promise<void> {
  const records = [];
  for (let i = 0; i < 150; i++) {
    const workerMs = WORKER_START_MS + i * plan.msPerPacket;
    const timestamp = (plan.firstTimestamp + i * plan.ticksPerPacket) % TWO_32;
    records.push({ packet: rtpPacket({ sequenceNumber: i, timestamp }), arrivalMs: workerMs + SKEW_MS + plan.lag(i) });
    if (plan.reports && i % 25 === 0) {
      records.push({ packet: Buffer.concat([senderReportPacket({ ...ntp(workerMs), rtpTimestamp: timestamp }), sdesPacket('c')]), arrivalMs: workerMs + SKEW_MS + plan.lag(i) });
    }
  }
  await writeCapture(file, records);
}

const AUDIO: TrackPlan = { clockRate: 48_000, firstTimestamp: TWO_32 - 48_000, ticksPerPacket: 960, msPerPacket: 20, lag: (i) => 2 + (i % 5) * 3, reports: true };
const VIDEO: TrackPlan = { clockRate: 90_000, firstTimestamp: 12_345, ticksPerPacket: 3000, msPerPacket: 100 / 3, lag: (i) => 40 + (i % 7) * 4, reports: true };

test('two tracks with different lags but agreeing sender reports map the worker clock the same way', QUICK, async () => {
  await capture(path.join(dir, 'audio.rtp'), AUDIO);
  await capture(path.join(dir, 'video.rtp'), VIDEO);
  const timings = [await measureTrack(path.join(dir, 'audio.rtp'), AUDIO.clockRate), await measureTrack(path.join(dir, 'video.rtp'), VIDEO.clockRate)];
  assert.deepEqual(
    timings.map((timing) => timing.packets),
    [150, 150],
  );
  // Media ms of the first packet, unwrapped as measureTrack unwraps (the audio wraps 1 s in).
  const firstMediaMs = [(AUDIO.firstTimestamp * 1000) / AUDIO.clockRate, (VIDEO.firstTimestamp * 1000) / VIDEO.clockRate];
  assert.ok(Math.abs(timings[0]!.smallestLagMs - (WORKER_START_MS + SKEW_MS + 2 - firstMediaMs[0]!)) < 0.01, 'audio: smallest lag 2 ms');
  assert.ok(Math.abs(timings[1]!.smallestLagMs - (WORKER_START_MS + SKEW_MS + 40 - firstMediaMs[1]!)) < 0.01, 'video: smallest lag 40 ms');
  const offsets = clockOffsets(timings);
  // The same worker instant (each track's first packet) lands on the same local time for both...
  const local = offsets.map((offset, index) => firstMediaMs[index]! + offset);
  assert.ok(Math.abs(local[0]! - local[1]!) < 0.01, `audio at ${local[0]}, video at ${local[1]}`);
  // ...a lag that the loopback could have had.
  const lag = local[0]! - (WORKER_START_MS + SKEW_MS);
  assert.ok(lag >= 2 - 0.01 && lag <= 40 + 0.01, `mapped with a lag of ${lag} ms`);
});

test('a track without sender reports falls back to its smallest lag', QUICK, async () => {
  await capture(path.join(dir, 'silent-reports.rtp'), { ...VIDEO, reports: false });
  await capture(path.join(dir, 'audio2.rtp'), AUDIO);
  const timings = [await measureTrack(path.join(dir, 'silent-reports.rtp'), VIDEO.clockRate), await measureTrack(path.join(dir, 'audio2.rtp'), AUDIO.clockRate)];
  assert.equal(timings[0]!.reportOffsetMs, undefined);
  const offsets = clockOffsets(timings);
  assert.equal(offsets[0], timings[0]!.smallestLagMs);
  const firstLocal = (VIDEO.firstTimestamp * 1000) / VIDEO.clockRate + offsets[0]!;
  assert.ok(Math.abs(firstLocal - (WORKER_START_MS + SKEW_MS + 40)) < 0.01, 'its first packet is placed at its least-delayed arrival');
  // Alone, a reported track ties the worker's clock to its own smallest lag.
  const [alone] = clockOffsets([timings[1]!]);
  assert.ok(Math.abs((AUDIO.firstTimestamp * 1000) / AUDIO.clockRate + alone! - (WORKER_START_MS + SKEW_MS + 2)) < 0.01);
});
