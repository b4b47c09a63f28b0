/**
 * The meeting layout in real Chromium, on a phone (390×844) and a laptop
 * (1280×800), with 1, 3 and 6 people and with a screen share: nothing
 * overflows sideways, the videos take most of a phone's screen, the
 * controls are one row, every tile's name is readable, the camera strip
 * under a share stays above the controls, and a panel opened on a phone is
 * a sheet that takes focus and gives it back.
 *
 * Extra people who only need a tile join through the signalling bot
 * (scripts/load/bot.ts) without media, so six people cost two browsers.
 * With PARLEY_SCREENSHOTS=1 the test also writes docs/screenshots/*.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { Bot } from '../../../scripts/load/bot.js';
import { fitGrid, initials } from '../../../client/src/views/layout.js';
import { joinMeeting, openParticipant, tileVideo, type Participant } from '../../testkit/browser.js';
import { createRoom, type CreatedRoom } from '../../testkit/parley.js';
import { waitUntil } from '../../testkit/wait.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { BROWSER, QUICK } from '../helpers/timeouts.js';

const meeting = meetingFixture();

const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1280, height: 800 };
const SHOTS = process.env['PARLEY_SCREENSHOTS'] === '1' ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url)) : undefined;

interface Layout {
  /** document.scrollingElement.scrollWidth - innerWidth: > 0 is a sideways scroll. */
  overflow: number;
  /** Share of the viewport taken by the video area, in %. */
  videoArea: number;
  /** Share of the viewport covered by tiles, in %. */
  tileArea: number;
  /** Spread of the visible control buttons' tops, in px (0 = one row). */
  controlsSpread: number;
  controls: number;
  /** Visible controls cut off by the window's edges, or overlapping the next one. */
  controlsClipped: number;
  /** The lowest tile's bottom edge and the controls' top edge. */
  tilesBottom: number;
  controlsTop: number;
  names: { name: string; fits: boolean; fullName: string }[];
  tiles: number;
}

function measure(page: Page): Promise<Layout> {
  return page.evaluate(() => {
    // No named inner functions: tsx would wrap them in a helper the page does not have.
    const viewport = innerWidth * innerHeight;
    const videos = document.querySelector('section[aria-label="Videos"]')!.getBoundingClientRect();
    const controls = document.querySelector('nav[aria-label="Call controls"]')!;
    const row = [...controls.querySelectorAll('button')].map((button) => button.getBoundingClientRect()).filter((box) => box.width > 0);
    const buttons = row.map((box) => box.top);
    const inRow = [...row].sort((a, b) => a.left - b.left);
    const tiles = [...document.querySelectorAll<HTMLElement>('.tile[role="group"]')].filter((tile) => tile.getBoundingClientRect().width > 0);
    const tileBoxes = tiles.map((tile) => tile.getBoundingClientRect());
    return {
      overflow: document.scrollingElement!.scrollWidth - innerWidth,
      videoArea: Math.round((100 * videos.width * videos.height) / viewport),
      tileArea: Math.round((100 * tileBoxes.reduce((sum, box) => sum + box.width * box.height, 0)) / viewport),
      controlsSpread: Math.round(Math.max(...buttons) - Math.min(...buttons)),
      controls: buttons.length,
      controlsClipped: inRow.filter((box, index) => box.left < 0 || box.right > innerWidth || (index > 0 && box.left < inRow[index - 1]!.right - 1)).length,
      tilesBottom: Math.round(Math.max(...tileBoxes.map((box) => box.bottom))),
      controlsTop: Math.round(controls.getBoundingClientRect().top),
      names: tiles.map((tile) => {
        const name = tile.querySelector<HTMLElement>('.caption .name')!;
        return { name: name.textContent ?? '', fits: name.scrollWidth <= name.clientWidth, fullName: tile.getAttribute('aria-label') ?? '' };
      }),
      tiles: tiles.length,
    };
  });
}

/** Checks one layout against the rules above and prints its figures. */
async function checkLayout(page: Page, label: string, size: { width: number; height: number }, tiles: number): Promise<Layout> {
  await page.setViewportSize(size);
  // The grid sizes its tiles in a frame after the resize: wait for the same figures twice, a few frames apart.
  let previous = '';
  const layout = await waitUntil(
    async () => {
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      return measure(page);
    },
    (current) => {
      const same = JSON.stringify(current) === previous;
      previous = JSON.stringify(current);
      return same && current.tiles === tiles;
    },
    10_000,
    `${label}: ${tiles} tiles laid out`,
  );
  console.log(
    `[layout] ${label} ${size.width}x${size.height}: overflow ${layout.overflow}px, video area ${layout.videoArea}%, tiles ${layout.tileArea}%, ` +
      `${layout.controls} controls spread ${layout.controlsSpread}px, tiles end ${layout.tilesBottom} / controls at ${layout.controlsTop}, ` +
      `names ${layout.names.map((n) => `${n.name}${n.fits ? '' : ' (CUT)'}`).join(', ')}`,
  );
  assert.ok(layout.overflow <= 0, `${label}: no horizontal overflow (${layout.overflow}px)`);
  if (size === PHONE) assert.ok(layout.videoArea >= 60, `${label}: videos take ≥ 60% of the phone screen (${layout.videoArea}%)`);
  assert.ok(layout.controlsSpread <= 4, `${label}: the controls are one row (tops spread ${layout.controlsSpread}px)`);
  assert.equal(layout.controlsClipped, 0, `${label}: no control is cut off by the window or overlaps another`);
  assert.ok(layout.tilesBottom <= layout.controlsTop, `${label}: no tile under the controls`);
  for (const name of layout.names) {
    assert.ok(name.fits, `${label}: "${name.name}" is shown in full`);
    assert.equal(name.name, name.fullName, `${label}: the tile's accessible name is the full name`);
  }
  return layout;
}

async function shoot(page: Page, file: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  // The caret and hover tools would make the pictures differ from run to run.
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `${SHOTS}${file}`, animations: 'disabled', caret: 'hide' });
}

async function join(room: CreatedRoom, name: string, url = room.url): Promise<Participant> {
  const participant = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(participant.page, url, name);
  return participant;
}

const bots = (room: CreatedRoom, names: string[]) =>
  Promise.all(names.map((name) => Bot.join({ baseUrl: meeting.parley.url, roomId: room.id, name, publish: false, subscribe: false })));

/** Waits until `name`'s tile on `page` shows decoded video, so a screenshot has a picture. */
const decoding = (page: Page, name: string) => waitUntil(() => tileVideo(page, name), (video) => video.frames > 2, 30_000, `${name}'s video`);

test('the grid fits 16:9 tiles as large as they can be (pure arithmetic)', QUICK, () => {
  assert.deepEqual(fitGrid(1, 1000, 560, 8), { columns: 1, rows: 1, width: 995, height: 559 });
  assert.equal(fitGrid(3, 378, 720, 8).columns, 1, 'three people on a phone: one column of large tiles');
  assert.equal(fitGrid(4, 1200, 680, 8).columns, 2, 'four on a laptop: two by two');
  assert.equal(fitGrid(6, 924, 676, 8).columns, 2);
  const many = fitGrid(60, 378, 700, 8, 16 / 9, 150);
  assert.ok(many.width >= 150 && many.columns === 2, 'past the smallest useful size the grid scrolls');
  assert.equal(initials('Kim Kowalski'), 'KK');
  assert.equal(initials('  bob '), 'B');
  assert.equal(initials('Ana Maria de la Cruz'), 'AC');
});

test('one person: the own tile fills the space at both sizes', BROWSER, async () => {
  const room = await createRoom(meeting.parley, { lobby: false });
  const alice = await join(room, 'Alice Johnson');
  await checkLayout(alice.page, '1 person, phone', PHONE, 1);
  await checkLayout(alice.page, '1 person, laptop', LAPTOP, 1);
  await alice.context.close();
});

test('three people, then a screen share: grid, stage and strip at both sizes', BROWSER, async () => {
  const room = await createRoom(meeting.parley, { lobby: false });
  const alice = await join(room, 'Alice Johnson', room.hostUrl);
  const bob = await join(room, 'Bob Martin');
  const kim = await join(room, 'Kim Kowalski');
  await alice.page.getByRole('group', { name: 'Kim Kowalski', exact: true }).waitFor();
  await decoding(alice.page, 'Bob Martin');
  await decoding(alice.page, 'Kim Kowalski');

  await checkLayout(alice.page, '3 people, laptop', LAPTOP, 3);
  await shoot(alice.page, 'call-3-laptop.png');
  const phone = await checkLayout(alice.page, '3 people, phone', PHONE, 3);
  assert.ok(phone.tileArea >= 40, `three tiles use the phone's height (${phone.tileArea}%)`);
  await shoot(alice.page, 'call-3-phone.png');

  // On a phone the people panel is a sheet: it takes focus, Escape closes it and focus goes back.
  const peopleButton = alice.page.getByRole('button', { name: /^People 3/ });
  await peopleButton.click();
  await alice.page.getByRole('button', { name: 'Close people' }).waitFor();
  assert.equal(await alice.page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Close people');
  assert.equal(await alice.page.locator('nav[aria-label="Call controls"]').evaluate((nav: HTMLElement) => nav.inert), true, 'the rest is inert');
  await shoot(alice.page, 'people-sheet-phone.png');
  await alice.page.keyboard.press('Escape');
  await alice.page.getByRole('button', { name: 'Close people' }).waitFor({ state: 'hidden' });
  assert.match((await alice.page.evaluate(() => document.activeElement?.textContent)) ?? '', /^People 3/);

  // Bob shares: the share takes the stage, the cameras a strip above the controls.
  await bob.page.getByRole('button', { name: 'Share screen' }).click();
  await alice.page.getByRole('region', { name: 'Screen shares' }).getByRole('group', { name: "Bob Martin's screen" }).waitFor();
  await decoding(alice.page, "Bob Martin's screen");
  const sharePhone = await checkLayout(alice.page, 'share, phone', PHONE, 4);
  await shoot(alice.page, 'share-phone.png');
  const shareLaptop = await checkLayout(alice.page, 'share, laptop', LAPTOP, 4);
  await shoot(alice.page, 'share-laptop.png');
  for (const layout of [sharePhone, shareLaptop]) assert.ok(layout.tilesBottom <= layout.controlsTop);

  // Pinning a camera puts it on the stage instead; unpinning gives the stage back to the share.
  await alice.page.getByRole('button', { name: 'Pin Kim Kowalski' }).click();
  await alice.page.getByRole('region', { name: 'Pinned' }).getByRole('group', { name: 'Kim Kowalski', exact: true }).waitFor();
  assert.equal(await alice.page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Unpin Kim Kowalski', 'focus stays on the pin');
  await checkLayout(alice.page, 'pinned, laptop', LAPTOP, 4);
  await alice.page.getByRole('button', { name: 'Unpin Kim Kowalski' }).click();
  await alice.page.getByRole('region', { name: 'Screen shares' }).waitFor();

  for (const participant of [alice, bob, kim]) await participant.context.close();
});

test('six people (four of them bots without media): initials, names and one row of controls', BROWSER, async () => {
  const room = await createRoom(meeting.parley, { lobby: false });
  const alice = await join(room, 'Alice Johnson', room.hostUrl);
  const bob = await join(room, 'Bob Martin');
  const others = await bots(room, ['Kim Kowalski', 'Priya Raman', 'Lars Eriksen', 'Mei Chen']);
  try {
    await alice.page.getByRole('group', { name: 'Mei Chen', exact: true }).waitFor();
    await decoding(alice.page, 'Bob Martin');
    // A person without a camera shows initials, not a black box.
    const avatar = alice.page.getByRole('group', { name: 'Priya Raman', exact: true }).locator('.avatar');
    await avatar.waitFor();
    assert.equal(await avatar.textContent(), 'PR');

    await checkLayout(alice.page, '6 people, laptop', LAPTOP, 6);
    await shoot(alice.page, 'call-6-laptop.png');
    await checkLayout(alice.page, '6 people, phone', PHONE, 6);
    await shoot(alice.page, 'call-6-phone.png');
  } finally {
    for (const bot of others) bot.close();
  }
  await alice.context.close();
  await bob.context.close();
});
