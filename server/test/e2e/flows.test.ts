/**
 * The flows around a call in real Chromium: a dead link is told before any
 * camera turns on, a host who ends the meeting is told it was them, a knock
 * at the lobby is heard and seen and answered from its toast, a camera
 * switch keeps the producer, and hosts mute everyone and ask (never force)
 * someone to unmute. Keyboard shortcuts stay out of text fields.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { inboundTotals, joinMeeting, openParticipant, startCall } from '../../testkit/browser.js';
import { freePort } from '../../testkit/ports.js';
import { createRoom, startTestParley } from '../../testkit/parley.js';
import { waitUntil } from '../../testkit/wait.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { BROWSER } from '../helpers/timeouts.js';

const meeting = meetingFixture();
/** A bound for what the page does on its own (a toast, a title); far below the test's timeout. */
const UI_MS = 15_000;

async function roomStatus(id: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${meeting.parley.url}/api/rooms/${id}`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.json() };
}

/** The server's producers of the person called `name` in room `roomId`. */
async function producersOf(roomId: string, name: string) {
  const live = (await meeting.parley.meetings.list()).find((candidate) => candidate.id === roomId);
  const peer = live?.roster.all().find((candidate) => candidate.displayName === name && candidate.state === 'joined');
  return peer ? live!.media.producersOf(peer.id) : [];
}

test('an ended link says so before any camera turns on; the host who ended it is told it was them', BROWSER, async () => {
  const room = await createRoom(meeting.parley);
  assert.deepEqual(await roomStatus(room.id), { status: 200, body: { exists: true, lobby: true, passwordRequired: false, recording: false, webinar: false } });

  const host = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  // A host's Leave offers to end the meeting for everyone, in a real dialog.
  await host.page.getByRole('button', { name: 'Leave', exact: true }).click();
  const dialog = host.page.getByRole('dialog', { name: 'Leave the meeting?' });
  await dialog.getByRole('button', { name: 'End meeting for everyone' }).click();
  await host.page.getByText('You ended the meeting.').waitFor();
  await host.page.getByRole('link', { name: 'Back to start' }).waitFor();
  await host.page.getByRole('button', { name: 'Start a new meeting' }).waitFor();
  assert.equal(await host.page.getByRole('button', { name: 'Rejoin' }).count(), 0, 'no Rejoin into an ended meeting');
  assert.equal((await roomStatus(room.id)).status, 404);

  // A new visitor: every getUserMedia call is counted from the first script on.
  const visitor = await openParticipant(meeting.browser, meeting.parley.url);
  await visitor.context.addInitScript(() => {
    const calls = { count: 0 };
    (window as unknown as { __cameraCalls: typeof calls }).__cameraCalls = calls;
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = (constraints) => {
      calls.count += 1;
      return original(constraints);
    };
  });
  await visitor.page.goto(room.url);
  await visitor.page.getByText('This meeting is over, or the link is not valid.').waitFor();
  await visitor.page.getByRole('link', { name: 'Back to start' }).waitFor();
  assert.equal(await visitor.page.getByLabel('Your name').count(), 0, 'no prejoin form');
  assert.equal(await visitor.page.evaluate(() => (window as unknown as { __cameraCalls: { count: number } }).__cameraCalls.count), 0, 'the camera was never asked for');

  // Back to start leads to the start page.
  await visitor.page.getByRole('link', { name: 'Back to start' }).click();
  await visitor.page.getByRole('button', { name: 'Start a new meeting' }).waitFor();
  await host.context.close();
  await visitor.context.close();
});

test('a knock chimes, shows a toast with Admit and Deny and counts in the title; Admit in the toast lets Ada in', BROWSER, async () => {
  const room = await createRoom(meeting.parley);
  const host = await openParticipant(meeting.browser, meeting.parley.url);
  await host.context.addInitScript(() => {
    const sound = { oscillators: 0 };
    (window as unknown as { __sound: typeof sound }).__sound = sound;
    const create = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function (this: AudioContext) {
      sound.oscillators += 1;
      return create.call(this);
    };
  });
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  assert.equal(await host.page.title(), 'Parley');

  const ada = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(ada.page, room.url, 'Ada', 'lobby');
  // The waiting guest sees themselves and what happens next.
  await ada.page.getByLabel('Your camera preview').waitFor();
  await ada.page.getByText('this page joins the meeting by itself').waitFor();

  const toasts = host.page.getByRole('status', { name: 'Notifications' });
  await toasts.getByText('Ada is asking to join.').waitFor({ timeout: UI_MS });
  await host.page.waitForFunction(() => document.title === '(1) Parley', undefined, { timeout: UI_MS });
  const sound = await host.page.evaluate(() => (window as unknown as { __sound: { oscillators: number } }).__sound.oscillators);
  assert.ok(sound >= 1, `the knock made a sound (${sound} oscillators)`);
  await toasts.getByRole('button', { name: 'Deny Ada' }).waitFor();

  await toasts.getByRole('button', { name: 'Admit Ada' }).click();
  await ada.page.getByRole('group', { name: 'Hostess' }).waitFor();
  await host.page.getByRole('group', { name: 'Ada', exact: true }).waitFor();
  await host.page.waitForFunction(() => document.title === 'Parley', undefined, { timeout: UI_MS });
  assert.equal(await toasts.getByText('Ada is asking to join.').count(), 0, 'the knock toast went with the knock');
  await host.context.close();
  await ada.context.close();
});

test('switching the camera mid-call keeps the producer, and the other side keeps decoding', BROWSER, async () => {
  const { room, participants: [alice, bob] } = await startCall(meeting.parley, meeting.browser, ['Alice', 'Bob'] as const);
  await waitUntil(() => inboundTotals(bob.page), (t) => t.framesDecoded > 20, 30_000, "Alice's video at Bob's");
  const cameraOf = async () => (await producersOf(room.id, 'Alice')).find((producer) => producer.source === 'camera')?.id;
  const producerBefore = await cameraOf();
  assert.ok(producerBefore, 'Alice sends a camera');
  const localTrack = () =>
    alice.page.getByRole('group', { name: 'Alice (you)' }).locator('video').evaluate((video: HTMLVideoElement) => (video.srcObject as MediaStream).getVideoTracks()[0]?.id);
  const sentTrack = () =>
    alice.page.evaluate(() =>
      (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections
        .filter((connection) => connection.connectionState !== 'closed')
        .flatMap((connection) => connection.getSenders())
        .find((sender) => sender.track?.kind === 'video')?.track?.id,
    );
  const trackBefore = await localTrack();
  assert.equal(await sentTrack(), trackBefore);

  await alice.page.getByRole('button', { name: 'More options' }).click();
  await alice.page.getByRole('button', { name: 'Choose camera, microphone and speaker' }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'Camera, microphone and speaker' });
  const camera = dialog.getByLabel('Camera', { exact: true });
  const options = await camera.evaluate((select: HTMLSelectElement) => [...select.options].map((option) => option.value));
  console.log(`# Chromium's fake cameras: ${options.length}`);
  // Another camera if there is one; otherwise the same one opened again (a new track all the same).
  const current = await camera.inputValue();
  await camera.selectOption(options.find((value) => value !== current) ?? current);
  await dialog.getByText('Camera switched.').waitFor({ timeout: UI_MS });
  await dialog.getByRole('button', { name: 'Close' }).click();

  const trackAfter = await localTrack();
  assert.notEqual(trackAfter, trackBefore, 'a new camera track');
  assert.equal(await sentTrack(), trackAfter, 'the new track is the one sent');
  assert.equal(await cameraOf(), producerBefore, 'the same producer on the server');
  const bobBefore = await inboundTotals(bob.page);
  await waitUntil(() => inboundTotals(bob.page), (t) => t.framesDecoded > bobBefore.framesDecoded + 30, 20_000, 'Bob to keep decoding Alice');
  assert.equal(await bob.page.getByRole('group', { name: 'Alice', exact: true }).count(), 1);
  await alice.context.close();
  await bob.context.close();
});

async function micButton(page: Page, name: 'Mute microphone' | 'Unmute microphone') {
  await page.getByRole('navigation', { name: 'Call controls' }).getByRole('button', { name, exact: true }).waitFor();
}

test('a host mutes everyone and asks Bob to unmute; only Bob unmutes Bob. Shortcuts skip text fields', BROWSER, async () => {
  const room = await createRoom(meeting.parley, { lobby: false });
  const host = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  const bob = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(bob.page, room.url, 'Bob');
  await micButton(bob.page, 'Mute microphone');
  await host.page.getByRole('listitem', { name: 'Bob' }).getByText('mic on').waitFor();

  await host.page.getByRole('button', { name: 'More options' }).click();
  await host.page.getByRole('button', { name: 'Mute everyone' }).click();
  await bob.page.getByText('A host muted your microphone.').waitFor();
  await micButton(bob.page, 'Unmute microphone');
  await micButton(host.page, 'Mute microphone');
  // The notice goes by itself (about 5 s).
  await bob.page.getByText('A host muted your microphone.').waitFor({ state: 'detached', timeout: UI_MS });

  await host.page.getByRole('button', { name: 'Actions for Bob' }).click();
  await host.page.getByRole('menuitem', { name: 'Ask Bob to unmute' }).click();
  await bob.page.getByText('A host asks you to unmute your microphone.').waitFor();
  const micPaused = async () => (await producersOf(room.id, 'Bob')).find((producer) => producer.source === 'mic')?.paused;
  assert.equal(await micPaused(), true, 'asking unmutes nobody');
  await bob.page.getByRole('button', { name: 'Unmute now' }).click();
  await micButton(bob.page, 'Mute microphone');
  await host.page.getByRole('listitem', { name: 'Bob' }).getByText('mic on').waitFor();
  assert.equal(await micPaused(), false);

  // Shortcuts: "m" in the chat box is a letter; outside it, it mutes. "?" lists them.
  const chat = bob.page.getByLabel('Message', { exact: true });
  await chat.fill('');
  await chat.press('m');
  assert.equal(await chat.inputValue(), 'm');
  await micButton(bob.page, 'Mute microphone');
  await chat.evaluate((input: HTMLInputElement) => input.blur());
  await bob.page.keyboard.press('m');
  await micButton(bob.page, 'Unmute microphone');
  await bob.page.keyboard.press('?');
  const help = bob.page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await help.getByText('Mute or unmute your microphone').waitFor();
  await bob.page.keyboard.press('Escape');
  await help.waitFor({ state: 'detached' });
  await host.context.close();
  await bob.context.close();
});

test('a server restart that loses the meeting says so, and does not blame the link', BROWSER, async () => {
  const port = String(await freePort());
  let parley = await startTestParley({ PARLEY_PORT: port });
  try {
    const room = await createRoom(parley, { lobby: false });
    const alice = await openParticipant(meeting.browser, parley.url);
    await joinMeeting(alice.page, room.url, 'Alice');
    // A restart: the in-memory meeting is gone when the page comes back.
    await parley.close();
    parley = await startTestParley({ PARLEY_PORT: port });
    await alice.page.getByText('The meeting did not survive the interruption.').waitFor({ timeout: 60_000 });
    await alice.page.getByText('the server may have restarted').waitFor();
    assert.equal(await alice.page.getByText('link is not valid').count(), 0, 'the link is not blamed');
    await alice.page.getByRole('button', { name: 'Start a new meeting' }).waitFor();
    await alice.context.close();
  } finally {
    await parley.close();
  }
});
