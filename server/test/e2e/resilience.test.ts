/**
 * Recovery in real Chromium: a mediasoup worker killed mid-call (the server
 * moves the media to a live worker and the pages stay in the meeting), and a
 * signalling connection cut for two seconds (the page resumes its session).
 * Each time media flows again, with nobody shown twice.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Parley } from '../../src/server.js';
import { inboundTotals, joinMeeting, launchBrowser, openParticipant, watchForNewRemoteFrame, type Participant } from '../../testkit/browser.js';
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

/** The server's peer ids of everyone called `name` in the meeting. */
async function peerIds(roomId: string, name: string): Promise<string[]> {
  const live = (await parley.meetings.list()).find((candidate) => candidate.id === roomId);
  return (live?.roster.all() ?? []).filter((peer) => peer.displayName === name && peer.state === 'joined').map((peer) => peer.id);
}

/** Counts the WebSockets the page opens from now on. */
function countSockets({ page }: Participant): () => number {
  let opened = 0;
  page.on('websocket', () => opened++);
  return () => opened;
}

test('a killed worker: the server moves the media to a live worker, the pages stay in the meeting', BROWSER, async () => {
  const room = await createRoom(parley, { lobby: false });
  const alice = await openParticipant(browser, proxy.url);
  const bob = await openParticipant(browser, proxy.url);
  await joinMeeting(alice.page, `${proxy.url}/r/${room.id}`, 'Alice');
  await joinMeeting(bob.page, `${proxy.url}/r/${room.id}`, 'Bob');
  await waitUntil(() => inboundTotals(alice.page), (t) => t.framesDecoded > 20, 30_000, 'the call to start');
  await waitUntil(() => inboundTotals(bob.page), (t) => t.framesDecoded > 20, 30_000, 'the call to start');

  const before = { alice: await peerIds(room.id, 'Alice'), bob: await peerIds(room.id, 'Bob') };
  const sockets = { alice: countSockets(alice), bob: countSockets(bob) };
  const newFrame = { alice: await watchForNewRemoteFrame(alice.page), bob: await watchForNewRemoteFrame(bob.page) };
  const [pid] = parley.pool.pids();
  const killedAt = Date.now();
  process.kill(pid!, 'SIGKILL');
  const aliceAt = await newFrame.alice(RECOVERY_BOUND_MS, 'a new frame from Bob on Alice’s page');
  const bobAt = await newFrame.bob(RECOVERY_BOUND_MS, 'a new frame from Alice on Bob’s page');
  console.log(`# worker death: new frames ${aliceAt - killedAt} ms (Alice) and ${bobAt - killedAt} ms (Bob) after the kill`);

  assert.deepEqual(await peerIds(room.id, 'Alice'), before.alice, 'Alice kept her session');
  assert.deepEqual(await peerIds(room.id, 'Bob'), before.bob, 'Bob kept his session');
  assert.deepEqual([sockets.alice(), sockets.bob()], [0, 0], 'no page opened a new WebSocket');
  await mediaBack(alice.page, 'Alice');
  await mediaBack(bob.page, 'Bob');
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

  const alicePeers = () => peerIds(room.id, 'Alice');
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
