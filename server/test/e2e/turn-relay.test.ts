/**
 * TURN in real Chromium: with PARLEY_FORCE_RELAY, two pages hold a call
 * whose media goes through a real coturn, authorised by the short-lived
 * credentials Parley derives from the secret it shares with coturn.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Parley } from '../../src/server.js';
import { inboundTotals, launchBrowser } from '../../testkit/browser.js';
import { waitUntil } from '../../testkit/wait.js';
import { startCall } from '../../testkit/browser.js';
import { TestCoturn } from '../../testkit/coturn.js';
import { startTestParley } from '../../testkit/parley.js';
import { BROWSER, HOOK } from '../helpers/timeouts.js';

let turn: TestCoturn;
let parley: Parley;
let browser: Browser;

before(async () => {
  turn = await TestCoturn.start('turn-shared-secret-for-tests');
  parley = await startTestParley({
    PARLEY_TURN_URLS: turn.url,
    PARLEY_TURN_SECRET: turn.secret,
    PARLEY_FORCE_RELAY: 'true',
  });
  browser = await launchBrowser();
}, HOOK);

after(async () => {
  await browser?.close();
  await parley?.close();
  await turn?.stop();
}, HOOK);

/** The local candidate types of every selected pair in the page. */
const selectedLocalCandidates = (page: Page) =>
  page.evaluate(async () => {
    const types: string[] = [];
    for (const connection of (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections) {
      if (connection.connectionState !== 'connected') continue;
      const stats = await connection.getStats();
      stats.forEach((report: Record<string, unknown>) => {
        if (report['type'] !== 'transport' || !report['selectedCandidatePairId']) return;
        const pair = stats.get(report['selectedCandidatePairId'] as string) as Record<string, unknown>;
        const local = stats.get(pair['localCandidateId'] as string) as Record<string, unknown>;
        types.push(String(local['candidateType']));
      });
    }
    return types;
  });

test('two pages hold a call through coturn with relay-only ICE', BROWSER, async () => {
  const { participants: [alice, bob] } = await startCall(parley, browser, ['Alice', 'Bob']);

  for (const page of [alice.page, bob.page]) {
    const first = await waitUntil(() => inboundTotals(page), (t) => t.framesDecoded > 0, 40_000, 'media through TURN');
    await waitUntil(() => inboundTotals(page), (t) => t.framesDecoded > first.framesDecoded + 20 && t.audioSamples > first.audioSamples, 30_000, 'media to keep flowing');
    const candidates = await selectedLocalCandidates(page);
    assert.ok(candidates.length >= 2, `both transports connected (${candidates.join(', ')})`);
    assert.deepEqual([...new Set(candidates)], ['relay']);
  }
  await alice.context.close();
  await bob.context.close();
});
