/**
 * The guards in front of the room API and the signalling upgrade: the room
 * creation rate limit, the Origin policy of POST /api/rooms and of the
 * WebSocket (scheme, host and port), and connections that never finish
 * their request (counted per address, and timed out).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { HTTP_TIMEOUTS, ROOM_CREATION_LIMIT } from '../../src/http/app.js';
import type { Parley } from '../../src/server.js';
import { createRoom, startTestParley } from '../../testkit/parley.js';
import { serverFixture } from '../helpers/meeting-fixture.js';

const TIMEOUT = { timeout: 60_000 };
const bounded = (ms: number) => ({ signal: AbortSignal.timeout(ms) });

const postRoom = (parley: Parley, headers: Record<string, string> = {}) =>
  fetch(`${parley.url}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ lobby: false }),
    signal: AbortSignal.timeout(10_000),
  });

/** Opens a WebSocket and resolves with 'open', the HTTP status it was refused with, or 'error' (connection reset). */
async function upgrade(url: string, options: WebSocket.ClientOptions = {}): Promise<'open' | 'error' | number> {
  const ws = new WebSocket(url, options);
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer to the upgrade')), 10_000);
      ws.once('open', () => (clearTimeout(timer), resolve('open')));
      ws.once('unexpected-response', (_request, response) => (clearTimeout(timer), resolve(response.statusCode ?? 0)));
      ws.once('error', () => (clearTimeout(timer), resolve('error')));
    });
  } finally {
    ws.terminate();
  }
}

describe('room creation rate limit', () => {
  const server = serverFixture();

  test('a burst from one address gets 429 with the rate-limit headers once the limit is used', TIMEOUT, async () => {
    const burst = await Promise.all(Array.from({ length: ROOM_CREATION_LIMIT.max + 4 }, () => postRoom(server.parley)));
    const statuses = burst.map((response) => response.status);
    assert.equal(statuses.filter((status) => status === 201).length, ROOM_CREATION_LIMIT.max, statuses.join(','));
    assert.equal(statuses.filter((status) => status === 429).length, 4, statuses.join(','));
    const allowed = burst.find((response) => response.status === 201)!;
    assert.equal(allowed.headers.get('x-ratelimit-limit'), String(ROOM_CREATION_LIMIT.max));
    const refused = burst.find((response) => response.status === 429)!;
    assert.equal(refused.headers.get('x-ratelimit-limit'), String(ROOM_CREATION_LIMIT.max));
    assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
    assert.ok(Number(refused.headers.get('retry-after')) > 0, `retry-after: ${refused.headers.get('retry-after')}`);
    assert.match(((await refused.json()) as { message: string }).message, /rate limit/i);
    await Promise.all(burst.map((response) => (response.bodyUsed ? undefined : response.body?.cancel())));
  });

  test('a spoofed X-Forwarded-For does not buy more rooms', TIMEOUT, async () => {
    const response = await postRoom(server.parley, { 'x-forwarded-for': '203.0.113.7' });
    assert.equal(response.status, 429);
  });
});

describe('Origin policy', () => {
  let parley: Parley;
  before(async () => {
    parley = await startTestParley({ PARLEY_ALLOWED_ORIGINS: 'https://portal.example.org' });
  }, TIMEOUT);
  after(async () => {
    await parley?.close();
  }, TIMEOUT);

  test('POST /api/rooms from a foreign page is refused with 403 and says why', TIMEOUT, async () => {
    for (const origin of ['https://evil.example', 'null', parley.url.replace('http:', 'https:'), parley.url.replace(/:(\d+)$/, ':1')]) {
      const response = await postRoom(parley, { origin });
      assert.equal(response.status, 403, origin);
      const { error } = (await response.json()) as { error: string };
      assert.match(error, /cross-origin room creation is not allowed/, origin);
    }
  });

  test('POST /api/rooms from its own pages, an allowed origin, or without Origin is served', TIMEOUT, async () => {
    for (const headers of [{ origin: parley.url }, { origin: 'https://portal.example.org' }, {}] as Record<string, string>[]) {
      const response = await postRoom(parley, headers);
      assert.equal(response.status, 201, JSON.stringify(headers));
      await response.body?.cancel();
    }
  });

  test('the WebSocket compares scheme, host and port of the Origin, not the host alone', TIMEOUT, async () => {
    const room = await createRoom(parley, { lobby: false });
    const wsUrl = `${parley.url.replace('http', 'ws')}/ws?room=${room.id}`;
    const host = new URL(parley.url).host;
    assert.equal(await upgrade(wsUrl, { origin: `https://${host}` }), 403, 'same host, other scheme');
    assert.equal(await upgrade(wsUrl, { origin: `http://${new URL(parley.url).hostname}:1` }), 403, 'same host, other port');
    assert.equal(await upgrade(wsUrl, { origin: 'https://evil.example' }), 403);
    assert.equal(await upgrade(wsUrl, { origin: parley.url }), 'open');
    assert.equal(await upgrade(wsUrl, { origin: 'https://portal.example.org' }), 'open');
    assert.equal(await upgrade(wsUrl), 'open', 'no Origin: not a browser');
  });

  test('behind a trusted proxy, X-Forwarded-Proto gives the scheme', TIMEOUT, async () => {
    const proxied = await startTestParley({ PARLEY_TRUST_PROXY: 'true' });
    try {
      const room = await createRoom(proxied, { lobby: false });
      const wsUrl = `${proxied.url.replace('http', 'ws')}/ws?room=${room.id}`;
      const host = new URL(proxied.url).host;
      const viaTls = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.1' };
      assert.equal(await upgrade(wsUrl, { origin: `https://${host}`, headers: viaTls }), 'open');
      assert.equal(await upgrade(wsUrl, { origin: `http://${host}`, headers: viaTls }), 403);
      assert.equal((await postRoom(proxied, { origin: `https://${host}`, ...viaTls })).status, 201);
      assert.equal((await postRoom(proxied, { origin: `http://${host}`, ...viaTls })).status, 403);
    } finally {
      await proxied.close();
    }
  });
});

describe('connections that never finish their request', () => {
  const MAX = 4;
  let parley: Parley;
  let roomId: string;
  before(async () => {
    parley = await startTestParley({ PARLEY_MAX_CONNECTIONS_PER_IP: String(MAX) });
    roomId = (await createRoom(parley, { lobby: false })).id;
  }, TIMEOUT);
  after(async () => {
    await parley?.close();
  }, TIMEOUT);

  /** A TCP connection that sends the start of an upgrade request and never the blank line that ends it. */
  async function halfOpen(): Promise<{ socket: net.Socket; closed: Promise<number> }> {
    const { hostname, port } = new URL(parley.url);
    const socket = net.connect(Number(port), hostname);
    const opened = Date.now();
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - opened)));
    socket.on('error', () => {});
    await once(socket, 'connect', bounded(5_000));
    socket.write(`GET /ws?room=${roomId} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`);
    return { socket, closed };
  }

  test('they count against the per-address limit from the moment they connect', TIMEOUT, async () => {
    const sockets = [];
    for (let i = 0; i < MAX * 3; i++) sockets.push(await halfOpen());
    // Give the server a moment to turn away the ones over the limit.
    const settled = await Promise.all(sockets.map(({ closed }) => Promise.race([closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), 1_500))])));
    const stillOpen = settled.filter((result) => result === null).length;
    assert.equal(stillOpen, MAX, `${stillOpen} half-open connections held`);
    for (const { socket } of sockets) socket.destroy();
    await Promise.all(sockets.map(({ closed }) => closed));
    // Once they are gone, the address may connect again.
    await waitFor(async () => (await upgrade(`${parley.url.replace('http', 'ws')}/ws?room=${roomId}`)) === 'open', 5_000);
  });

  test('they are closed by the server after the headers timeout', TIMEOUT, async () => {
    const sockets = await Promise.all(Array.from({ length: MAX }, () => halfOpen()));
    const limit = HTTP_TIMEOUTS.HEADERS_TIMEOUT_MS + 2 * HTTP_TIMEOUTS.CONNECTIONS_CHECK_MS + 2_000;
    const lifetimes = await Promise.all(
      sockets.map(({ closed }) => Promise.race([closed, new Promise<number>((_, reject) => setTimeout(() => reject(new Error('still open')), limit))])),
    );
    for (const lifetime of lifetimes) assert.ok(lifetime >= HTTP_TIMEOUTS.HEADERS_TIMEOUT_MS - 1_000 && lifetime < limit, `closed after ${lifetime} ms`);
  });

  test('a connection that sends nothing at all is closed after the idle timeout', TIMEOUT, async () => {
    const { hostname, port } = new URL(parley.url);
    const socket = net.connect(Number(port), hostname);
    socket.on('error', () => {});
    const opened = Date.now();
    await once(socket, 'connect', bounded(5_000));
    await once(socket, 'close', bounded(HTTP_TIMEOUTS.IDLE_MS + 5_000));
    const lifetime = Date.now() - opened;
    assert.ok(lifetime >= HTTP_TIMEOUTS.IDLE_MS - 1_000, `closed after ${lifetime} ms`);
  });

  test('open WebSockets are not closed by those timeouts', TIMEOUT, async () => {
    const ws = new WebSocket(`${parley.url.replace('http', 'ws')}/ws?room=${roomId}`);
    await once(ws, 'open', bounded(5_000));
    await new Promise((resolve) => setTimeout(resolve, HTTP_TIMEOUTS.IDLE_MS + 2_000));
    assert.equal(ws.readyState, WebSocket.OPEN);
    ws.close();
    await once(ws, 'close', bounded(5_000));
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
