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
import { createRoom, startTestParley } from '../helpers/parley.js';
import { TestSocket } from '../helpers/ws-client.js';

const API_KEY = 'test-api-key-0123456789abcdef';
let parley: Parley;

before(async () => {
  parley = await startTestParley({ PARLEY_MAX_CONNECTIONS_PER_IP: '6', PARLEY_API_KEYS: API_KEY });
});

after(async () => {
  await parley?.close();
});

const authorised = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
const newRoom = async (body: object = { lobby: false }) => {
  const response = await fetch(`${parley.url}/api/rooms`, { method: 'POST', headers: authorised, body: JSON.stringify(body) });
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

test('creating rooms needs an API key when keys are configured', async () => {
  const anonymous = await fetch(`${parley.url}/api/rooms`, { method: 'POST' });
  assert.equal(anonymous.status, 401);
  assert.match(((await anonymous.json()) as { error: string }).error, /API key/);
  const wrong = await fetch(`${parley.url}/api/rooms`, { method: 'POST', headers: { authorization: 'Bearer not-the-key-000000000000' } });
  assert.equal(wrong.status, 401);
  await assert.rejects(createRoom(parley), /401/);
  await newRoom();
});

test('a flood is throttled and then cut off, and the other peer does not notice', async () => {
  const room = await newRoom();
  const bob = await joined(room.id, 'Bob');
  const mallory = await joined(room.id, 'Mallory');
  const closed = once(mallory.ws, 'close');
  const message = JSON.stringify({ type: 'request', id: 9000, method: 'setHandRaised', data: { raised: true } });
  // The default rate is 30 per second with bursts of 60.
  for (let i = 0; i < 60 + FLOOD_CLOSE_AFTER + 50; i++) mallory.sendRaw(message);
  const [code] = await closed;
  assert.equal(code, 1008);
  assert.ok(mallory.received.some((entry) => entry.error?.code === 'too_many_requests'));
  const started = Date.now();
  const answer = await bob.request('setHandRaised', { raised: true });
  assert.equal(answer.ok, true);
  assert.ok(Date.now() - started < 1000, 'Bob is answered promptly');
  await bob.close();
});

test('foreign origins and too many connections from one address are refused', async () => {
  const room = await newRoom();
  const wsUrl = `${parley.url.replace('http', 'ws')}/ws?room=${room.id}`;
  const foreign = new WebSocket(wsUrl, { origin: 'https://evil.example' });
  const [, response] = (await once(foreign, 'unexpected-response')) as [unknown, { statusCode: number }];
  assert.equal(response.statusCode, 403);
  const own = new WebSocket(wsUrl, { origin: parley.url });
  await once(own, 'open');
  own.close();
  await once(own, 'close');

  const sockets = await Promise.all(Array.from({ length: 6 }, () => TestSocket.open(parley.url, room.id)));
  const extra = new WebSocket(wsUrl);
  const [, refused] = (await once(extra, 'unexpected-response')) as [unknown, { statusCode: number }];
  assert.equal(refused.statusCode, 429);
  await Promise.all(sockets.map((socket) => socket.close()));
});

test('a room password is required from newcomers, checked, and not from its host', async () => {
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

test('pages carry a Content-Security-Policy and the other security headers', async () => {
  const page = await fetch(`${parley.url}/`);
  const csp = page.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
  assert.match(page.headers.get('permissions-policy') ?? '', /camera=\(self\)/);
});

test('shutdown stops new joins, tells the peers, and closes', async () => {
  const own = await startTestParley();
  const room = await createRoom(own, { lobby: false });
  const socket = await TestSocket.open(own.url, room.id);
  const caps = await socket.request('getRouterRtpCapabilities');
  await socket.request('join', { displayName: 'Ann', rtpCapabilities: caps.data.rtpCapabilities });
  const told = socket.notification('sessionClosed');
  const closed = once(socket.ws, 'close');
  const stopping = own.close();
  assert.equal((await told).data.cause, 'server');
  await closed;
  await stopping;
  await assert.rejects(fetch(`${own.url}/healthz`));
});
