/**
 * The management API across two nodes sharing a real redis-server: a call
 * to node A acts on a meeting that only node B serves, through B's signed
 * /internal/admin (B's refusals reach the caller as they are), and on one
 * both serve, through A's own meeting and the room's channel.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Parley } from '../../src/server.js';
import { startTestParley } from '../../testkit/parley.js';
import { TestRedis } from '../../testkit/redis.js';
import type { TestSocket } from '../../testkit/ws-client.js';
import { callApi, joinOver } from '../helpers/management-api.js';
import { HOOK, SERVER } from '../helpers/timeouts.js';

const KEY = 'rest-api-nodes-key-0123456789abcdef';

let redis: TestRedis;
let nodeA: Parley;
let nodeB: Parley;
const sockets: TestSocket[] = [];

before(async () => {
  redis = await TestRedis.start();
  const shared = { PARLEY_REDIS_URL: redis.url, PARLEY_SECRET: 'rest-api-nodes-test-secret-of-32-chars!', PARLEY_API_KEYS: KEY };
  nodeA = await startTestParley({ ...shared, PARLEY_NODE_ID: 'node-a' });
  nodeB = await startTestParley({ ...shared, PARLEY_NODE_ID: 'node-b' });
}, HOOK);

after(async () => {
  await Promise.all(sockets.map((socket) => socket.close()));
  await nodeA?.close();
  await nodeB?.close();
  await redis?.stop();
}, HOOK);

const onA = (method: string, path: string, body?: unknown) => callApi(nodeA.url, method, path, { key: KEY, body });
const newRoom = async () => {
  const created = await onA('POST', '/api/rooms', { lobby: false });
  assert.equal(created.status, 201);
  return created.body as { id: string; hostUrl: string };
};

test('node A acts on a meeting only node B serves: remove, refusals from B, end', SERVER, async () => {
  const room = await newRoom();
  const ann = await joinOver(nodeB.url, room.id, 'Ann', sockets);
  const bob = await joinOver(nodeB.url, room.id, 'Bob', sockets);
  assert.equal(await nodeA.meetings.live(room.id), undefined, 'node A does not serve the meeting');

  const listed = await onA('GET', `/api/rooms/${room.id}/participants`);
  assert.deepEqual(listed.body.participants.map((entry: { displayName: string }) => entry.displayName), ['Ann', 'Bob']);

  assert.equal((await onA('DELETE', `/api/rooms/${room.id}/participants/${ann.peerId}`)).status, 204);
  assert.equal((await ann.socket.notification('sessionClosed')).data.cause, 'removed');
  assert.equal((await onA('DELETE', `/api/rooms/${room.id}/participants/${ann.peerId}`)).status, 404, 'she is gone');

  // Node B answers, and node A passes its answer on.
  const record = await onA('POST', `/api/rooms/${room.id}/recording`);
  assert.deepEqual({ status: record.status, error: record.body.error }, { status: 403, error: 'this server does not record or stream meetings' });
  assert.deepEqual((await onA('DELETE', `/api/rooms/${room.id}/stream`)).body, { error: 'this meeting is not being streamed' });
  assert.deepEqual((await onA('GET', `/api/rooms/${room.id}/recordings`)).body, { recordings: [] });
  assert.equal(await nodeA.meetings.live(room.id), undefined, 'none of it opened the meeting on node A');

  assert.equal((await onA('DELETE', `/api/rooms/${room.id}`)).status, 204);
  assert.equal((await bob.socket.notification('sessionClosed')).data.cause, 'ended');
  assert.equal(await nodeB.store.getRoom(room.id), undefined);
  assert.equal((await callApi(nodeB.url, 'GET', `/api/rooms/${room.id}`)).status, 404);
});

test('node A removes someone node B serves through its own meeting when it serves the meeting too', SERVER, async () => {
  const room = await newRoom();
  const host = await joinOver(nodeA.url, room.id, 'Host', sockets, room.hostUrl.split('#host=')[1]);
  const guest = await joinOver(nodeB.url, room.id, 'Guest', sockets);
  await host.socket.waitFor((message) => message.method === 'peerJoined' && message.data.peer.id === guest.peerId, 10_000, 'node A to learn of the guest');

  assert.equal((await onA('DELETE', `/api/rooms/${room.id}/participants/${guest.peerId}`)).status, 204);
  assert.equal((await guest.socket.notification('sessionClosed')).data.cause, 'removed');
  await host.socket.waitFor((message) => message.method === 'peerLeft' && message.data.peerId === guest.peerId, 10_000, 'the host to see the guest leave');
});

test('node-to-node requests must be signed', SERVER, async () => {
  const unsigned = await callApi(nodeB.url, 'POST', '/internal/admin', { body: { roomId: 'AAAAAAAAAAAAAAAAAAAAAA', action: { action: 'end' } } });
  assert.deepEqual({ status: unsigned.status, body: unsigned.body }, { status: 401, body: { error: 'bad or missing signature' } });
  const pipe = await callApi(nodeB.url, 'POST', '/internal/pipe', { body: { roomId: 'r', fromNode: 'node-a', offer: { ip: '127.0.0.1', port: 40000 }, producerId: 'p' } });
  assert.deepEqual({ status: pipe.status, body: pipe.body }, { status: 401, body: { error: 'bad or missing signature' } });
});
