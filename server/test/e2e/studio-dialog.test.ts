/**
 * The hosts' Studio dialog in real Chromium: a host creates a WHIP stream
 * key (a bad name is caught first and said in an alert tied to the field;
 * the server's refusal of an eleventh key is said too), sees the WHIP URL
 * and the key, copies them (and is told when the clipboard is refused),
 * finds the key in the list, revokes it, and creates a WHEP viewer token;
 * a participant has no Studio button; on a phone the dialog fits and
 * scrolls. A real WHIP stream (werift) is shown by its label alone, its
 * people row says so and offers only stopping its share and removing it,
 * and removing it ends its WHIP session.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { publishWhip } from '../../../scripts/load/whip-publisher.js';
import { joinMeeting, openParticipant } from '../../testkit/browser.js';
import { createRoom } from '../../testkit/parley.js';
import { waitUntil } from '../../testkit/wait.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { BROWSER } from '../helpers/timeouts.js';

const meeting = meetingFixture();
const KEY = /^[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{43}$/;
const STUDIO = 'Studio (WHIP and WHEP)';
const LABEL = 'OBS — Studio A';

async function openStudio(page: Page) {
  await page.getByRole('button', { name: 'More options' }).click();
  await page.getByRole('button', { name: STUDIO }).click();
  const dialog = page.getByRole('dialog', { name: STUDIO });
  await dialog.waitFor();
  return dialog;
}

test('a host creates, copies, lists and revokes a stream key and creates a viewer token; a participant has no Studio', BROWSER, async () => {
  const room = await createRoom(meeting.parley, { lobby: false });
  const host = await openParticipant(meeting.browser, meeting.parley.url);
  await host.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: meeting.parley.url });
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  const bob = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(bob.page, room.url, 'Bob');
  const { page } = host;

  const dialog = await openStudio(page);
  const whip = dialog.getByRole('region', { name: 'Publish with OBS (WHIP)' });
  const keys = whip.getByRole('list', { name: 'Stream keys' });
  const status = dialog.getByRole('status');
  await whip.getByText('No stream keys yet.').waitFor();

  // Only spaces: said in the page's words, tied to the field, and nothing is sent.
  const name = whip.getByRole('textbox', { name: 'Name on stage' });
  await name.fill('   ');
  await whip.getByRole('button', { name: 'Create stream key' }).click();
  const alert = whip.getByRole('alert');
  await alert.getByText('Enter the name the stream will have on stage.').waitFor();
  assert.equal(await name.getAttribute('aria-invalid'), 'true');
  assert.equal(await name.getAttribute('aria-describedby'), await alert.getAttribute('id'));
  assert.equal(await name.evaluate((input) => input === document.activeElement), true, 'focus goes back to the field');
  assert.equal((await meeting.parley.store.listStreamKeys(room.id)).length, 0);

  await name.fill(LABEL);
  await whip.getByRole('button', { name: 'Create stream key' }).click();
  const url = whip.getByRole('textbox', { name: 'WHIP URL' });
  const key = whip.getByRole('textbox', { name: 'Stream key (shown once)' });
  await key.waitFor();
  assert.equal(await url.inputValue(), `${meeting.parley.url}/whip/${room.id}`);
  const secret = await key.inputValue();
  assert.match(secret, KEY);
  assert.equal(await alert.textContent(), '', 'the old problem is gone');
  assert.equal(await name.getAttribute('aria-invalid'), null);
  const row = keys.getByRole('listitem').filter({ hasText: LABEL });
  await row.getByText(/^created /).waitFor();
  assert.deepEqual((await meeting.parley.store.listStreamKeys(room.id)).map(({ label }) => label), [LABEL]);

  // Copying says so; a refused clipboard selects the text for the person to copy.
  await whip.getByRole('button', { name: 'Copy stream key' }).click();
  await status.getByText('Stream key copied.').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
  await page.evaluate(() => (navigator.clipboard.writeText = () => Promise.reject(new DOMException('refused', 'NotAllowedError'))));
  await whip.getByRole('button', { name: 'Copy WHIP URL' }).click();
  await status.getByText('Could not copy. The text is selected').waitFor();
  assert.equal(await url.evaluate((input: HTMLInputElement) => input === document.activeElement && input.selectionEnd! - input.selectionStart!), (await url.inputValue()).length);

  // A viewer token for a WHEP player.
  const whep = dialog.getByRole('region', { name: 'Watch with a WHEP player' });
  await whep.getByRole('button', { name: 'Create viewer link' }).click();
  const token = whep.getByRole('textbox', { name: 'Viewer token' });
  await token.waitFor();
  assert.equal(await whep.getByRole('textbox', { name: 'WHEP URL' }).inputValue(), `${meeting.parley.url}/whep/${room.id}`);
  assert.ok((await token.inputValue()).length > 20, 'a token is shown');
  await whep.getByText('Anyone with this token can watch until it expires').waitFor();
  for (const copy of ['Copy WHEP URL', 'Copy viewer token']) await whep.getByRole('button', { name: copy }).waitFor();

  // On a phone the dialog fits the screen and scrolls to its last control.
  await page.setViewportSize({ width: 390, height: 844 });
  const box = (await dialog.boundingBox())!;
  assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= 390 && box.y + box.height <= 844, `the dialog fits: ${JSON.stringify(box)}`);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.setViewportSize({ width: 1280, height: 800 });

  // Opened again: the key is not shown any more, the list is fetched again.
  await openStudio(page);
  await row.waitFor();
  assert.equal(await key.count(), 0, 'the key is shown once');

  // The server's refusal of an eleventh key is said.
  for (let made = 2; made <= 10; made++) {
    await name.fill(`Camera ${made}`);
    await whip.getByRole('button', { name: 'Create stream key' }).click();
    await keys.getByRole('listitem').filter({ hasText: `Camera ${made}` }).waitFor();
  }
  await name.fill('Camera 11');
  await whip.getByRole('button', { name: 'Create stream key' }).click();
  await alert.getByText('This meeting has 10 stream keys already; revoke one first.').waitFor();

  // Revoking asks nothing; the list is fetched again and focus stays in the list.
  await keys.getByRole('button', { name: `Revoke stream key ${LABEL}` }).click();
  await status.getByText(`Stream key ${LABEL} revoked.`).waitFor();
  await row.waitFor({ state: 'detached' });
  assert.equal(await keys.getByRole('listitem').count(), 9);
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Revoke stream key Camera 2');
  assert.equal((await meeting.parley.store.listStreamKeys(room.id)).some(({ label }) => label === LABEL), false);

  // A participant has no Studio.
  await bob.page.getByRole('button', { name: 'More options' }).click();
  await bob.page.getByRole('button', { name: 'Copy invite link' }).waitFor();
  assert.equal(await bob.page.getByRole('button', { name: STUDIO }).count(), 0);
  await host.context.close();
  await bob.context.close();
});

test('a WHIP stream is shown by its label, and a host may only stop its share or remove it', BROWSER, async () => {
  const { parley } = meeting;
  const room = await createRoom(parley, { lobby: false });
  const host = await openParticipant(meeting.browser, parley.url);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  const { key } = await parley.meetings.streamKeys.create(room.id, LABEL);
  const publication = await publishWhip(`${parley.url}/whip/${room.id}`, key, 'VP8');
  try {
    const stage = host.page.getByRole('region', { name: 'Screen shares' });
    await stage.getByRole('group', { name: LABEL, exact: true }).waitFor();
    assert.equal(await host.page.getByRole('group', { name: `${LABEL}'s screen` }).count(), 0);
    assert.equal(await host.page.getByRole('region', { name: 'Participants video' }).getByRole('group', { name: LABEL }).count(), 0, 'no camera tile');
    const row = host.page.getByRole('listitem', { name: LABEL });
    await row.getByText('WHIP stream', { exact: true }).waitFor();
    assert.equal(await row.getByText(/mic|camera|Participant/).count(), 0, 'no microphone, camera or role');

    const menu = host.page.getByRole('menu', { name: `Actions for ${LABEL}` });
    await host.page.getByRole('button', { name: `Actions for ${LABEL}` }).click();
    assert.deepEqual(await menu.getByRole('menuitem').allTextContents(), [`Stop screen share of ${LABEL}`, `Remove ${LABEL}`]);
    await menu.getByRole('menuitem', { name: `Stop screen share of ${LABEL}` }).click();
    await stage.getByRole('group', { name: LABEL, exact: true }).waitFor({ state: 'detached' });

    // Removing it ends the WHIP session on the server.
    await host.page.getByRole('button', { name: `Actions for ${LABEL}` }).click();
    await menu.getByRole('menuitem', { name: `Remove ${LABEL}` }).click();
    await row.waitFor({ state: 'detached' });
    await waitUntil(async () => parley.whip.size, (size) => size === 0, 10_000, 'the WHIP session to end');
  } finally {
    await publication.close();
  }
});
