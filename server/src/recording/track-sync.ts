/**
 * When each captured packet was meant to be played, on the recording's own
 * clock, from RTP timestamps and RTCP sender reports rather than from when
 * packets happened to arrive.
 *
 * Within a track, RTP timestamps give exact spacing. Across tracks, the
 * sender reports that mediasoup sends each tap map every track's timestamps
 * onto the worker's one clock, so audio and video line up whatever jitter
 * their packets met. The worker's clock is then tied to this process's
 * clock (on which joins and leaves were written down) by the smallest lag
 * between a packet's media time and its arrival over the loopback, taken as
 * the median over tracks. A track too short to have had a sender report
 * falls back to its own smallest lag.
 */
import { readCapture } from './capture-file.js';

const TWO_32 = 2 ** 32;

/** Unwraps 32-bit RTP timestamps into a steadily counting number. */
export class TimestampUnwrapper {
  private last: number | undefined;
  private cycles = 0;

  unwrap(timestamp: number): number {
    if (this.last !== undefined) {
      const delta = timestamp - this.last;
      if (delta < -TWO_32 / 2) this.cycles++;
      else if (delta > TWO_32 / 2) this.cycles--;
    }
    this.last = timestamp;
    return timestamp + this.cycles * TWO_32;
  }
}

/** The sender reports in an RTCP compound packet: their NTP time in ms and their RTP timestamp. */
export function senderReports(packet: Buffer): { ntpMs: number; rtpTimestamp: number }[] {
  const reports: { ntpMs: number; rtpTimestamp: number }[] = [];
  for (let offset = 0; offset + 4 <= packet.length; ) {
    const length = (packet.readUInt16BE(offset + 2) + 1) * 4;
    if (packet[offset + 1] === 200 && offset + 20 <= packet.length) {
      const seconds = packet.readUInt32BE(offset + 8);
      const fraction = packet.readUInt32BE(offset + 12);
      reports.push({ ntpMs: seconds * 1000 + (fraction / TWO_32) * 1000, rtpTimestamp: packet.readUInt32BE(offset + 16) });
    }
    offset += length;
  }
  return reports;
}

export interface TrackTiming {
  clockRate: number;
  /** Worker-clock ms minus media ms (median over sender reports), when there were any. */
  reportOffsetMs: number | undefined;
  /** The smallest arrival time minus media time over all packets (ms). */
  smallestLagMs: number;
  packets: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Reads a capture once to learn its timing. */
export async function measureTrack(path: string, clockRate: number): Promise<TrackTiming> {
  const unwrapper = new TimestampUnwrapper();
  const reportOffsets: number[] = [];
  let smallestLagMs = Infinity;
  let packets = 0;
  for await (const { rtcp, arrivalMs, packet } of readCapture(path)) {
    if (rtcp) {
      for (const report of senderReports(packet)) reportOffsets.push(report.ntpMs - (unwrapper.unwrap(report.rtpTimestamp) * 1000) / clockRate);
      continue;
    }
    if (packet.length < 12) continue;
    const mediaMs = (unwrapper.unwrap(packet.readUInt32BE(4)) * 1000) / clockRate;
    smallestLagMs = Math.min(smallestLagMs, arrivalMs - mediaMs);
    packets++;
  }
  return { clockRate, reportOffsetMs: reportOffsets.length ? median(reportOffsets) : undefined, smallestLagMs, packets };
}

/**
 * For each track, the number to add to a packet's media time (ms) to get
 * this process's clock: sender-report tracks share one tie to the worker's
 * clock; the others use their own smallest lag.
 */
export function clockOffsets(timings: TrackTiming[]): number[] {
  const reported = timings.filter((timing) => timing.reportOffsetMs !== undefined && timing.packets > 0);
  const workerToLocal = reported.length ? median(reported.map((timing) => timing.smallestLagMs - timing.reportOffsetMs!)) : 0;
  return timings.map((timing) => (timing.reportOffsetMs !== undefined ? timing.reportOffsetMs + workerToLocal : timing.smallestLagMs));
}
