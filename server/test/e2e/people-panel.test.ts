/**
 * The people panel in real Chromium: rows are updated in place, so a host
 * whose keyboard focus is on a control in someone's row keeps it while the
 * speaking indicators change around it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinMeeting, openParticipant } from '../../testkit/browser.js';
import { createRoom } from '../../testkit/parley.js';
import { waitUntil } from '../../testkit/wait.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { BROWSER } from '../helpers/timeouts.js';

const meeting = meetingFixture();

test('focus on "Remove Bob" survives speaker changes', BROWSER, async () => {
  const room = await createRoom(meeting.parley, { lobby: false });
  const host = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  const bob = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(bob.page, room.url, 'Bob');

  await host.page.getByRole('button', { name: 'Remove Bob' }).focus();
  // Marks the focused element, so a rebuilt row (a new button) is told apart from the same one,
  // and counts changes in the list: speaking indicators, or whole rows replaced.
  await host.page.evaluate(() => {
    document.activeElement?.setAttribute('data-focused-before', '');
    const list = document.querySelector<HTMLElement>('ul[aria-label="Participants"]')!;
    let changes = 0;
    new MutationObserver((records) => {
      changes += records.length;
      list.dataset['speakingChanges'] = String(changes);
    }).observe(list, { subtree: true, childList: true, attributeFilter: ['data-speaking'] });
  });
  // The fake microphones beep: who is speaking changes again and again.
  const speakingChanges = () =>
    host.page.getByRole('list', { name: 'Participants' }).evaluate((list: HTMLElement) => Number(list.dataset['speakingChanges'] ?? 0));
  await waitUntil(speakingChanges, (changes: number) => changes >= 3, 45_000, 'the speaking indicators to change');
  const focused = await host.page.evaluate(() => ({
    name: document.activeElement?.textContent,
    same: document.activeElement?.hasAttribute('data-focused-before'),
  }));
  assert.deepEqual(focused, { name: 'Remove Bob', same: true });

  await host.page.keyboard.press('Enter');
  await bob.page.getByText('A host removed you from the meeting.').waitFor();
  await host.context.close();
  await bob.context.close();
});
