/**
 * Host controls in real Chromium: a muted participant stops sending audio
 * (seen in the host's getStats), a removed one is disconnected and cannot
 * rejoin, a locked room refuses a newcomer, and an ended meeting is gone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inboundTotals, joinMeeting, openParticipant } from '../../testkit/browser.js';
import { waitUntil } from '../../testkit/wait.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { createRoom } from '../../testkit/parley.js';
import { BROWSER } from '../helpers/timeouts.js';

const meeting = meetingFixture();

test('mute, remove, lock and end, each enforced by the server', BROWSER, async () => {
  const room = await createRoom(meeting.parley, { lobby: false });
  const host = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  const bob = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(bob.page, room.url, 'Bob');
  await host.page.getByRole('group', { name: 'Bob' }).waitFor();

  // The host receives Bob's audio; after "Mute Bob" it stops arriving.
  await waitUntil(() => inboundTotals(host.page), (t) => t.audioBytes > 5000, 30_000, "Bob's audio to reach the host");
  // Host actions on a person are in that person's menu.
  await host.page.getByRole('button', { name: 'Actions for Bob' }).click();
  await host.page.getByRole('menuitem', { name: 'Mute Bob' }).click();
  await bob.page.getByText('A host muted your microphone.').waitFor();
  await bob.page.getByRole('button', { name: 'Unmute microphone' }).waitFor();
  const frozen = await waitUntil(
    async () => {
      const before = (await inboundTotals(host.page)).audioBytes;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return { before, after: (await inboundTotals(host.page)).audioBytes };
    },
    ({ before, after }) => after === before,
    15_000,
    "Bob's audio to stop",
  );
  assert.equal(frozen.after, frozen.before);
  await host.page.getByRole('listitem', { name: 'Bob' }).getByText('mic off').waitFor();

  // Removal disconnects Bob, and his credential no longer gets him in. A muted Bob is not offered "Mute Bob".
  await host.page.getByRole('button', { name: 'Actions for Bob' }).click();
  await host.page.getByRole('menuitem', { name: 'Remove Bob' }).waitFor();
  assert.equal(await host.page.getByRole('menuitem', { name: 'Mute Bob' }).count(), 0, 'no "Mute Bob" for a muted Bob');
  await host.page.getByRole('menuitem', { name: 'Remove Bob' }).click();
  await bob.page.getByText('A host removed you from the meeting.').waitFor();
  await host.page.getByRole('group', { name: 'Bob' }).waitFor({ state: 'detached' });
  assert.equal(await bob.page.getByRole('button', { name: 'Rejoin' }).count(), 0, 'no Rejoin that cannot work');
  await bob.page.goto(room.url);
  await bob.page.getByLabel('Your name').fill('Bob');
  await bob.page.getByRole('button', { name: 'Join' }).click();
  await bob.page.getByText('a host turned you away from this meeting').waitFor();

  // Locked: a newcomer is refused, not even put in a lobby.
  await host.page.getByRole('button', { name: 'Lock meeting' }).click();
  await host.page.getByRole('button', { name: 'Unlock meeting' }).waitFor();
  const carol = await openParticipant(meeting.browser, meeting.parley.url);
  await carol.page.goto(room.url);
  await carol.page.getByLabel('Your name').fill('Carol');
  await carol.page.getByRole('button', { name: 'Join' }).click();
  await carol.page.getByText('the host has locked this meeting').waitFor();

  // Ending the meeting closes it for everyone and kills the link.
  // Ending asks first, in the page's own dialog; the host is told it was their doing.
  await host.page.getByRole('button', { name: 'End meeting for all' }).click();
  await host.page.getByRole('dialog', { name: 'End the meeting for everyone?' }).getByRole('button', { name: 'End meeting for everyone' }).click();
  await host.page.getByText('You ended the meeting.').waitFor();
  assert.equal(await meeting.parley.store.getRoom(room.id), undefined);

  for (const participant of [host, bob, carol]) await participant.context.close();
});
