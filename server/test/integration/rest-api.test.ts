/**
 * The management API against a real Parley with a real worker and people
 * joined over signalling: listing rooms and people, removing someone (their
 * link stops working), ending a meeting (everyone is told, the link is
 * dead), the refusals (401, 403, 404, 409, 400), the per-key limit, the
 * API being off without PARLEY_API_KEYS, and the OpenAPI document that
 * describes it all.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, describe, test } from 'node:test';
import { MANAGEMENT_LIMIT } from '../../src/http/admin-routes.js';
import { OPENAPI_PATH } from '../../src/http/openapi.js';
import type { TestSocket } from '../../testkit/ws-client.js';
import { callApi, joinOver } from '../helpers/management-api.js';
import { serverFixture } from '../helpers/meeting-fixture.js';
import { HOOK, SERVER } from '../helpers/timeouts.js';

const KEY = 'rest-api-test-key-0123456789abcdef';
/** Spent by the rate-limit test alone, so the other tests keep their budget. */
const BURST_KEY = 'rest-api-burst-key-0123456789abcdef';
const UNKNOWN_ROOM = 'AAAAAAAAAAAAAAAAAAAAAA';
const STREAM_URL = 'rtmp://live.example.com/app/stream-key';

const sockets: TestSocket[] = [];
// Registered first, so the sockets close before the servers do.
after(async () => {
  await Promise.all(sockets.map((socket) => socket.close()));
}, HOOK);

/** Every management operation, with a body where it takes one. */
const OPERATIONS = [
  ['GET', '/api/rooms'],
  ['GET', '/api/rooms/{roomId}/participants'],
  ['DELETE', '/api/rooms/{roomId}/participants/{peerId}'],
  ['DELETE', '/api/rooms/{roomId}'],
  ['POST', '/api/rooms/{roomId}/recording', { tracks: true }],
  ['DELETE', '/api/rooms/{roomId}/recording'],
  ['GET', '/api/rooms/{roomId}/recordings'],
  ['POST', '/api/rooms/{roomId}/stream', { url: STREAM_URL }],
  ['DELETE', '/api/rooms/{roomId}/stream'],
] as const;
const pathOf = (template: string, roomId: string, peerId = 'someone') => template.replace('{roomId}', roomId).replace('{peerId}', peerId);

describe('with API keys', () => {
  const server = serverFixture({ PARLEY_API_KEYS: `${KEY},${BURST_KEY}` });
  const api = (method: string, path: string, body?: unknown, key = KEY) => callApi(server.parley.url, method, path, { key, body });
  const withoutKey = (method: string, path: string, body?: unknown) => callApi(server.parley.url, method, path, { body });
  const newRoom = async (settings: object = { lobby: false }) => {
    const created = await api('POST', '/api/rooms', settings);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body as { id: string; hostUrl: string };
  };
  const hostCredentialOf = (room: { hostUrl: string }) => room.hostUrl.split('#host=')[1]!;

  test('list rooms and people, remove someone, then end the meeting for everyone', SERVER, async () => {
    const room = await newRoom();
    const host = await joinOver(server.parley.url, room.id, 'Hanna', sockets, hostCredentialOf(room));
    const guest = await joinOver(server.parley.url, room.id, 'Gus', sockets);

    const { body: listed } = await api('GET', '/api/rooms');
    const { createdAt, ...summary } = listed.rooms.find((entry: { id: string }) => entry.id === room.id);
    assert.deepEqual(summary, { id: room.id, lobby: false, locked: false, webinar: false, passwordRequired: false, recording: false, streaming: false, participants: 2, waiting: 0 });
    assert.ok(createdAt > Date.now() - 120_000 && createdAt <= Date.now(), `created just now: ${createdAt}`);
    const { status, body: people } = await api('GET', `/api/rooms/${room.id}/participants`);
    assert.equal(status, 200);
    assert.deepEqual(
      people.participants.map(({ peerId, displayName, role, state }: Record<string, string>) => ({ peerId, displayName, role, state })),
      [
        { peerId: host.peerId, displayName: 'Hanna', role: 'host', state: 'joined' },
        { peerId: guest.peerId, displayName: 'Gus', role: 'participant', state: 'joined' },
      ],
    );
    assert.ok(people.participants.every((entry: { joinedAt: number }) => entry.joinedAt > Date.now() - 120_000));

    assert.equal((await api('DELETE', `/api/rooms/${room.id}/participants/${guest.peerId}`)).status, 204);
    const removed = await guest.socket.notification('sessionClosed');
    assert.equal(removed.data.cause, 'removed');
    await host.socket.waitFor((message) => message.method === 'peerLeft' && message.data.peerId === guest.peerId, 10_000, "the host to see Gus leave");
    assert.deepEqual((await api('GET', `/api/rooms/${room.id}/participants`)).body.participants.map((entry: { peerId: string }) => entry.peerId), [host.peerId]);
    const again = await joinOver(server.parley.url, room.id, 'Gus', sockets, guest.credential).catch((error: Error) => error);
    assert.match(String(again), /credential_revoked/, 'his credential no longer lets him in');

    assert.equal((await api('DELETE', `/api/rooms/${room.id}`)).status, 204);
    const ended = await host.socket.notification('sessionClosed');
    assert.equal(ended.data.cause, 'ended');
    assert.equal((await callApi(server.parley.url, 'GET', `/api/rooms/${room.id}`)).status, 404, 'the link is dead');
    assert.equal((await api('GET', `/api/rooms/${room.id}/participants`)).status, 404);
    assert.equal((await api('DELETE', `/api/rooms/${room.id}`)).status, 404);
    assert.equal((await api('GET', '/api/rooms')).body.rooms.some((entry: { id: string }) => entry.id === room.id), false);
  });

  test("the operator may remove the meeting's creator, and turn someone away from the lobby", SERVER, async () => {
    const room = await newRoom({ lobby: true });
    const creator = await joinOver(server.parley.url, room.id, 'Creator', sockets, hostCredentialOf(room));
    const knocker = await joinOver(server.parley.url, room.id, 'Knocker', sockets);
    assert.equal(knocker.status, 'waiting');
    const { body } = await api('GET', `/api/rooms/${room.id}/participants`);
    assert.deepEqual(body.participants.map((entry: { state: string }) => entry.state), ['joined', 'waiting']);
    assert.equal((await api('GET', '/api/rooms')).body.rooms.find((entry: { id: string }) => entry.id === room.id).waiting, 1);

    assert.equal((await api('DELETE', `/api/rooms/${room.id}/participants/${knocker.peerId}`)).status, 204);
    await knocker.socket.notification('denied');
    assert.equal((await api('DELETE', `/api/rooms/${room.id}/participants/${creator.peerId}`)).status, 204);
    assert.equal((await creator.socket.notification('sessionClosed')).data.cause, 'removed');
  });

  test('refusals: no key, a wrong key, no such room or person, nobody in, not recorded, a server that does not record, a bad body', SERVER, async () => {
    const room = await newRoom();
    for (const [method, template, body] of OPERATIONS) {
      const path = pathOf(template, room.id);
      const anonymous = await withoutKey(method, path, body);
      assert.equal(anonymous.status, 401, `${method} ${path} without a key`);
      assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer');
      assert.match(anonymous.body.error, /API key/);
      assert.equal((await api(method, path, body, 'not-a-key-of-this-server-000000')).status, 401, `${method} ${path} with a wrong key`);
      if (template !== '/api/rooms') assert.equal((await api(method, pathOf(template, UNKNOWN_ROOM), body)).status, 404, `${method} ${template} of no room`);
    }
    assert.equal((await api('GET', '/api/rooms/not-a-room/participants')).status, 400);
    assert.match((await api('POST', `/api/rooms/${room.id}/stream`, { url: 'http://example.com/not-rtmp' })).body.error, /url/);
    assert.equal((await api('POST', `/api/rooms/${room.id}/recording`, { tracks: 'yes', extra: 1 })).status, 400);

    // Nobody is in the meeting anywhere.
    assert.deepEqual(await api('POST', `/api/rooms/${room.id}/recording`).then(({ status, body }) => ({ status, body })), { status: 409, body: { error: 'nobody is in this meeting' } });
    assert.equal((await api('POST', `/api/rooms/${room.id}/stream`, { url: STREAM_URL })).status, 409);
    assert.equal((await api('DELETE', `/api/rooms/${room.id}/participants/nobody`)).status, 404);

    // Someone is in: the meeting answers. This test server has no recorder.
    await joinOver(server.parley.url, room.id, 'Solo', sockets);
    const record = await api('POST', `/api/rooms/${room.id}/recording`, { tracks: false });
    assert.equal(record.status, 403);
    assert.match(record.body.error, /does not record/);
    assert.equal((await api('POST', `/api/rooms/${room.id}/stream`, { url: STREAM_URL })).status, 403);
    assert.deepEqual(await api('DELETE', `/api/rooms/${room.id}/recording`).then(({ status, body }) => ({ status, body })), { status: 409, body: { error: 'this meeting is not being recorded' } });
    assert.equal((await api('DELETE', `/api/rooms/${room.id}/stream`)).status, 409);
    assert.deepEqual((await api('GET', `/api/rooms/${room.id}/recordings`)).body, { recordings: [] });
    assert.equal((await api('DELETE', `/api/rooms/${room.id}/participants/nobody`)).status, 404);

    // A meeting nobody is in is ended in the store alone.
    const empty = await newRoom();
    assert.equal((await api('DELETE', `/api/rooms/${empty.id}`)).status, 204);
    assert.equal(await server.parley.store.getRoom(empty.id), undefined);
  });

  test('OpenAPI: every route is in the document with its security, and the document holds together', SERVER, async () => {
    const answer = await callApi(server.parley.url, 'GET', OPENAPI_PATH);
    assert.equal(answer.status, 200, 'served without a key');
    const doc = answer.body;
    const { version } = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    assert.deepEqual([doc.info.title, doc.info.version], ['Parley', version]);
    assert.deepEqual(doc.components.securitySchemes.apiKey, { type: 'http', scheme: 'bearer', description: 'One of the keys in PARLEY_API_KEYS.' });

    for (const [method, path] of OPERATIONS) {
      const operation = doc.paths[path]?.[method.toLowerCase()];
      assert.ok(operation, `${method} ${path} is documented`);
      assert.deepEqual(operation.security, [{ apiKey: [] }], `${method} ${path} needs a key`);
    }
    assert.deepEqual(doc.paths['/api/rooms'].post.security, [{ apiKey: [] }, {}], 'room creation takes a key, or none in open mode');
    assert.equal(doc.paths['/api/rooms'].post.requestBody.required, false, 'its body may be left out');
    assert.equal(doc.paths['/api/rooms/{roomId}/stream'].post.requestBody.required, true);
    assert.deepEqual(Object.keys(doc.paths['/api/rooms/{roomId}'].delete.responses).sort(), ['204', '400', '401', '403', '404', '429', '503']);

    // Structure: only the API, every operation answerable and described, parameters declared, names resolvable.
    const operationIds = new Set<string>();
    const tags = new Set(doc.tags.map((tag: { name: string }) => tag.name));
    for (const [path, operations] of Object.entries<Record<string, any>>(doc.paths)) {
      assert.match(path, /^\/api\//, `${path} is part of the API`);
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        assert.ok(operation.operationId && !operationIds.has(operation.operationId), `${where} has its own operationId`);
        operationIds.add(operation.operationId);
        assert.ok(operation.summary, `${where} has a summary`);
        assert.ok(operation.tags.every((tag: string) => tags.has(tag)), `${where} uses declared tags`);
        assert.ok(Object.keys(operation.responses).length > 0, `${where} has responses`);
        for (const [status, response] of Object.entries<any>(operation.responses)) {
          assert.match(status, /^[1-5]\d\d$/);
          assert.ok(response.description, `${where} ${status} is described`);
        }
        for (const name of path.match(/(?<=\{)[^}]+(?=\})/g) ?? []) {
          const parameter = operation.parameters?.find((candidate: { in: string; name: string }) => candidate.in === 'path' && candidate.name === name);
          assert.ok(parameter?.required && parameter.description, `${where} declares and describes {${name}}`);
        }
        for (const requirement of operation.security ?? []) {
          for (const scheme of Object.keys(requirement)) assert.ok(doc.components.securitySchemes[scheme], `${where} names a known scheme`);
        }
      }
    }
    const undescribed: string[] = [];
    const walk = (schema: any, where: string) => {
      if (!schema || typeof schema !== 'object') return;
      for (const [name, property] of Object.entries<any>(schema.properties ?? {})) {
        if (!property.description) undescribed.push(`${where}.${name}`);
        walk(property, `${where}.${name}`);
      }
      if (schema.items) walk(schema.items, `${where}[]`);
    };
    for (const [path, operations] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        walk(operation.requestBody?.content?.['application/json']?.schema, `${method} ${path} body`);
        for (const [status, response] of Object.entries<any>(operation.responses)) walk(response.content?.['application/json']?.schema, `${method} ${path} ${status}`);
      }
    }
    assert.deepEqual(undescribed, [], 'every field has a description');
    for (const ref of JSON.stringify(doc).match(/"\$ref":"[^"]*"/g) ?? []) {
      const pointer = ref.slice(8, -1);
      assert.ok(pointer.startsWith('#/'), `${pointer} points into the document`);
      const target = pointer.slice(2).split('/').reduce((node: any, key) => node?.[key], doc);
      assert.ok(target, `${pointer} resolves`);
    }
  });

  test(`each key may call each route ${MANAGEMENT_LIMIT.max} times a minute; other keys and key-less callers keep their own budget`, SERVER, async () => {
    const burst = await Promise.all(Array.from({ length: MANAGEMENT_LIMIT.max + 5 }, () => api('GET', '/api/rooms', undefined, BURST_KEY)));
    const statuses = burst.map((answer) => answer.status);
    assert.equal(statuses.filter((status) => status === 200).length, MANAGEMENT_LIMIT.max);
    const refused = burst.find((answer) => answer.status === 429)!;
    assert.match(refused.body.error, /rate limit/i);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.equal((await api('GET', '/api/rooms')).status, 200, 'another key is not affected');
    assert.equal((await withoutKey('GET', '/api/rooms')).status, 401, 'nor are callers without a key, who are counted by address');
  });
});

describe('without PARLEY_API_KEYS', () => {
  const server = serverFixture();

  test('the management API is off (403), while creating rooms stays open', SERVER, async () => {
    const created = await callApi(server.parley.url, 'POST', '/api/rooms', { body: { lobby: false } });
    assert.equal(created.status, 201);
    for (const [method, template, body] of OPERATIONS) {
      for (const key of [undefined, KEY]) {
        const answer = await callApi(server.parley.url, method, pathOf(template, created.body.id), { key, body });
        assert.deepEqual({ status: answer.status, body: answer.body }, { status: 403, body: { error: 'the management API is off: set PARLEY_API_KEYS' } }, `${method} ${template}`);
      }
    }
  });
});
