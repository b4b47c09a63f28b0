/**
 * How good this tab's connection to the server is, from WebRTC statistics:
 * round-trip time of the selected candidate pair, and loss and jitter of
 * what it receives since the last sample. Pure, so it runs under Node too.
 */
export type LinkQuality = 'good' | 'fair' | 'poor';

/** Packets received and lost so far, to measure loss between two samples. */
export interface LinkTotals {
  received: number;
  lost: number;
}

export interface LinkSample {
  rttMs: number | undefined;
  lossRatio: number | undefined;
  jitterMs: number | undefined;
  totals: LinkTotals;
}

/** What a WebRTC stats report holds that matters here (a subset of RTCStats). */
interface Stat {
  type: string;
  state?: string;
  nominated?: boolean;
  currentRoundTripTime?: number;
  packetsReceived?: number;
  packetsLost?: number;
  jitter?: number;
}

export function sampleLink(stats: Iterable<Stat>, previous: LinkTotals | undefined): LinkSample {
  let rttMs: number | undefined;
  let jitterMs: number | undefined;
  const totals = { received: 0, lost: 0 };
  for (const stat of stats) {
    if (stat.type === 'candidate-pair' && stat.state === 'succeeded' && stat.nominated && stat.currentRoundTripTime !== undefined) {
      rttMs = stat.currentRoundTripTime * 1000;
    }
    if (stat.type === 'inbound-rtp') {
      totals.received += stat.packetsReceived ?? 0;
      totals.lost += Math.max(0, stat.packetsLost ?? 0);
      if (stat.jitter !== undefined) jitterMs = Math.max(jitterMs ?? 0, stat.jitter * 1000);
    }
  }
  const received = totals.received - (previous?.received ?? 0);
  const lost = totals.lost - (previous?.lost ?? 0);
  const lossRatio = previous && received + lost > 0 ? lost / (received + lost) : undefined;
  return { rttMs, lossRatio, jitterMs, totals };
}

/** Thresholds in the spirit of the ITU-T G.114 and common VoIP guidance. */
export function classifyLink({ rttMs = 0, lossRatio = 0, jitterMs = 0 }: Partial<LinkSample>): LinkQuality {
  if (rttMs > 400 || lossRatio > 0.08 || jitterMs > 60) return 'poor';
  if (rttMs > 150 || lossRatio > 0.02 || jitterMs > 30) return 'fair';
  return 'good';
}
