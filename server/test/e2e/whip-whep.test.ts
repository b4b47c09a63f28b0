/**
 * WHIP and WHEP with clients that are not Parley's: a plain page publishes
 * its camera and microphone by WHIP and the meeting shows it on the stage;
 * a second plain page watches by WHEP and decodes video and sound; DELETE
 * takes each away. Then werift in Node, another WebRTC stack, publishes
 * H.264 and VP8 from ffmpeg, and the meeting's browser decodes each.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { publishWhip } from '../../../scripts/load/whip-publisher.js';
import { joinMeeting, openParticipant, tileVideo } from '../../testkit/browser.js';
import { createRoom } from '../../testkit/parley.js';
import { waitUntil } from '../../testkit/wait.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { deleteFromPage, openPlainPage, plainOrigin, publishFromPage, receivedOnPage, watchFromPage, type PlainOrigin } from '../../testkit/plain-pages.js';
import { BROWSER, HOOK } from '../helpers/timeouts.js';

const meeting = meetingFixture();
let plain: PlainOrigin;
before(async () => {
  plain = await plainOrigin();
}, HOOK);
after(async () => plain?.close(), HOOK);

const STAGE = 'OBS — Studio A';

test('a plain page publishes by WHIP onto the stage, another watches by WHEP, and DELETE ends each', BROWSER, async () => {
  const { parley } = meeting;
  const room = await createRoom(parley, { lobby: true });
  const host = await openParticipant(meeting.browser, parley.url);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  const { key } = await parley.meetings.streamKeys.create(room.id, STAGE);

  const publisher = await openPlainPage(meeting.browser, plain);
  const published = await publishFromPage(publisher, `${parley.url}/whip/${room.id}`, key);
  assert.equal(published.status, 201, published.body);
  assert.match(published.location ?? '', new RegExp(`^/whip/${room.id}/[0-9a-f-]{36}$`), 'the Location names the session, readable across origins');
  assert.match(published.etag ?? '', /^"[^"]+"$/);

  // On the stage of the meeting's page, by the name the host gave the key, through the lobby it skips.
  const onStage = await waitUntil(() => tileVideo(host.page, STAGE), (video) => video.frames > 0 && video.width > 0, 30_000, 'the WHIP stream on the stage');
  assert.ok(onStage.width >= 320, `the stage shows the stream (${onStage.width} px wide)`);

  const viewer = await openPlainPage(meeting.browser, plain);
  const token = await parley.meetings.viewerToken(room.id);
  const watching = await watchFromPage(viewer, `${parley.url}/whep/${room.id}`, token);
  assert.equal(watching.status, 201, watching.body);
  const seen = await waitUntil(() => receivedOnPage(viewer), (r) => r.framesDecoded > 20 && r.audioEnergy > 0, 30_000, 'the WHEP player to decode video and sound');
  assert.ok(seen.frameWidth >= 320, `the player decodes the stage (${seen.frameWidth} px wide)`);
  assert.ok(seen.audioSamples > 48_000, 'the player hears the meeting’s mix');

  // DELETE from the publisher's page: the stream leaves the stage; the player's session stays.
  assert.equal(await deleteFromPage(publisher, new URL(published.location!, parley.url).href, key), 200);
  await host.page.getByRole('group', { name: STAGE }).waitFor({ state: 'detached' });
  assert.equal(await deleteFromPage(publisher, new URL(published.location!, parley.url).href, key), 404, 'a session is deleted once');

  assert.equal(await deleteFromPage(viewer, new URL(watching.location!, parley.url).href, token), 200);
  await waitUntil(async () => parley.whip.size, (size) => size === 0, 10_000, 'both sessions to end');
});

test('werift in Node publishes H.264 and VP8 by WHIP, and a browser in the meeting decodes each', BROWSER, async () => {
  const { parley } = meeting;
  const room = await createRoom(parley, { lobby: false });
  const guest = await openParticipant(meeting.browser, parley.url);
  await joinMeeting(guest.page, room.url, 'Guest');
  for (const codec of ['H264', 'VP8'] as const) {
    const label = `werift ${codec}`;
    const { key } = await parley.meetings.streamKeys.create(room.id, label);
    const publication = await publishWhip(`${parley.url}/whip/${room.id}`, key, codec);
    try {
      const first = await waitUntil(() => tileVideo(guest.page, label), (video) => video.frames > 0 && video.width === 640, 30_000, `the ${codec} stream to decode`);
      await waitUntil(() => tileVideo(guest.page, label), (video) => video.frames > first.frames + 20, 30_000, `${codec} frames to keep coming`);
    } finally {
      await publication.close();
    }
    await guest.page.getByRole('group', { name: label }).waitFor({ state: 'detached' });
  }
});
