/**
 * Inside one node, a room that outgrows a router spreads to a router on
 * another worker (pipeToRouter), and the call still flows both ways. The
 * per-router capacity is set to one peer to force the spread. When the
 * worker of one router dies, only the people on it set their media up
 * again; the others keep their connections.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inboundTotals, watchForNewRemoteFrame } from '../../testkit/browser.js';
import { waitUntil } from '../../testkit/wait.js';
import { startCall } from '../../testkit/browser.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { BROWSER } from '../helpers/timeouts.js';

const meeting = meetingFixture({ PARLEY_WORKERS: '2', PARLEY_ROOM_PEERS_PER_ROUTER: '1' });

test('a room spread over two workers carries media both ways', BROWSER, async () => {
  const { participants: [alice, bob] } = await startCall(meeting.parley, meeting.browser, ['Alice', 'Bob']);

  for (const page of [alice.page, bob.page]) {
    const first = await waitUntil(() => inboundTotals(page), (t) => t.framesDecoded > 0, 30_000, 'media to arrive');
    await waitUntil(() => inboundTotals(page), (t) => t.framesDecoded > first.framesDecoded + 20 && t.audioSamples > first.audioSamples, 30_000, 'media to keep flowing');
  }
  const [live] = await meeting.parley.meetings.list();
  const routers = new Set(live!.roster.all().map((peer) => live!.media.routerOf(peer.id)));
  assert.equal(routers.size, 2, 'each peer is on its own router');
  await waitUntil(() => bob.page.getByRole('group', { name: 'Alice' }).evaluate((tile: HTMLElement) => tile.dataset['speaking'] === 'true'), Boolean, 30_000, "Alice's voice to be detected across routers");

  await alice.context.close();
  await bob.context.close();
});

test('the worker of the second router dies: only its person sets up media again, the first keeps their connections', BROWSER, async () => {
  const { room, participants: [alice, bob] } = await startCall(meeting.parley, meeting.browser, ['Alice', 'Bob']);
  for (const page of [alice.page, bob.page]) await waitUntil(() => inboundTotals(page), (t) => t.framesDecoded > 20, 30_000, 'the call to start');
  // This room's meeting: the one before may still hold its own Bob's session, awaiting a resume.
  const live = (await meeting.parley.meetings.list()).find((candidate) => candidate.id === room.id)!;
  const bobPeer = live.roster.all().find((peer) => peer.displayName === 'Bob')!;
  const bobRouter = live.media.routerOf(bobPeer.id)!;
  assert.notEqual(bobRouter, live.media.router, 'Bob is on the second router');
  let pid: number | undefined;
  for (const worker of meeting.parley.pool.liveWorkers()) if ((await worker.dump()).routerIds.includes(bobRouter.id)) pid = worker.pid;
  const connectionsMade = (page: typeof alice.page) => page.evaluate(() => (window as unknown as { __peerConnections: unknown[] }).__peerConnections.length);
  const aliceConnections = await connectionsMade(alice.page);
  const newFrame = { alice: await watchForNewRemoteFrame(alice.page), bob: await watchForNewRemoteFrame(bob.page) };

  process.kill(pid!, 'SIGKILL');
  await newFrame.alice(20_000, 'Alice to see the moved Bob');
  await newFrame.bob(20_000, 'Bob to see Alice again');
  assert.equal(await connectionsMade(alice.page), aliceConnections, 'Alice kept her transports');
  assert.ok(live.media.routerOf(bobPeer.id), 'Bob is on a live router, as the same peer');
  await waitUntil(() => alice.page.getByRole('group', { name: 'Bob' }).evaluate((tile: HTMLElement) => tile.dataset['speaking'] === 'true'), Boolean, 30_000, "Bob's voice to be detected again");

  await alice.context.close();
  await bob.context.close();
});
