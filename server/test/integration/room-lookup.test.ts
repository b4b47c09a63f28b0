/**
 * GET /api/rooms/:id, which a meeting link's page asks before it turns on
 * the camera: what it says about a live, a password-protected, a recorded,
 * an ended and an unknown meeting, and its per-address limit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROOM_LOOKUP_LIMIT } from '../../src/http/app.js';
import { createRoom } from '../../testkit/parley.js';
import { serverFixture } from '../helpers/meeting-fixture.js';
import { SERVER } from '../helpers/timeouts.js';

const server = serverFixture();

const lookUp = async (id: string) => {
  const response = await fetch(`${server.parley.url}/api/rooms/${id}`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, cache: response.headers.get('cache-control') };
};

test('a live meeting, one with a password, an ended one, an unknown one and a malformed id', SERVER, async () => {
  const open = await createRoom(server.parley, { lobby: false });
  assert.deepEqual(await lookUp(open.id), { status: 200, body: { exists: true, lobby: false, passwordRequired: false, recording: false, webinar: false }, cache: 'no-store' });

  const response = await fetch(`${server.parley.url}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password: 'open sesame' }),
    signal: AbortSignal.timeout(10_000),
  });
  const { id: guarded } = (await response.json()) as { id: string };
  const answer = await lookUp(guarded);
  assert.deepEqual(answer.body, { exists: true, lobby: true, passwordRequired: true, recording: false, webinar: false }, 'it says a password is needed, never anything about it');

  // The pre-join page tells a newcomer that the meeting is being recorded before they join.
  assert.equal(await server.parley.store.claimEgress(open.id, 'recording', 'test-recorder'), true);
  assert.equal((await lookUp(open.id)).body['recording'], true);

  await server.parley.store.deleteRoom(open.id);
  assert.equal((await lookUp(open.id)).status, 404);
  assert.equal((await lookUp('AAAAAAAAAAAAAAAAAAAAAA')).status, 404);
  assert.equal((await lookUp('not-a-room')).status, 400);
});

test(`look-ups are limited to ${ROOM_LOOKUP_LIMIT.max} a minute per address`, SERVER, async () => {
  const room = await createRoom(server.parley);
  const statuses: number[] = [];
  for (let i = 0; i < ROOM_LOOKUP_LIMIT.max + 5; i++) statuses.push((await lookUp(room.id)).status);
  assert.ok(statuses.includes(429), 'the limit is reached');
  assert.ok(statuses.slice(0, ROOM_LOOKUP_LIMIT.max - 10).every((status) => status === 200), 'ordinary use is untouched');
});
