/**
 * Recovery in real Chromium: a mediasoup worker killed mid-call, and a
 * signalling connection cut for two seconds. Each time the pages rejoin by
 * themselves and media flows again, with nobody shown twice.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Parley } from '../../src/server.js';
import { inboundTotals, joinMeeting, launchBrowser, openParticipant } from '../../testkit/browser.js';
import { waitUntil } from '../../testkit/wait.js';
import { FailoverProxy } from '../../testkit/failover-proxy.js';
import { createRoom, startTestParley } from '../../testkit/parley.js';
import { BROWSER, HOOK } from '../helpers/timeouts.js';

/** Media must be back within this after a failure. */
const RECOVERY_BOUND_MS = 20_000;

let parley: Parley;
let proxy: FailoverProxy;
let browser: Browser;

before(async () => {
  parley = await startTestParley();
  proxy = await FailoverProxy.start([Number(new URL(parley.url).port)]);
  browser = await launchBrowser();
}, HOOK);

after(async () => {
  await browser?.close();
  await proxy?.close();
  await parley?.close();
}, HOOK);

async function mediaBack(page: Page, who: string): Promise<void> {
  const start = await inboundTotals(page);
  await waitUntil(
    () => inboundTotals(page),
    // A rejoin starts new peer connections, whose counters start from zero.
    (t) => t.framesDecoded !== start.framesDecoded && t.framesDecoded > 20,
    RECOVERY_BOUND_MS,
    `${who} to decode media again`,
  );
}

const tiles = (page: Page, name: string) => page.getByRole('group', { name, exact: true }).count();

test('a killed worker: the room moves to a live worker and media comes back without a reload', BROWSER, async () => {
  const room = await createRoom(parley, { lobby: false });
  const alice = await openParticipant(browser, proxy.url);
  const bob = await openParticipant(browser, proxy.url);
  await joinMeeting(alice.page, `${proxy.url}/r/${room.id}`, 'Alice');
  await joinMeeting(bob.page, `${proxy.url}/r/${room.id}`, 'Bob');
  await waitUntil(() => inboundTotals(alice.page), (t) => t.framesDecoded > 20, 30_000, 'the call to start');

  const [pid] = parley.pool.pids();
  const killedAt = Date.now();
  process.kill(pid!, 'SIGKILL');
  await waitUntil(async () => parley.pool.pids().some((live) => live !== pid), Boolean, 10_000, 'a replacement worker');
  await mediaBack(alice.page, 'Alice');
  await mediaBack(bob.page, 'Bob');
  console.log(`# worker death: media back after ${Date.now() - killedAt} ms`);
  await waitUntil(() => tiles(alice.page, 'Bob'), (count) => count === 1, 10_000, 'one Bob for Alice');
  assert.equal(await tiles(bob.page, 'Alice'), 1);

  await alice.context.close();
  await bob.context.close();
});

test('a signalling connection cut for 2 s resumes the same session, media untouched', BROWSER, async () => {
  const room = await createRoom(parley, { lobby: false });
  const alice = await openParticipant(browser, proxy.url);
  const bob = await openParticipant(browser, parley.url);
  await joinMeeting(alice.page, `${proxy.url}/r/${room.id}`, 'Alice');
  await joinMeeting(bob.page, `${parley.url}/r/${room.id}`, 'Bob');
  await waitUntil(() => inboundTotals(bob.page), (t) => t.framesDecoded > 20, 30_000, 'the call to start');

  const alicePeers = async () => {
    const live = (await parley.meetings.list()).find((candidate) => candidate.id === room.id);
    return (live?.roster.all() ?? []).filter((peer) => peer.displayName === 'Alice' && peer.state === 'joined').map((peer) => peer.id);
  };
  const [before] = await alicePeers();
  const cutAt = Date.now();
  await proxy.interrupt(2_000);
  // Signalling works again when a chat message from Alice reaches Bob; until then sending fails and is retried.
  const delivered = () => bob.page.getByRole('list', { name: 'Messages' }).getByText('back again').count();
  await waitUntil(
    async () => {
      if ((await delivered()) > 0) return true;
      await alice.page.getByLabel('Message', { exact: true }).fill('back again');
      await alice.page.getByRole('button', { name: 'Send', exact: true }).click();
      return false;
    },
    Boolean,
    RECOVERY_BOUND_MS,
    "Alice's message after the cut",
  );
  console.log(`# signalling cut: session resumed ${Date.now() - cutAt} ms after the cut`);
  assert.deepEqual(await alicePeers(), [before], 'the same session, not a new one');
  assert.equal(await tiles(bob.page, 'Alice'), 1);
  // The peer connections were never replaced: Bob's decoded-frame count only grew.
  const bobBefore = await inboundTotals(bob.page);
  await waitUntil(() => inboundTotals(bob.page), (t) => t.framesDecoded > bobBefore.framesDecoded + 20, RECOVERY_BOUND_MS, 'media to keep flowing');

  await alice.context.close();
  await bob.context.close();
});
