/**
 * Inside one node, a room that outgrows a router spreads to a router on
 * another worker (pipeToRouter), and the call still flows both ways. The
 * per-router capacity is set to one peer to force the spread.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Parley } from '../../src/server.js';
import { inboundTotals, joinMeeting, launchBrowser, openParticipant, waitUntil } from '../helpers/browser.js';
import { createRoom, startTestParley } from '../helpers/parley.js';

let parley: Parley;
let browser: Browser;

before(async () => {
  parley = await startTestParley({ PARLEY_WORKERS: '2', PARLEY_ROOM_PEERS_PER_ROUTER: '1' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await parley?.close();
});

test('a room spread over two workers carries media both ways', async () => {
  const room = await createRoom(parley, { lobby: false });
  const alice = await openParticipant(browser, parley.url);
  const bob = await openParticipant(browser, parley.url);
  await joinMeeting(alice.page, room.url, 'Alice');
  await joinMeeting(bob.page, room.url, 'Bob');

  for (const page of [alice.page, bob.page]) {
    const first = await waitUntil(() => inboundTotals(page), (t) => t.framesDecoded > 0, 30_000, 'media to arrive');
    await waitUntil(() => inboundTotals(page), (t) => t.framesDecoded > first.framesDecoded + 20 && t.audioSamples > first.audioSamples, 30_000, 'media to keep flowing');
  }
  const [live] = await parley.rooms.liveRooms();
  const routers = new Set([...live!.peers.values()].map((peer) => peer.router));
  assert.equal(routers.size, 2, 'each peer is on its own router');
  await waitUntil(() => bob.page.getByRole('group', { name: 'Alice' }).evaluate((tile: HTMLElement) => tile.dataset['speaking'] === 'true'), Boolean, 30_000, "Alice's voice to be detected across routers");

  await alice.context.close();
  await bob.context.close();
});
