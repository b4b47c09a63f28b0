/**
 * A meeting that spans two nodes (sharing a real Redis) is recorded whole:
 * the host on node A starts the recording from the meeting screen, a guest
 * on node B sees the badge, and node B's HTTP API stops it (forwarded to
 * node A, which records). The nodes share the recordings directory (each has
 * its own data directory), so node B lists the recording node A made. The
 * file holds both cameras, the guest's piped from node B, and sound.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { rms } from '../../testkit/audio-analysis.js';
import { joinMeeting, launchBrowser, openParticipant } from '../../testkit/browser.js';
import { audioSamples, brightness, frameAt, probe } from '../../testkit/media-probe.js';
import { NodeProcess } from '../../testkit/node-process.js';
import { TestRedis } from '../../testkit/redis.js';
import { sleep } from '../../testkit/wait.js';
import { callApi } from '../helpers/management-api.js';
import { HOOK, MULTI_NODE } from '../helpers/timeouts.js';

const API_KEY = 'recording-two-nodes-key-0123456789';
let dir: string;
let redis: TestRedis;
let nodeA: NodeProcess;
let nodeB: NodeProcess;
let browser: Browser;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parley-recording-nodes-'));
  redis = await TestRedis.start();
  const shared = { PARLEY_REDIS_URL: redis.url, PARLEY_SECRET: 'recording-two-nodes-secret-of-32-chars', PARLEY_API_KEYS: API_KEY, PARLEY_RECORDING_ENABLED: 'true', PARLEY_RECORDING_MIN_FREE_MB: '0', PARLEY_RECORDINGS_DIR: path.join(dir, 'recordings') };
  nodeA = await NodeProcess.start({ ...shared, PARLEY_NODE_ID: 'node-a', PARLEY_DATA_DIR: path.join(dir, 'a') });
  nodeB = await NodeProcess.start({ ...shared, PARLEY_NODE_ID: 'node-b', PARLEY_DATA_DIR: path.join(dir, 'b') });
  browser = await launchBrowser();
}, HOOK);

after(async () => {
  await browser?.close();
  await nodeA?.kill();
  await nodeB?.kill();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
}, HOOK);

const api = (node: NodeProcess, method: string, route: string, body?: unknown) => callApi(node.url, method, route, { key: API_KEY, ...(body === undefined ? {} : { body }) });

test('a host on node A records a guest on node B; node B stops it', MULTI_NODE, async () => {
  const room = (await api(nodeA, 'POST', '/api/rooms', { lobby: false })).body as { id: string; url: string; hostUrl: string };
  const host = await openParticipant(browser, nodeA.url);
  const guest = await openParticipant(browser, nodeB.url);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  await joinMeeting(guest.page, room.url.replace(nodeA.url, nodeB.url), 'Guest');
  await host.page.getByRole('group', { name: 'Guest' }).waitFor();

  await host.page.getByRole('button', { name: 'More options' }).click();
  await host.page.getByRole('button', { name: 'Recording and live stream' }).click();
  await host.page.getByRole('region', { name: 'Recording', exact: true }).getByRole('button', { name: 'Start recording' }).click();
  await guest.page.getByRole('status', { name: 'This meeting is being recorded' }).waitFor();
  const started = Date.now();
  await sleep(8_000);
  assert.equal((await api(nodeB, 'DELETE', `/api/rooms/${room.id}/recording`)).status, 202);
  const recorded = (Date.now() - started) / 1000;
  await guest.page.getByRole('status', { name: 'This meeting is being recorded' }).waitFor({ state: 'detached' });

  let recordings: { url: string }[] = [];
  for (const deadline = Date.now() + 90_000; recordings.length === 0 && Date.now() < deadline; await sleep(500)) {
    recordings = (await api(nodeB, 'GET', `/api/rooms/${room.id}/recordings`)).body.recordings as { url: string }[];
  }
  assert.equal(recordings.length, 1, 'node B lists the recording node A made');
  const download = await fetch(new URL(recordings[0]!.url, nodeA.url), { signal: AbortSignal.timeout(30_000) });
  assert.equal(download.status, 200);
  const file = path.join(dir, 'two-nodes.mp4');
  await writeFile(file, Buffer.from(await download.arrayBuffer()));
  const { durationSeconds, streams } = await probe(file);
  assert.deepEqual(streams.map((stream) => stream.type).sort(), ['audio', 'video']);
  assert.ok(Math.abs(durationSeconds - recorded) < 1.5, `the file lasts ${durationSeconds} s; the recording ran ${recorded} s`);
  const frame = await frameAt(file, durationSeconds - 2);
  for (const x of [80, 720]) assert.ok(brightness(frame, { x, y: 200, width: 480, height: 300 }) > 80, `a camera is dark at x=${x}`);
  assert.ok(rms(await audioSamples(file, 1)) > 0.01, 'the recording is silent');
  for (const participant of [host, guest]) await participant.context.close();
});
