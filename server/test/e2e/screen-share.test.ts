/**
 * Screen sharing in real Chromium, three participants: a share is decoded
 * by the others in its own tile, ends when its owner stops it, and a host
 * can end someone else's share. The fake-device flags give getDisplayMedia a
 * synthetic screen.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinMeeting, openParticipant, tileVideo } from '../../testkit/browser.js';
import { waitUntil } from '../../testkit/wait.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { createRoom } from '../../testkit/parley.js';
import { BROWSER } from '../helpers/timeouts.js';

const meeting = meetingFixture();

test('a share reaches a third participant, and stops when its owner or a host ends it', BROWSER, async () => {
  const room = await createRoom(meeting.parley, { lobby: false });
  const host = await openParticipant(meeting.browser, meeting.parley.url);
  const bob = await openParticipant(meeting.browser, meeting.parley.url);
  const carol = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  await joinMeeting(bob.page, room.url, 'Bob');
  await joinMeeting(carol.page, room.url, 'Carol');

  await bob.page.getByRole('button', { name: 'Share screen' }).click();
  await bob.page.getByRole('button', { name: 'Stop sharing' }).waitFor();
  const screenOnCarol = carol.page.getByRole('region', { name: 'Screen shares' }).getByRole('group', { name: "Bob's screen" });
  await screenOnCarol.waitFor();
  const first = await waitUntil(() => tileVideo(carol.page, "Bob's screen"), (v) => v.frames > 0 && v.width > 0, 30_000, 'the screen to decode');
  await waitUntil(() => tileVideo(carol.page, "Bob's screen"), (v) => v.frames > first.frames + 5, 30_000, 'screen frames to keep coming');
  await host.page.getByRole('listitem', { name: 'Bob' }).getByText('sharing screen').waitFor();

  // Bob stops his own share.
  await bob.page.getByRole('button', { name: 'Stop sharing' }).click();
  await screenOnCarol.waitFor({ state: 'detached' });

  // Bob shares again; the host ends it for him.
  await bob.page.getByRole('button', { name: 'Share screen' }).click();
  await screenOnCarol.waitFor();
  await host.page.getByRole('button', { name: 'Actions for Bob' }).click();
  await host.page.getByRole('menuitem', { name: 'Stop screen share of Bob' }).click();
  await screenOnCarol.waitFor({ state: 'detached' });
  await bob.page.getByText('A host stopped your screen share.').waitFor();
  await bob.page.getByRole('button', { name: 'Share screen' }).waitFor();
  assert.equal(await host.page.getByRole('group', { name: "Bob's screen" }).count(), 0);

  for (const participant of [host, bob, carol]) await participant.context.close();
});
