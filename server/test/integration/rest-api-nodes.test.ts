/**
 * The management API across two nodes sharing a real redis-server: a call
 * to node A acts on a meeting that only node B serves, through B's signed
 * /internal/admin (B's refusals reach the caller as they are), and on one
 * both serve, through A's own meeting and the room's channel.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callApi, joinOver } from '../helpers/management-api.js';
import { twoNodesFixture } from '../helpers/meeting-fixture.js';
import { SERVER } from '../helpers/timeouts.js';

const KEY = 'rest-api-nodes-key-0123456789abcdef';

const nodes = twoNodesFixture({ PARLEY_API_KEYS: KEY });

const onA = (method: string, path: string, body?: unknown) => callApi(nodes.nodeA.url, method, path, { key: KEY, body });
const newRoom = async () => {
  const created = await onA('POST', '/api/rooms', { lobby: false });
  assert.equal(created.status, 201);
  return created.body as { id: string; hostUrl: string };
};

test('node A acts on a meeting only node B serves: remove, refusals from B, end', SERVER, async () => {
  const room = await newRoom();
  const ann = await joinOver(nodes.nodeB.url, room.id, 'Ann', nodes.sockets);
  const bob = await joinOver(nodes.nodeB.url, room.id, 'Bob', nodes.sockets);
  assert.equal(await nodes.nodeA.meetings.live(room.id), undefined, 'node A does not serve the meeting');

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
  assert.equal(await nodes.nodeA.meetings.live(room.id), undefined, 'none of it opened the meeting on node A');

  assert.equal((await onA('DELETE', `/api/rooms/${room.id}`)).status, 204);
  assert.equal((await bob.socket.notification('sessionClosed')).data.cause, 'ended');
  assert.equal(await nodes.nodeB.store.getRoom(room.id), undefined);
  assert.equal((await callApi(nodes.nodeB.url, 'GET', `/api/rooms/${room.id}`)).status, 404);
});

test('node A removes someone node B serves through its own meeting when it serves the meeting too', SERVER, async () => {
  const room = await newRoom();
  const host = await joinOver(nodes.nodeA.url, room.id, 'Host', nodes.sockets, room.hostUrl.split('#host=')[1]);
  const guest = await joinOver(nodes.nodeB.url, room.id, 'Guest', nodes.sockets);
  await host.socket.waitFor((message) => message.method === 'peerJoined' && message.data.peer.id === guest.peerId, 10_000, 'node A to learn of the guest');

  assert.equal((await onA('DELETE', `/api/rooms/${room.id}/participants/${guest.peerId}`)).status, 204);
  assert.equal((await guest.socket.notification('sessionClosed')).data.cause, 'removed');
  await host.socket.waitFor((message) => message.method === 'peerLeft' && message.data.peerId === guest.peerId, 10_000, 'the host to see the guest leave');
});

test('node-to-node requests must be signed', SERVER, async () => {
  const unsigned = await callApi(nodes.nodeB.url, 'POST', '/internal/admin', { body: { roomId: 'AAAAAAAAAAAAAAAAAAAAAA', action: { action: 'end' } } });
  assert.deepEqual({ status: unsigned.status, body: unsigned.body }, { status: 401, body: { error: 'bad or missing signature' } });
  const pipe = await callApi(nodes.nodeB.url, 'POST', '/internal/pipe', { body: { roomId: 'r', fromNode: 'node-a', offer: { ip: '127.0.0.1', port: 40000 }, producerId: 'p' } });
  assert.deepEqual({ status: pipe.status, body: pipe.body }, { status: 401, body: { error: 'bad or missing signature' } });
});
