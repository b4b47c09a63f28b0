/**
 * Presence and simulcast in real Chromium: the speaking indicator follows
 * the microphone that is producing sound, and the simulcast layer a
 * consumer receives follows the size of its tile (hidden tiles pause).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { tileVideo } from '../../testkit/browser.js';
import { waitUntil } from '../../testkit/wait.js';
import { startCall } from '../../testkit/browser.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { BROWSER } from '../helpers/timeouts.js';

const meeting = meetingFixture();

const speaking = (page: Page, name: string) =>
  page.getByRole('group', { name, exact: true }).evaluate((tile: HTMLElement) => tile.dataset['speaking'] === 'true');

test('the speaking indicator follows the microphone that is producing sound', BROWSER, async () => {
  const { participants: [alice, bob] } = await startCall(meeting.parley, meeting.browser, ['Alice', 'Bob']);

  // Both microphones beep at first; the indicators must settle on the one left unmuted.
  const state = async () => ({ alice: await speaking(bob.page, 'Alice'), bob: await speaking(alice.page, 'Bob') });
  await bob.page.getByRole('button', { name: 'Mute microphone' }).click();
  const onlyAlice = await waitUntil(state, (s) => s.alice && !s.bob, 30_000, 'only Alice shown speaking');
  assert.deepEqual(onlyAlice, { alice: true, bob: false });

  await alice.page.getByRole('button', { name: 'Mute microphone' }).click();
  await bob.page.getByRole('button', { name: 'Unmute microphone' }).click();
  const onlyBob = await waitUntil(state, (s) => s.bob && !s.alice, 30_000, 'only Bob shown speaking');
  assert.deepEqual(onlyBob, { alice: false, bob: true });
  await alice.page.getByRole('listitem', { name: 'Bob' }).getByText('speaking').waitFor();

  await alice.context.close();
  await bob.context.close();
});

test("the received simulcast layer follows the tile's size, and a hidden tile pauses", BROWSER, async () => {
  const { room, participants: [alice, bob] } = await startCall(meeting.parley, meeting.browser, ['Alice', 'Bob']);

  const size = () => tileVideo(alice.page, 'Bob');
  const resize = (width: string) =>
    alice.page.getByRole('group', { name: 'Bob', exact: true }).evaluate((tile: HTMLElement, w) => {
      tile.style.width = w;
    }, width);
  const bobCamera = async () => {
    const live = (await meeting.parley.meetings.list()).find((candidate) => candidate.id === room.id);
    const alicePeer = live?.roster.all().find((peer) => peer.displayName === 'Alice');
    return (alicePeer ? live!.media.consumersOf(alicePeer.id) : []).find((consumer) => consumer.kind === 'video');
  };
  const layer = async () => (await bobCamera())?.currentLayers?.spatialLayer ?? -1;

  // Bob's camera sends three layers (a quarter, half and full size).
  await resize('1000px');
  await waitUntil(layer, (spatial) => spatial >= 1, 40_000, 'a higher layer for a large tile');
  const large = await waitUntil(size, (v) => v.width >= 640, 40_000, 'large frames');
  await resize('150px');
  await waitUntil(layer, (spatial) => spatial === 0, 40_000, 'the lowest layer for a small tile');
  const small = await waitUntil(size, (v) => v.width > 0 && v.width <= large.width / 2, 40_000, 'smaller frames');
  assert.equal(small.width * 2 <= large.width, true);
  assert.equal((await bobCamera())?.preferredLayers?.spatialLayer, 0);

  await alice.page.getByRole('group', { name: 'Bob', exact: true }).evaluate((tile: HTMLElement) => (tile.style.display = 'none'));
  await waitUntil(async () => (await bobCamera())?.paused, Boolean, 10_000, 'the hidden tile to pause its consumer');

  await alice.context.close();
  await bob.context.close();
});
