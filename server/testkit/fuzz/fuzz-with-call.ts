/**
 * The fuzz run that both the test suite (short) and scripts/fuzz.sh (full)
 * use: a real two-browser call in a room, while the fuzzer hammers the same
 * room. It samples, once a second, the call's decoding, the process memory
 * and the workers. Every wait in it is bounded (the fuzzer's own waits, and
 * waitUntil's), so a stuck server fails the run instead of hanging it.
 */
import type { Parley } from '../../src/server.js';
import { inboundTotals, launchBrowser, startCall } from '../browser.js';
import { waitUntil } from '../wait.js';
import { startTestParley } from '../parley.js';
import { TestSocket } from '../ws-client.js';
import { fuzzSignalling, type FuzzReport } from './signalling-fuzzer.js';

export interface FuzzFigures extends FuzzReport {
  messagesPerSecond: number;
  rssStartMb: number;
  rssPeakMb: number;
  rssEndMb: number;
  workersBefore: number[];
  workersAfter: number[];
  /** Seconds in which a participant decoded no new frame. */
  stalledSeconds: number;
  framesDecodedDuringFuzz: { alice: number; bob: number };
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** Rounds of concurrent state-changing bursts: a few in the suite, more in the full run. */
export async function fuzzDuringCall(messages: number, seed = 1, interleavingRounds = 20): Promise<FuzzFigures> {
  // The fuzz run measures robustness, not the rate limiter: let everything through.
  const parley: Parley = await startTestParley({ PARLEY_MAX_MESSAGES_PER_SECOND: '1000000', PARLEY_MAX_CONNECTIONS_PER_IP: '1000' });
  const browser = await launchBrowser();
  try {
    const { room, participants: [alice, bob] } = await startCall(parley, browser, ['Alice', 'Bob']);
    for (const page of [alice.page, bob.page]) {
      await waitUntil(() => inboundTotals(page), (t) => t.framesDecoded > 20, 30_000, 'the call to start');
    }
    const probe = await TestSocket.open(parley.url, room.id, { timeoutMs: 10_000 });
    const { rtpCapabilities } = (await probe.request('getRouterRtpCapabilities')).data;
    await probe.close();

    const workersBefore = parley.pool.pids();
    const rssStart = process.memoryUsage().rss;
    let rssPeak = rssStart;
    let stalledSeconds = 0;
    const first = { alice: (await inboundTotals(alice.page)).framesDecoded, bob: (await inboundTotals(bob.page)).framesDecoded };
    let last = { ...first };
    let fuzzing = true;
    const monitor = (async () => {
      while (fuzzing) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
        const now = { alice: (await inboundTotals(alice.page)).framesDecoded, bob: (await inboundTotals(bob.page)).framesDecoded };
        if (now.alice <= last.alice || now.bob <= last.bob) stalledSeconds++;
        last = now;
      }
    })();
    let report: Awaited<ReturnType<typeof fuzzSignalling>>;
    try {
      report = await fuzzSignalling({ baseUrl: parley.url, roomId: room.id, rtpCapabilities, messages, connections: 8, seed, interleavingRounds });
    } finally {
      fuzzing = false;
      await monitor;
    }
    const end = { alice: (await inboundTotals(alice.page)).framesDecoded, bob: (await inboundTotals(bob.page)).framesDecoded };
    // And the call goes on afterwards.
    for (const [page, frames] of [[alice.page, end.alice], [bob.page, end.bob]] as const) {
      await waitUntil(() => inboundTotals(page), (t) => t.framesDecoded > frames + 20, 20_000, 'the call to go on after the fuzzing');
    }
    const figures: FuzzFigures = {
      ...report,
      messagesPerSecond: Math.round((report.sent / report.durationMs) * 1000),
      rssStartMb: mb(rssStart),
      rssPeakMb: mb(rssPeak),
      rssEndMb: mb(process.memoryUsage().rss),
      workersBefore,
      workersAfter: parley.pool.pids(),
      stalledSeconds,
      framesDecodedDuringFuzz: { alice: end.alice - first.alice, bob: end.bob - first.bob },
    };
    await alice.context.close();
    await bob.context.close();
    return figures;
  } finally {
    await browser.close();
    await parley.close();
  }
}
