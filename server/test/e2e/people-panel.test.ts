/**
 * The people panel in real Chromium: rows and their actions menus are
 * updated in place, so a host whose keyboard focus is on an item of
 * someone's actions menu keeps it while the speaking indicators change
 * around it for ten seconds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinMeeting, openParticipant } from '../../testkit/browser.js';
import { createRoom } from '../../testkit/parley.js';
import { sleep, waitUntil } from '../../testkit/wait.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { BROWSER } from '../helpers/timeouts.js';

const meeting = meetingFixture();

/** How long focus must hold while speakers change. */
const HOLD_MS = 10_000;

test('focus on "Remove Bob" in Bob\'s actions menu survives 10 s of speaker changes', BROWSER, async () => {
  const room = await createRoom(meeting.parley, { lobby: false });
  const host = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  const bob = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(bob.page, room.url, 'Bob');

  // By keyboard: the menu button, Enter opens the menu on its first item, End goes to the last.
  await host.page.getByRole('button', { name: 'Actions for Bob' }).focus();
  await host.page.keyboard.press('Enter');
  await host.page.getByRole('menu', { name: 'Actions for Bob' }).waitFor();
  await host.page.keyboard.press('End');
  assert.equal(await host.page.evaluate(() => document.activeElement?.textContent), 'Remove Bob');
  // Marks the focused element, so a rebuilt row (a new item) is told apart from the same one,
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
  const started = Date.now();
  // The fake microphones beep: who is speaking changes again and again.
  const speakingChanges = () =>
    host.page.getByRole('list', { name: 'Participants' }).evaluate((list: HTMLElement) => Number(list.dataset['speakingChanges'] ?? 0));
  await waitUntil(speakingChanges, (changes: number) => changes >= 3, 45_000, 'the speaking indicators to change');
  await sleep(Math.max(0, HOLD_MS - (Date.now() - started)));
  const changes = await speakingChanges();
  const focused = await host.page.evaluate(() => ({
    name: document.activeElement?.textContent,
    role: document.activeElement?.getAttribute('role'),
    same: document.activeElement?.hasAttribute('data-focused-before'),
  }));
  assert.deepEqual(focused, { name: 'Remove Bob', role: 'menuitem', same: true }, `focus held over ${changes} changes`);
  assert.ok(changes >= 3, `speakers changed while focus held (${changes})`);

  await host.page.keyboard.press('Enter');
  await bob.page.getByText('A host removed you from the meeting.').waitFor();
  await host.context.close();
  await bob.context.close();
});
