/**
 * Two real Chromium participants join by link through a real mediasoup
 * worker, decode each other's video and audio, and see each other leave.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inboundTotals, joinMeeting, openParticipant } from '../../testkit/browser.js';
import { waitUntil } from '../../testkit/wait.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { createRoom } from '../../testkit/parley.js';
import { BROWSER } from '../helpers/timeouts.js';

const meeting = meetingFixture();


test('two browsers hold a call by link, with video and audio both ways', BROWSER, async () => {
  const room = await createRoom(meeting.parley, { lobby: false });
  const alice = await openParticipant(meeting.browser, meeting.parley.url);
  const bob = await openParticipant(meeting.browser, meeting.parley.url);

  await joinMeeting(alice.page, room.url, 'Alice');
  await joinMeeting(bob.page, room.url, 'Bob');

  await alice.page.getByRole('group', { name: 'Bob' }).waitFor();
  await bob.page.getByRole('group', { name: 'Alice' }).waitFor();

  for (const [who, page] of [['Alice', alice.page], ['Bob', bob.page]] as const) {
    const first = await waitUntil(() => inboundTotals(page), (t) => t.framesDecoded > 0 && t.audioBytes > 0, 30_000, `${who} to receive media`);
    const later = await waitUntil(
      () => inboundTotals(page),
      (t) => t.framesDecoded >= first.framesDecoded + 20 && t.audioSamples > first.audioSamples,
      20_000,
      `${who}'s decoded frames to keep growing`,
    );
    assert.ok(later.audioBytes > first.audioBytes, `${who} keeps receiving audio`);
  }

  // Both browsers reported their time to first media to /metrics.
  await waitUntil(
    async () => /parley_time_to_first_media_seconds_count (\d+)/.exec(await (await fetch(`${meeting.parley.url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text())?.[1],
    (count) => count === '2',
    10_000,
    'both browsers to report time to first media',
  );

  await bob.page.getByRole('button', { name: 'Leave' }).click();
  await bob.page.getByText('You left the meeting.').waitFor();
  await alice.page.getByRole('group', { name: 'Bob' }).waitFor({ state: 'detached' });
  assert.equal(await alice.page.getByRole('group', { name: 'Bob' }).count(), 0);

  await alice.context.close();
  await bob.context.close();
});
