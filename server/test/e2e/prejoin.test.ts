/**
 * The pre-join page in real Chromium: the camera and microphone toggles
 * carry into the meeting (what was turned off is sent paused, as the server
 * sees it), the microphone level meter is named and moves with Chromium's
 * beeping fake microphone, and the device choices are named selects.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { openParticipant } from '../../testkit/browser.js';
import { createRoom } from '../../testkit/parley.js';
import { waitUntil } from '../../testkit/wait.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { BROWSER } from '../helpers/timeouts.js';

const meeting = meetingFixture();
/** A bound for what the page does on its own (starting the camera, a meter reading); far below the test's timeout. */
const UI_MS = 15_000;

/** The server's producers of the person called `name` in room `roomId`, by source. */
async function producersOf(roomId: string, name: string): Promise<Record<string, { paused: boolean }>> {
  const live = (await meeting.parley.meetings.list()).find((candidate) => candidate.id === roomId);
  const peer = live?.roster.all().find((candidate) => candidate.displayName === name && candidate.state === 'joined');
  const producers = peer ? live!.media.producersOf(peer.id) : [];
  return Object.fromEntries(producers.map(({ source, paused }) => [source, { paused }]));
}

/** Opens the pre-join page of a new room without a lobby, once its camera and microphone are on. */
async function prejoin(): Promise<{ page: Page; roomId: string }> {
  const room = await createRoom(meeting.parley, { lobby: false });
  const { page } = await openParticipant(meeting.browser, meeting.parley.url);
  await page.goto(room.url);
  await page.getByRole('button', { name: 'Mute microphone' }).and(page.locator(':enabled')).waitFor({ timeout: UI_MS });
  await page.getByRole('button', { name: 'Turn camera off' }).and(page.locator(':enabled')).waitFor({ timeout: UI_MS });
  return { page, roomId: room.id };
}

async function join(page: Page, name: string): Promise<void> {
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.getByRole('button', { name: 'Leave' }).waitFor();
}

const meterValue = (page: Page) => page.getByRole('meter', { name: 'Microphone level' }).evaluate((meter: HTMLMeterElement) => meter.value);

test('turning the camera off before joining sends it paused; the microphone stays live', BROWSER, async () => {
  const { page, roomId } = await prejoin();
  const toggle = page.getByRole('button', { name: 'Turn camera off' });
  await toggle.click();
  const back = page.getByRole('button', { name: 'Turn camera on' });
  assert.equal(await back.getAttribute('aria-pressed'), 'true');
  await join(page, 'Camille');
  // The call's own control starts where the pre-join page left it.
  assert.equal(await page.getByRole('navigation', { name: 'Call controls' }).getByRole('button', { name: 'Turn camera on' }).getAttribute('aria-pressed'), 'true');
  const producers = await waitUntil(() => producersOf(roomId, 'Camille'), (found) => 'camera' in found && 'mic' in found, UI_MS, "Camille's producers");
  assert.deepEqual(producers, { camera: { paused: true }, mic: { paused: false } });
});

test('muting the microphone before joining sends it paused; the camera stays live', BROWSER, async () => {
  const { page, roomId } = await prejoin();
  await page.getByRole('button', { name: 'Mute microphone' }).click();
  assert.equal(await page.getByRole('button', { name: 'Unmute microphone' }).getAttribute('aria-pressed'), 'true');
  await join(page, 'Milo');
  assert.equal(await page.getByRole('navigation', { name: 'Call controls' }).getByRole('button', { name: 'Unmute microphone' }).getAttribute('aria-pressed'), 'true');
  const producers = await waitUntil(() => producersOf(roomId, 'Milo'), (found) => 'camera' in found && 'mic' in found, UI_MS, "Milo's producers");
  assert.deepEqual(producers, { camera: { paused: false }, mic: { paused: true } });
});

test('the microphone level meter is named, moves with the fake microphone and falls silent when muted', BROWSER, async () => {
  const { page } = await prejoin();
  const meter = page.getByRole('meter', { name: 'Microphone level' });
  await meter.waitFor();
  // Chromium's fake microphone beeps about once a second.
  await waitUntil(() => meterValue(page), (value) => value > 0, UI_MS, 'the level meter to move');
  await page.getByRole('button', { name: 'Mute microphone' }).click();
  await waitUntil(() => meterValue(page), (value) => value === 0, UI_MS, 'the level meter to fall to 0');
  assert.equal(await meter.getAttribute('aria-valuetext'), 'silent');
});

test('the camera and microphone choices are named selects holding the devices in use', BROWSER, async () => {
  const { page } = await prejoin();
  for (const [name, kind] of [['Camera', 'video'], ['Microphone', 'audio']] as const) {
    const select = page.getByRole('combobox', { name, exact: true });
    await select.waitFor();
    assert.ok((await select.locator('option').count()) >= 1, `${name} lists a device`);
    const chosen = await select.inputValue();
    const inUse = await page.locator('video').first().evaluate(
      (video: HTMLVideoElement, trackKind) => (video.srcObject as MediaStream).getTracks().find((track) => track.kind === trackKind)?.getSettings().deviceId,
      kind,
    );
    assert.equal(chosen, inUse, `${name} shows the device in use`);
  }
});

test('the page connects while the person is still on the pre-join form, and joins over that one connection', BROWSER, async () => {
  const room = await createRoom(meeting.parley, { lobby: false });
  const { page } = await openParticipant(meeting.browser, meeting.parley.url);
  const sockets: string[] = [];
  page.on('websocket', (socket) => sockets.push(socket.url()));
  await page.goto(room.url);
  await page.getByLabel('Your name').waitFor({ timeout: UI_MS });
  // Connected and attached to the meeting before anyone pressed Join.
  const attached = await waitUntil(
    async () => (await meeting.parley.meetings.list()).find((candidate) => candidate.id === room.id)?.roster.all().length ?? 0,
    (count) => count === 1,
    UI_MS,
    'the pre-join page to connect to the meeting',
  );
  assert.equal(attached, 1);
  await join(page, 'Early');
  assert.equal(sockets.length, 1, `one signalling connection in all: ${sockets.join(', ')}`);
  const stages = await page.evaluate(() => performance.getEntriesByType('mark').map((mark) => mark.name));
  for (const stage of ['pageLoaded', 'socketOpen', 'cameraStarted', 'joinPressed', 'joined', 'transportsReady']) {
    assert.ok(stages.includes(`parley:${stage}`), `the page marked ${stage}: ${stages.join(', ')}`);
  }
});
