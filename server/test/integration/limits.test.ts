/**
 * The guards around signalling and the HTTP API, against a real worker:
 * floods are throttled without hurting other peers, foreign origins and
 * excess connections are refused, API keys and room passwords are enforced,
 * pages carry security headers, and shutdown drains cleanly.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { FLOOD_CLOSE_AFTER } from '../../src/protocol/limits.js';
import type { Parley } from '../../src/server.js';
import { createRoom, startTestParley } from '../../testkit/parley.js';
import { TestSocket } from '../../testkit/ws-client.js';

const API_KEY = 'test-api-key-0123456789abcdef';
/** Every test and every wait is bounded: a broken guard fails the test instead of hanging the suite. */
const TIMEOUT = { timeout: 60_000 };
const within = (ms: number) => ({ signal: AbortSignal.timeout(ms) });
/** Bob's answer while Mallory floods: generous, so a loaded machine (stress-ng beside it) still passes. */
const PROMPT_MS = 3_000;
let parley: Parley;

before(async () => {
  parley = await startTestParley({ PARLEY_MAX_CONNECTIONS_PER_IP: '6', PARLEY_API_KEYS: API_KEY });
}, { timeout: 120_000 });

after(async () => {
  await parley?.close();
}, { timeout: 120_000 });

const authorised = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
const newRoom = async (body: object = { lobby: false }) => {
  const response = await fetch(`${parley.url}/api/rooms`, { method: 'POST', headers: authorised, body: JSON.stringify(body), ...within(10_000) });
  assert.equal(response.status, 201);
  return (await response.json()) as { id: string; hostUrl: string };
};

async function joined(roomId: string, name: string, extra: object = {}): Promise<TestSocket> {
  const socket = await TestSocket.open(parley.url, roomId);
  const caps = await socket.request('getRouterRtpCapabilities');
  const answer = await socket.request('join', { displayName: name, rtpCapabilities: caps.data.rtpCapabilities, ...extra });
  assert.equal(answer.ok, true, JSON.stringify(answer.error));
  return socket;
}

test('creating rooms needs an API key when keys are configured', TIMEOUT, async () => {
  const anonymous = await fetch(`${parley.url}/api/rooms`, { method: 'POST', ...within(10_000) });
  assert.equal(anonymous.status, 401);
  assert.match(((await anonymous.json()) as { error: string }).error, /API key/);
  const wrong = await fetch(`${parley.url}/api/rooms`, { method: 'POST', headers: { authorization: 'Bearer not-the-key-000000000000' }, ...within(10_000) });
  assert.equal(wrong.status, 401);
  await assert.rejects(createRoom(parley), /401/);
  await newRoom();
});

test('a flood is throttled and then cut off, and the other peer does not notice', TIMEOUT, async () => {
  const room = await newRoom();
  const bob = await joined(room.id, 'Bob');
  const mallory = await joined(room.id, 'Mallory');
  try {
    const closed = once(mallory.ws, 'close', within(15_000));
    const message = JSON.stringify({ type: 'request', id: 9000, method: 'setHandRaised', data: { raised: true } });
    // The default rate is 30 per second with bursts of 60; past FLOOD_CLOSE_AFTER over it within the window, the socket closes.
    for (let i = 0; i < 60 + FLOOD_CLOSE_AFTER + 50; i++) mallory.sendRaw(message);
    const [code] = await closed;
    assert.equal(code, 1008);
    assert.ok(mallory.received.some((entry) => entry.error?.code === 'too_many_requests'));
    const started = Date.now();
    const answer = await bob.request('setHandRaised', { raised: true });
    assert.equal(answer.ok, true);
    assert.ok(Date.now() - started < PROMPT_MS, `Bob is answered promptly (${Date.now() - started} ms)`);
  } finally {
    await Promise.all([bob.close(), mallory.close()]);
  }
});

test('a sustained flood of 200 messages a second, which lets tokens refill, is still cut off', TIMEOUT, async () => {
  const room = await newRoom();
  const bob = await joined(room.id, 'Bob');
  const mallory = await joined(room.id, 'Mallory');
  const message = JSON.stringify({ type: 'request', id: 9001, method: 'setHandRaised', data: { raised: false } });
  // 200 a second, more than six times the default rate, for as long as the socket is open. Each tick
  // catches up with the clock, so a loaded machine whose timers fire late still sends at that rate.
  const started = Date.now();
  let sent = 0;
  const pump = setInterval(() => {
    const due = Math.floor(((Date.now() - started) / 1000) * 200);
    while (sent < due && mallory.ws.readyState === mallory.ws.OPEN) {
      mallory.sendRaw(message);
      sent++;
    }
  }, 10);
  try {
    const [code] = await once(mallory.ws, 'close', within(10_000)).catch(() => {
      throw new Error(`a 200/s flood was not cut off within 10 s (${mallory.received.length} answers)`);
    });
    const elapsed = Date.now() - started;
    console.log(`# a 200 msg/s flood was closed after ${elapsed} ms (${sent} messages sent)`);
    assert.equal(code, 1008);
    // Burst of 60, then about 170 over the rate each second: FLOOD_CLOSE_AFTER (100) are reached in about a second.
    assert.ok(elapsed < 8_000, `closed after ${elapsed} ms`);
    const answer = await bob.request('setHandRaised', { raised: true });
    assert.equal(answer.ok, true);
  } finally {
    clearInterval(pump);
    await Promise.all([bob.close(), mallory.close()]);
  }
});

test('a client just over the rate is throttled but not cut off', TIMEOUT, async () => {
  const room = await newRoom();
  const carol = await joined(room.id, 'Carol');
  const message = JSON.stringify({ type: 'request', id: 9002, method: 'setHandRaised', data: { raised: true } });
  // About 60 a second for 3 s against a rate of 30 with bursts of 60: some refused, far fewer than FLOOD_CLOSE_AFTER.
  const pump = setInterval(() => carol.sendRaw(message), 16);
  try {
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    clearInterval(pump);
    assert.equal(carol.ws.readyState, carol.ws.OPEN);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const answer = await carol.request('setHandRaised', { raised: false });
    assert.equal(answer.ok, true, 'still connected and served once back under the rate');
  } finally {
    clearInterval(pump);
    await carol.close();
  }
});

test('foreign origins and too many connections from one address are refused', TIMEOUT, async () => {
  const room = await newRoom();
  const wsUrl = `${parley.url.replace('http', 'ws')}/ws?room=${room.id}`;
  const foreign = new WebSocket(wsUrl, { origin: 'https://evil.example' });
  const [, response] = (await once(foreign, 'unexpected-response', within(10_000))) as [unknown, { statusCode: number }];
  assert.equal(response.statusCode, 403);
  foreign.on('error', () => {}).terminate();
  const own = new WebSocket(wsUrl, { origin: parley.url });
  await once(own, 'open', within(10_000));
  own.close();
  await once(own, 'close', within(10_000));

  const sockets = await Promise.all(Array.from({ length: 6 }, () => TestSocket.open(parley.url, room.id)));
  try {
    const extra = new WebSocket(wsUrl);
    const [, refused] = (await once(extra, 'unexpected-response', within(10_000))) as [unknown, { statusCode: number }];
    assert.equal(refused.statusCode, 429);
    extra.on('error', () => {}).terminate();
  } finally {
    await Promise.all(sockets.map((socket) => socket.close()));
  }
});

test('a room password is required from newcomers, checked, and not from its host', TIMEOUT, async () => {
  const room = await newRoom({ lobby: false, password: 'open sesame' });
  const socket = await TestSocket.open(parley.url, room.id);
  const caps = (await socket.request('getRouterRtpCapabilities')).data.rtpCapabilities;
  const none = await socket.request('join', { displayName: 'Ann', rtpCapabilities: caps });
  assert.equal(none.error?.code, 'password_required');
  const wrong = await socket.request('join', { displayName: 'Ann', rtpCapabilities: caps, password: 'open sesam' });
  assert.equal(wrong.error?.code, 'password_incorrect');
  const right = await socket.request('join', { displayName: 'Ann', rtpCapabilities: caps, password: 'open sesame' });
  assert.equal(right.data?.status, 'joined');
  await socket.close();
  const host = await joined(room.id, 'Host', { credential: room.hostUrl.split('#host=')[1] });
  await host.close();
});

test('pages carry a Content-Security-Policy and the other security headers', TIMEOUT, async () => {
  const page = await fetch(`${parley.url}/`, within(10_000));
  const csp = page.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
  assert.match(page.headers.get('permissions-policy') ?? '', /camera=\(self\)/);
});

test('shutdown stops new joins, tells the peers, and closes', TIMEOUT, async () => {
  const own = await startTestParley();
  let stopping: Promise<void> | undefined;
  try {
    const room = await createRoom(own, { lobby: false });
    const socket = await TestSocket.open(own.url, room.id);
    const caps = await socket.request('getRouterRtpCapabilities');
    await socket.request('join', { displayName: 'Ann', rtpCapabilities: caps.data.rtpCapabilities });
    const told = socket.notification('sessionClosed');
    const closed = once(socket.ws, 'close', within(15_000));
    stopping = own.close();
    assert.equal((await told).data.cause, 'server');
    await closed;
    await stopping;
    await assert.rejects(fetch(`${own.url}/healthz`, within(5_000)));
  } finally {
    await (stopping ?? own.close());
  }
});
