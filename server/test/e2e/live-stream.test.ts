/**
 * Live streaming to RTMP: a two-person meeting in real Chromium streamed to
 * a local RTMP server (ffmpeg listening), whose file carries H.264 video of
 * the composite and AAC sound; the server goes down and comes back, and the
 * stream resumes on its own.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { rms } from '../../testkit/audio-analysis.js';
import { joinMeeting, openParticipant } from '../../testkit/browser.js';
import { audioSamples, brightness, frameAt, probe } from '../../testkit/media-probe.js';
import { createRoom, recordingOn } from '../../testkit/parley.js';
import { freePort } from '../../testkit/ports.js';
import { RtmpReceiver } from '../../testkit/rtmp-receiver.js';
import { waitUntil } from '../../testkit/wait.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { BROWSER } from '../helpers/timeouts.js';

const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-stream-'));
const meeting = meetingFixture(recordingOn(dir));
after(() => rm(dir, { recursive: true, force: true }));

/** A received stream holds at least `seconds` of H.264 and AAC, with a lit camera tile and sound. */
async function assertStream(file: string, seconds: number): Promise<void> {
  const { durationSeconds, streams } = await probe(file);
  assert.ok(durationSeconds >= seconds, `the stream lasted ${durationSeconds} s`);
  assert.deepEqual(streams.map(({ type, codec }) => `${type}/${codec}`).sort(), ['audio/aac', 'video/h264']);
  // Two cameras side by side in the 1280×720 picture, near the end (the pictures join a second or two after the names).
  const frame = await frameAt(file, durationSeconds - 1);
  for (const x of [80, 720]) assert.ok(brightness(frame, { x, y: 200, width: 480, height: 300 }) > 80, `a camera is dark in the stream at x=${x}`);
  const sound = await audioSamples(file, 1);
  assert.ok(rms(sound) > 0.01, `the stream is silent (RMS ${rms(sound)})`);
}

test('a meeting streams to an RTMP server, and resumes when the server comes back', BROWSER, async () => {
  const room = await createRoom(meeting.parley, { lobby: false });
  const host = await openParticipant(meeting.browser, meeting.parley.url);
  const bob = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  await joinMeeting(bob.page, room.url, 'Bob');
  const port = await freePort();
  const first = await RtmpReceiver.start(port, path.join(dir, 'first.flv'));

  const live = (await meeting.parley.meetings.list()).find((candidate) => candidate.id === room.id)!;
  await live.startStreaming(`rtmp://127.0.0.1:${port}/live/test-key`);
  // Enough for the pictures to join the layout and several seconds of both.
  await waitUntil(() => first.received(), (bytes) => bytes > 1_500_000, 60_000, 'the first receiver to get 1.5 MB');
  await first.stop();
  await assertStream(first.file, 4);

  // The server comes back on the same address: the stream finds it again.
  const second = await RtmpReceiver.start(port, path.join(dir, 'second.flv'));
  await waitUntil(() => second.received(), (bytes) => bytes > 1_500_000, 90_000, 'the stream to resume to the second receiver');
  await live.stopEgress('streaming');
  await second.stop();
  await assertStream(second.file, 4);
  for (const participant of [host, bob]) await participant.context.close();
});
