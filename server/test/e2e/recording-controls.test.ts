/**
 * Recording and live streaming in real Chromium, on a server that has no
 * recorder (it refuses to start one): the host's recording and live-stream
 * dialog shows the server's refusal and catches a bad stream URL before it
 * is sent; a recording that becomes ready, a recording and a stream that
 * start and stop, and a stream that fails are fed to the host's page
 * through its own WebSocket and shown (a named download link, badges,
 * notices, an alert in the dialog or a toast without it). A newcomer to a meeting the store marks as recorded is
 * told on the pre-join page, or, if that page did not know, asked before
 * their camera and microphone are sent: nothing is produced until
 * Continue, and Leave meeting leaves.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page, WebSocketRoute } from 'playwright-core';
import type { NotificationMethod, NotificationData } from '../../src/protocol/messages.js';
import { inboundTotals, joinMeeting, openParticipant } from '../../testkit/browser.js';
import { createRoom } from '../../testkit/parley.js';
import { waitUntil } from '../../testkit/wait.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { BROWSER } from '../helpers/timeouts.js';

const meeting = meetingFixture();
/** A bound for what a page does on its own (a producer after Continue, frames arriving). */
const UI_MS = 20_000;

/** The server's producers of the person called `name` in room `roomId`, by source. */
async function producersOf(roomId: string, name: string): Promise<string[]> {
  const live = (await meeting.parley.meetings.list()).find((candidate) => candidate.id === roomId);
  const peer = live?.roster.all().find((candidate) => candidate.displayName === name && candidate.state === 'joined');
  return peer ? live!.media.producersOf(peer.id).map(({ source }) => source).sort() : [];
}

/** Who is in the meeting `roomId` on the server. */
async function joinedNames(roomId: string): Promise<string[]> {
  const live = (await meeting.parley.meetings.list()).find((candidate) => candidate.id === roomId);
  return (live?.roster.all() ?? []).filter((peer) => peer.state === 'joined').map((peer) => peer.displayName);
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

test('a host: the refusal of a server without a recorder, a bad stream URL, a ready recording, the badge and notices', BROWSER, async () => {
  const room = await createRoom(meeting.parley, { lobby: false });
  const host = await openParticipant(meeting.browser, meeting.parley.url);
  const feed = await feedable(host.page);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  const { page } = host;

  const openDialog = async () => {
    await page.getByRole('button', { name: 'More options' }).click();
    await page.getByRole('button', { name: 'Recording and live stream' }).click();
  };
  await openDialog();
  const dialog = page.getByRole('dialog', { name: 'Recording and live stream' });
  const recording = dialog.getByRole('region', { name: 'Recording', exact: true });
  await recording.getByText('No finished recordings yet.').waitFor();

  // This server has no recorder: its reason is shown, in a sentence.
  await recording.getByRole('checkbox', { name: "Also save each person's audio and video separately" }).check();
  await recording.getByRole('button', { name: 'Start recording' }).click();
  await recording.getByRole('alert').getByText('This server does not record or stream meetings.').waitFor();

  // A URL the server would refuse is caught here, said in the page's words and tied to the field.
  const stream = dialog.getByRole('region', { name: 'Live stream', exact: true });
  const url = stream.getByRole('textbox', { name: 'Stream URL (RTMP or RTMPS, with stream key)' });
  assert.deepEqual(await url.evaluate((input: HTMLInputElement) => [input.type, input.autocomplete, input.spellcheck]), ['url', 'off', false]);
  await stream.getByRole('button', { name: 'Start streaming' }).click();
  await stream.getByRole('alert').getByText('Enter the stream URL from your streaming service').waitFor();
  await url.fill('https://a.rtmp.youtube.com/live2/key');
  await stream.getByRole('button', { name: 'Start streaming' }).click();
  await stream.getByRole('alert').getByText('A stream URL starts with rtmp:// or rtmps://.').waitFor();
  assert.equal(await url.getAttribute('aria-invalid'), 'true');
  assert.equal(await url.getAttribute('aria-describedby'), await stream.getByRole('alert').getAttribute('id'));
  assert.equal(await url.evaluate((input) => input === document.activeElement), true, 'focus goes back to the field');
  await url.fill('rtmp://a.rtmp.youtube.com/live2/abcd-efgh');
  await stream.getByRole('button', { name: 'Start streaming' }).click();
  await stream.getByRole('alert').getByText('This server does not record or stream meetings.').waitFor();
  assert.equal(await url.getAttribute('aria-invalid'), null);

  // A recording that becomes ready is a download link named in full.
  const startedAt = Date.now() - 200_000;
  feed('recordingReady', {
    recording: { id: 'rec-1', startedAt, durationSeconds: 192, sizeBytes: 24_000_000, url: '/recordings/rec-1.mp4?sig=x', expiresAt: Date.now() + 3_600_000 },
  });
  const link = recording.getByRole('link', { name: /^Download recording from .+, 3 min 12 s, 24\sMB$/ });
  await link.waitFor();
  assert.equal(await link.getAttribute('href'), '/recordings/rec-1.mp4?sig=x');
  assert.equal(await recording.getByText('No finished recordings yet.').isVisible(), false);

  // The recording and the stream start (as another host might): a notice of both, the buttons turn to stopping, the old refusal goes.
  const notices = page.getByRole('status', { name: 'Notifications' });
  feed('roomUpdated', { room: { locked: false, lobby: false, recording: true, streaming: true, webinar: false } });
  await notices.getByText('Recording started. Live stream started.').waitFor();
  await recording.getByRole('button', { name: 'Stop recording' }).waitFor();
  await stream.getByRole('button', { name: 'Stop streaming' }).waitFor();
  assert.equal(await recording.getByRole('alert').textContent(), '', 'the old refusal is gone');
  assert.equal(await recording.getByRole('checkbox').isDisabled(), true, 'kept apart or not is decided at the start');
  // A stream that fails while the dialog is open is said there.
  feed('egressFailed', { what: 'streaming', reason: 'the RTMP server closed the connection' });
  await stream.getByRole('alert').getByText('The live stream stopped. The RTMP server closed the connection.').waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached' });

  // Behind it: a badge each.
  const badge = page.getByRole('status', { name: 'This meeting is being recorded' });
  const live = page.getByRole('status', { name: 'This meeting is being streamed live' });
  assert.equal(await badge.textContent(), 'Recording');
  assert.equal(await live.textContent(), 'Live');
  // With the dialog closed, a failure is a toast.
  feed('egressFailed', { what: 'recording', reason: 'the disk is full' });
  await notices.getByText('The recording stopped. The disk is full.').waitFor();
  feed('roomUpdated', { room: { locked: false, lobby: false, recording: false, streaming: false, webinar: false } });
  await notices.getByText('Recording stopped. Live stream stopped.').waitFor();
  await badge.waitFor({ state: 'hidden' });
  await live.waitFor({ state: 'hidden' });
  await openDialog();
  await recording.getByRole('button', { name: 'Start recording' }).waitFor();
  await recording.getByRole('alert').getByText('The recording stopped. The disk is full.').waitFor();
  await host.context.close();
});

test('a newcomer to a recorded meeting is told on the pre-join page, or asked before anything is sent', BROWSER, async () => {
  const room = await createRoom(meeting.parley, { lobby: false });
  const host = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  // Two newcomers whose pre-join pages load before the recording starts, so they do not know.
  const [bob, carol] = [await openParticipant(meeting.browser, meeting.parley.url), await openParticipant(meeting.browser, meeting.parley.url)];
  for (const [page, name] of [[bob.page, 'Bob'], [carol.page, 'Carol']] as const) {
    await page.goto(room.url);
    await page.getByLabel('Your name').fill(name);
  }
  assert.equal(await bob.page.getByText('This meeting is being recorded.').count(), 0);
  // The recorder is the lead's: here the room store marks the meeting as recorded, as a recorder would.
  assert.equal(await meeting.parley.store.claimEgress(room.id, 'recording', 'test-recorder'), true);

  // Bob is asked. Meanwhile he receives (the host's video plays) but sends nothing.
  await bob.page.getByRole('button', { name: 'Join' }).click();
  const question = bob.page.getByRole('dialog', { name: 'This meeting is being recorded' });
  await question.waitFor();
  await waitUntil(() => inboundTotals(bob.page), (totals) => totals.framesDecoded > 0, UI_MS, "the host's video to play for Bob");
  assert.deepEqual(await producersOf(room.id, 'Bob'), [], 'nothing sent before Continue');
  await question.getByRole('button', { name: 'Continue' }).click();
  await waitUntil(() => producersOf(room.id, 'Bob'), (sources) => sources.length === 2, UI_MS, "Bob's camera and microphone");
  await bob.page.getByRole('status', { name: 'This meeting is being recorded' }).waitFor();
  await bob.context.close();

  // Carol is asked and leaves: she is out of the meeting, having sent nothing.
  await carol.page.getByRole('button', { name: 'Join' }).click();
  const asked = carol.page.getByRole('dialog', { name: 'This meeting is being recorded' });
  await asked.waitFor();
  assert.deepEqual(await producersOf(room.id, 'Carol'), []);
  await asked.getByRole('button', { name: 'Leave meeting' }).click();
  await carol.page.getByText('You left the meeting.').waitFor();
  await waitUntil(() => joinedNames(room.id), (names) => !names.includes('Carol'), UI_MS, 'Carol to leave the meeting');
  await carol.context.close();

  // Dave's pre-join page knows, says so by the Join button, and he is not asked again.
  const dave = await openParticipant(meeting.browser, meeting.parley.url);
  await dave.page.goto(room.url);
  const notice = dave.page.getByText('This meeting is being recorded.');
  await notice.waitFor();
  assert.equal(await dave.page.getByRole('button', { name: 'Join' }).getAttribute('aria-describedby'), await notice.getAttribute('id'));
  await dave.page.getByLabel('Your name').fill('Dave');
  await dave.page.getByRole('button', { name: 'Join' }).click();
  await waitUntil(() => producersOf(room.id, 'Dave'), (sources) => sources.length === 2, UI_MS, "Dave's camera and microphone");
  assert.equal(await dave.page.getByRole('dialog').count(), 0, 'no question for someone told before joining');
  await dave.context.close();
  await host.context.close();
});
