/**
 * A meeting recorded without a browser in the loop: three people in real
 * Chromium, the host starting and stopping the recording from the meeting
 * screen, one person sharing a screen for part of it and one leaving midway.
 * Everyone sees the recording badge while it runs. The file, fetched through
 * the host's signed download link, is checked with ffprobe and ffmpeg as a
 * viewer would see it: its length, one video and one audio stream, cameras
 * that are not black, sound, and the layout changing when the share starts
 * and when someone leaves.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { Page } from 'playwright-core';
import { joinMeeting, openParticipant } from '../../testkit/browser.js';
import { audioSamples, brightness, difference, frameAt, probe } from '../../testkit/media-probe.js';
import { createRoom, recordingOn } from '../../testkit/parley.js';
import { rms } from '../../testkit/audio-analysis.js';
import { sleep } from '../../testkit/wait.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { BROWSER } from '../helpers/timeouts.js';

const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-recordings-'));
const meeting = meetingFixture(recordingOn(dir));
after(() => rm(dir, { recursive: true, force: true }));

/** Seconds since the recording started, by the test's clock. */
const since = (start: number) => (Date.now() - start) / 1000;

/** The host's recording dialog (More → Recording and live stream), its Recording section. */
async function recordingSection(page: Page) {
  const dialog = page.getByRole('dialog', { name: 'Recording and live stream' });
  if (!(await dialog.isVisible())) {
    await page.getByRole('button', { name: 'More options' }).click();
    await page.getByRole('button', { name: 'Recording and live stream' }).click();
  }
  return dialog.getByRole('region', { name: 'Recording', exact: true });
}

const RECORDING_BADGE = { name: 'This meeting is being recorded' } as const;

test('a 20-second, three-person meeting with a screen share and a departure becomes one playable file', BROWSER, async () => {
  const room = await createRoom(meeting.parley, { lobby: false });
  const host = await openParticipant(meeting.browser, meeting.parley.url);
  const bob = await openParticipant(meeting.browser, meeting.parley.url);
  const carol = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  await joinMeeting(bob.page, room.url, 'Bob');
  await joinMeeting(carol.page, room.url, 'Carol');
  // Everyone sends before the recording starts.
  for (const page of [host.page, bob.page, carol.page]) await page.getByRole('group', { name: 'Carol' }).or(page.getByRole('group', { name: 'Carol (you)' })).first().waitFor();

  const controls = await recordingSection(host.page);
  await controls.getByRole('checkbox', { name: "Also save each person's audio and video separately" }).check();
  await controls.getByRole('button', { name: 'Start recording' }).click();
  await controls.getByRole('button', { name: 'Stop recording' }).waitFor();
  const started = Date.now();
  await host.page.keyboard.press('Escape');
  for (const page of [host.page, bob.page, carol.page]) await page.getByRole('status', RECORDING_BADGE).waitFor();
  const metrics = await (await fetch(`${meeting.parley.url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  assert.match(metrics, /^parley_recordings 1$/m, 'operators see the recording in /metrics');
  await sleep(6_000);
  const shareAt = since(started);
  await bob.page.getByRole('button', { name: 'Share screen' }).click();
  await bob.page.getByRole('button', { name: 'Stop sharing' }).waitFor();
  await sleep(5_000);
  const carolLeftAt = since(started);
  await carol.context.close();
  await sleep(20_000 - since(started) * 1000);
  const stopping = await recordingSection(host.page);
  await stopping.getByRole('button', { name: 'Stop recording' }).click();
  await stopping.getByRole('button', { name: 'Start recording' }).waitFor();
  const recorded = since(started);
  await bob.page.getByRole('status', RECORDING_BADGE).waitFor({ state: 'detached' });

  // Once finished, the host's dialog offers it by a signed link, which downloads the file.
  const link = stopping.getByRole('link', { name: /^Download recording from / });
  await link.waitFor({ timeout: 120_000 });
  const response = await fetch(new URL((await link.getAttribute('href'))!, meeting.parley.url), { signal: AbortSignal.timeout(30_000) });
  assert.equal(response.status, 200);
  const file = path.join(dir, 'downloaded.mp4');
  await writeFile(file, Buffer.from(await response.arrayBuffer()));
  // And each person's tracks apart, each by its own signed link.
  const [recording] = await meeting.parley.recordings!.recordings(room.id);
  assert.deepEqual(
    recording!.tracks?.map(({ name, source }) => `${name} ${source}`).sort(),
    ['Bob camera', 'Bob mic', 'Bob screen', 'Bob screen-audio', 'Carol camera', 'Carol mic', 'Hostess camera', 'Hostess mic'],
    'one file per track, for editing',
  );
  const carolsCamera = recording!.tracks!.find(({ name, source }) => name === 'Carol' && source === 'camera')!;
  const track = await fetch(new URL(carolsCamera.url, meeting.parley.url), { signal: AbortSignal.timeout(30_000) });
  assert.equal(track.status, 200);
  const trackFile = path.join(dir, 'carol-camera.mkv');
  await writeFile(trackFile, Buffer.from(await track.arrayBuffer()));
  const carolsTrack = await probe(trackFile);
  assert.deepEqual(carolsTrack.streams.map((stream) => stream.type), ['video']);
  assert.ok(Math.abs(carolsCamera.startSeconds + carolsTrack.durationSeconds - carolLeftAt) < 1.5, 'her camera ends when she left');
  const { durationSeconds, streams } = await probe(file);
  assert.ok(Math.abs(durationSeconds - recorded) < 1, `the file lasts ${durationSeconds} s, the recording ran ${recorded} s`);
  assert.deepEqual(streams.map((stream) => stream.type).sort(), ['audio', 'video']);
  assert.deepEqual(streams.find((stream) => stream.type === 'video'), { type: 'video', codec: 'h264', width: 1280, height: 720 });

  // Three cameras in a grid (two on top, one centred below), none of them black.
  const grid = await frameAt(file, shareAt - 1.5);
  const tiles = [
    { x: 80, y: 40, width: 480, height: 280 },
    { x: 720, y: 40, width: 480, height: 280 },
    { x: 400, y: 400, width: 480, height: 280 },
  ];
  for (const tile of tiles) assert.ok(brightness(grid, tile) > 80, `a camera tile is dark: ${JSON.stringify(tile)} at ${brightness(grid, tile)}`);

  // The share takes the main area; the cameras move to a column on the right (Bob's may be catching up after its
  // sender, now also sending a screen, dropped a simulcast layer).
  const shared = await frameAt(file, shareAt + 3);
  const main = { x: 20, y: 20, width: 900, height: 680 };
  assert.ok(difference(grid, shared, main) > 20, `the main area did not change when the share started (${difference(grid, shared, main)})`);
  const column = [0, 1, 2].map((row) => brightness(shared, { x: 980, y: row * 180 + 30, width: 280, height: 120 }));
  assert.ok(column.filter((level) => level > 80).length >= 2, `the cameras in the column are dark (${column.join(', ')})`);
  assert.ok(brightness(shared, { x: 980, y: 560, width: 280, height: 140 }) < 60, 'nothing below the three cameras');

  // Carol left: her tile goes, the others stay.
  const afterCarol = await frameAt(file, carolLeftAt + 2);
  assert.ok(brightness(afterCarol, { x: 980, y: 2 * 180 + 30, width: 280, height: 120 }) < 60, "Carol's tile stayed after she left");
  assert.ok(brightness(afterCarol, { x: 980, y: 30, width: 280, height: 120 }) > 80, "the host's camera went dark when Carol left");

  const sound = await audioSamples(file, 1, recorded - 1);
  assert.ok(rms(sound) > 0.01, `the recording is silent (RMS ${rms(sound)})`);
  for (const participant of [host, bob]) await participant.context.close();
});
