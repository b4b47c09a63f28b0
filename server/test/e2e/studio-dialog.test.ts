/**
 * The hosts' Studio dialog in real Chromium: a host creates a WHIP stream
 * key (a bad name is caught first and said in an alert tied to the field;
 * the server's refusal of an eleventh key is said too), sees the WHIP URL
 * and the key, copies them (and is told when the clipboard is refused),
 * finds the key in the list, revokes it, and creates a WHEP viewer token;
 * a participant has no Studio button; on a phone the dialog fits and
 * scrolls. A peer the server marks as a WHIP stream is shown by its label
 * alone, its people row says so and offers only stopping its share and
 * removing it (the mark is fed to the host's page through its own
 * WebSocket, onto a real screen share).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page, WebSocketRoute } from 'playwright-core';
import type { NotificationData, NotificationMethod } from '../../src/protocol/messages.js';
import { joinMeeting, openParticipant } from '../../testkit/browser.js';
import { createRoom } from '../../testkit/parley.js';
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

/** Routes the page's signalling through this test, which may then push notifications of its own to the page. */
async function feedable(page: Page): Promise<<M extends NotificationMethod>(method: M, data: NotificationData<M>) => void> {
  let route: WebSocketRoute | undefined;
  await page.routeWebSocket(/\/ws\?room=/, (ws) => {
    ws.connectToServer();
    route = ws;
  });
  return (method, data) => {
    assert.ok(route, 'the page has connected');
    route.send(JSON.stringify({ type: 'notification', method, data }));
  };
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
  const room = await createRoom(meeting.parley, { lobby: false });
  const host = await openParticipant(meeting.browser, meeting.parley.url);
  const feed = await feedable(host.page);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  const bob = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(bob.page, room.url, 'Bob');
  await bob.page.getByRole('button', { name: 'Share screen' }).click();
  const stage = host.page.getByRole('region', { name: 'Screen shares' });
  await stage.getByRole('group', { name: "Bob's screen" }).waitFor();

  // The server marks Bob as a WHIP stream (as it does a publisher): his live producers, his peer, a stream's name.
  const live = (await meeting.parley.meetings.list()).find((candidate) => candidate.id === room.id)!;
  const bobPeer = live.roster.all().find((peer) => peer.displayName === 'Bob')!;
  const producers = live.media.producersOf(bobPeer.id);
  assert.ok(producers.some(({ source, paused }) => source === 'screen' && !paused), 'Bob shares his screen');
  feed('peerUpdated', { peer: { id: bobPeer.id, displayName: LABEL, role: 'participant', handRaised: false, producers, stream: true } });

  await stage.getByRole('group', { name: LABEL, exact: true }).waitFor();
  assert.equal(await host.page.getByRole('group', { name: `${LABEL}'s screen` }).count(), 0);
  assert.equal(await host.page.getByRole('region', { name: 'Participants video' }).getByRole('group', { name: LABEL }).count(), 0, 'no camera tile');
  const row = host.page.getByRole('listitem', { name: LABEL });
  await row.getByText('WHIP stream', { exact: true }).waitFor();
  assert.equal(await row.getByText(/mic|camera|Participant/).count(), 0, 'no microphone, camera or role');

  await host.page.getByRole('button', { name: `Actions for ${LABEL}` }).click();
  const menu = host.page.getByRole('menu', { name: `Actions for ${LABEL}` });
  await menu.waitFor();
  const items = await menu.getByRole('menuitem').allTextContents();
  assert.deepEqual(items, [`Stop screen share of ${LABEL}`, `Remove ${LABEL}`]);
  await menu.getByRole('menuitem', { name: `Stop screen share of ${LABEL}` }).click();
  await bob.page.getByText('A host stopped your screen share.').waitFor();
  await host.page.waitForFunction(() => document.querySelectorAll('.stage .tile').length === 0);
  await host.context.close();
  await bob.context.close();
});
