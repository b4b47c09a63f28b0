/**
 * The lobby in real Chromium: a guest who arrives before the host waits and
 * is admitted; a denied guest sees the denial and cannot come straight back;
 * a host link for one room does not open another.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinMeeting, openParticipant } from '../../testkit/browser.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { createRoom } from '../../testkit/parley.js';
import { BROWSER } from '../helpers/timeouts.js';

const meeting = meetingFixture();

test('a guest who arrives before the host waits, and the host admits them', BROWSER, async () => {
  const room = await createRoom(meeting.parley);
  const guest = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(guest.page, room.url, 'Guest', 'lobby');

  const host = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  assert.equal(new URL(host.page.url()).hash, '', 'the host credential leaves the address bar');
  await host.page.getByRole('region', { name: 'Waiting to join' }).getByRole('listitem', { name: 'Guest' }).waitFor();
  assert.equal(await guest.page.getByRole('button', { name: 'Leave' }).isVisible(), true);
  assert.equal(await guest.page.getByRole('group', { name: 'Hostess' }).count(), 0, 'a waiting guest sees nobody');

  // The people panel's lobby (the knock's toast has the same button: see flows.test.ts).
  await host.page.getByRole('region', { name: 'Waiting to join' }).getByRole('button', { name: 'Admit Guest' }).click();
  await guest.page.getByRole('group', { name: 'Hostess' }).waitFor();
  await host.page.getByRole('group', { name: 'Guest' }).waitFor();
  await host.page.getByRole('region', { name: 'Waiting to join' }).waitFor({ state: 'hidden' });
  await guest.context.close();
  await host.context.close();
});

test('a denied guest sees the denial and cannot come straight back', BROWSER, async () => {
  const room = await createRoom(meeting.parley);
  const host = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  const guest = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(guest.page, room.url, 'Mallory', 'lobby');

  await host.page.getByRole('region', { name: 'Waiting to join' }).getByRole('button', { name: 'Deny Mallory' }).click();
  await guest.page.getByText('The host did not let you in.').waitFor();
  // The end screen offers what can work, not a Rejoin that loops back to the refusal.
  await guest.page.getByRole('link', { name: 'Back to start' }).waitFor();
  assert.equal(await guest.page.getByRole('button', { name: 'Rejoin' }).count(), 0);
  await guest.page.goto(room.url);
  await guest.page.getByLabel('Your name').fill('Mallory');
  await guest.page.getByRole('button', { name: 'Join' }).click();
  await guest.page.getByText('a host turned you away from this meeting').waitFor();
  assert.equal(await host.page.getByRole('region', { name: 'Waiting to join' }).isVisible(), false, 'Mallory is not back in the lobby');
  await guest.context.close();
  await host.context.close();
});

test("room A's host link is refused in room B", BROWSER, async () => {
  const roomA = await createRoom(meeting.parley);
  const roomB = await createRoom(meeting.parley);
  const intruder = await openParticipant(meeting.browser, meeting.parley.url);
  await intruder.page.goto(`${roomB.url}#host=${roomA.hostCredential}`);
  await intruder.page.getByLabel('Your name').fill('Intruder');
  await intruder.page.getByRole('button', { name: 'Join' }).click();
  await intruder.page.getByText('this invitation is for a different meeting').waitFor();
  await intruder.context.close();
});
