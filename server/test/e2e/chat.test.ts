/** Chat in real Chromium: delivery, history for late joiners, and text that stays text. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { joinMeeting, openParticipant } from '../../testkit/browser.js';
import { startCall } from '../../testkit/browser.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { BROWSER } from '../helpers/timeouts.js';

const meeting = meetingFixture();

const XSS = '<img src=x onerror="window.__pwned = true">';

async function say(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

const messages = (page: Page) => page.getByRole('list', { name: 'Messages' });

test('messages reach others, late joiners get the history, markup stays text', BROWSER, async () => {
  const { room, participants: [alice, bob] } = await startCall(meeting.parley, meeting.browser, ['Alice', 'Bob']);

  await say(alice.page, 'hello from Alice');
  const delivered = messages(bob.page).getByRole('listitem').filter({ hasText: 'hello from Alice' });
  await delivered.waitFor();
  assert.match(await delivered.innerText(), /Alice/);
  assert.match(await delivered.locator('time').innerText(), /\d/);

  await say(bob.page, XSS);
  await messages(alice.page).getByText(XSS, { exact: true }).waitFor();
  assert.equal(await messages(alice.page).locator('img').count(), 0);
  assert.equal(await alice.page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned), undefined);

  const carol = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(carol.page, room.url, 'Carol');
  await messages(carol.page).getByText('hello from Alice').waitFor();
  await messages(carol.page).getByText(XSS, { exact: true }).waitFor();
  assert.equal(await messages(carol.page).locator('img').count(), 0);

  for (const participant of [alice, bob, carol]) await participant.context.close();
});
