/**
 * Inside one node, a room that outgrows a router spreads to a router on
 * another worker (pipeToRouter), and the call still flows both ways. The
 * per-router capacity is set to one peer to force the spread.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inboundTotals } from '../../testkit/browser.js';
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
