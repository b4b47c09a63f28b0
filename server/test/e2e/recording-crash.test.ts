/**
 * A recording survives its server's death: Parley runs as a child process,
 * a two-person meeting in real Chromium is recorded (started through the
 * HTTP API), and Parley is killed with SIGKILL mid-recording. Started again
 * on the same data directory, it finishes the interrupted recording from
 * what it had written, and the operator's webhook receiver gets
 * `recording.started`, then `recording.finished` with a signed link that
 * downloads a playable file of the recorded length.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { verifySignature } from '../../src/webhooks/signature.js';
import { joinMeeting, launchBrowser, openParticipant } from '../../testkit/browser.js';
import { brightness, frameAt, probe } from '../../testkit/media-probe.js';
import { NodeProcess } from '../../testkit/node-process.js';
import { freePort } from '../../testkit/ports.js';
import { sleep } from '../../testkit/wait.js';
import { WebhookReceiver, type ReceivedDelivery } from '../../testkit/webhook-receiver.js';
import { callApi } from '../helpers/management-api.js';
import { BROWSER, HOOK } from '../helpers/timeouts.js';

const API_KEY = 'recording-crash-test-key-0123456789';
const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123456789-abcdef';
let dataDir: string;
let receiver: WebhookReceiver;
let browser: Browser;
const nodes: NodeProcess[] = [];

before(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'parley-crash-'));
  receiver = await WebhookReceiver.start(await freePort());
  browser = await launchBrowser();
}, HOOK);

after(async () => {
  await browser?.close();
  for (const node of nodes) await node.kill();
  await receiver?.down();
  await rm(dataDir, { recursive: true, force: true });
}, HOOK);

const env = () => ({
  PARLEY_NODE_ID: 'recording-node',
  PARLEY_SECRET: 'test-secret-0123456789-abcdefghijklmnop',
  PARLEY_API_KEYS: API_KEY,
  PARLEY_WEBHOOK_URLS: receiver.url,
  PARLEY_WEBHOOK_SECRET: WEBHOOK_SECRET,
  PARLEY_DATA_DIR: dataDir,
  PARLEY_RECORDING_ENABLED: 'true',
  PARLEY_RECORDING_MIN_FREE_MB: '0',
});

const api = (node: NodeProcess, method: string, route: string, body?: unknown) => callApi(node.url, method, route, { key: API_KEY, ...(body === undefined ? {} : { body }) });

const delivered = (type: string) => receiver.accepted().find((delivery) => delivery.type === type);

test('a recording interrupted by SIGKILL is finished after the restart, and the operator gets its link', BROWSER, async () => {
  const first = await NodeProcess.start(env());
  nodes.push(first);
  const created = await api(first, 'POST', '/api/rooms', { lobby: false });
  assert.equal(created.status, 201);
  const room = created.body as { id: string; url: string; hostUrl: string };
  const host = await openParticipant(browser, first.url);
  const guest = await openParticipant(browser, first.url);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  await joinMeeting(guest.page, room.url, 'Guest');
  await guest.page.getByRole('group', { name: 'Hostess' }).waitFor();

  assert.equal((await api(first, 'POST', `/api/rooms/${room.id}/recording`, {})).status, 202);
  const started = Date.now();
  await receiver.until(() => delivered('recording.started') !== undefined, 'recording.started');
  await sleep(8_000);
  await first.kill();
  const recorded = (Date.now() - started) / 1000;
  for (const participant of [host, guest]) await participant.context.close();

  const second = await NodeProcess.start(env());
  nodes.push(second);
  await receiver.until(() => delivered('recording.finished') !== undefined, 'recording.finished after the restart', 120_000);
  const startedEvent = delivered('recording.started')!;
  const finished = delivered('recording.finished') as ReceivedDelivery & { data: { url: string; durationSeconds: number; sizeBytes: number; recordingId: string } };
  const request = receiver.requests.find((candidate) => candidate.status < 300 && candidate.body.includes(finished.id))!;
  assert.ok(verifySignature(WEBHOOK_SECRET, request.headers['parley-signature'] as string, request.body), 'the delivery is signed');
  assert.equal(finished.data.recordingId, startedEvent.data['recordingId']);
  assert.ok(finished.sequence > startedEvent.sequence, 'the events arrive in order');
  assert.ok(Math.abs(finished.data.durationSeconds - recorded) < 1.5, `the repaired recording lasts ${finished.data.durationSeconds} s; it ran ${recorded} s`);

  const download = await fetch(finished.data.url, { signal: AbortSignal.timeout(30_000) });
  assert.equal(download.status, 200);
  const bytes = Buffer.from(await download.arrayBuffer());
  assert.equal(bytes.length, finished.data.sizeBytes);
  const file = path.join(dataDir, 'downloaded.mp4');
  await writeFile(file, bytes);
  const { durationSeconds, streams } = await probe(file);
  assert.deepEqual(streams.map((stream) => stream.type).sort(), ['audio', 'video']);
  assert.ok(Math.abs(durationSeconds - recorded) < 1.5, `the file lasts ${durationSeconds} s`);
  // Two cameras side by side, lit, in the middle of what was recorded.
  const frame = await frameAt(file, recorded / 2);
  for (const x of [80, 720]) assert.ok(brightness(frame, { x, y: 200, width: 480, height: 300 }) > 80, `a camera is dark at x=${x}`);
});
