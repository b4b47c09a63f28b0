/**
 * Who gets in, over raw signalling against a real worker: credentials that
 * are expired, tampered with or for another room are refused with a reason;
 * the lobby cannot be skipped; host controls need a host; chat is bounded.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Credentials } from '../../src/auth/credentials.js';
import { MAX_CHAT_LENGTH } from '../../src/protocol/limits.js';
import { createRoom } from '../../testkit/parley.js';
import { TestSocket } from '../../testkit/ws-client.js';
import { serverFixture } from '../helpers/meeting-fixture.js';
import { HOOK, SERVER } from '../helpers/timeouts.js';

const SECRET = 'test-secret-that-is-at-least-32-characters-long';
const sockets: TestSocket[] = [];

// Registered first, so the sockets close before the server does.
after(async () => {
  await Promise.all(sockets.map((socket) => socket.close()));
}, HOOK);
const server = serverFixture({ PARLEY_SECRET: SECRET });

async function join(roomId: string, displayName: string, credential?: string) {
  const socket = await TestSocket.open(server.parley.url, roomId);
  sockets.push(socket);
  const caps = await socket.request('getRouterRtpCapabilities');
  const answer = await socket.request('join', {
    displayName,
    rtpCapabilities: caps.data.rtpCapabilities,
    ...(credential ? { credential } : {}),
  });
  return { socket, answer };
}

test('bad credentials are refused, each with its reason', SERVER, async () => {
  const room = await createRoom(server.parley);
  const other = await createRoom(server.parley);

  const expired = await new Credentials(SECRET, -60).issue(room.id, 'host');
  assert.deepEqual((await join(room.id, 'Late', expired)).answer.error, {
    code: 'credential_invalid',
    message: 'this invitation has expired',
  });

  const [header, payload, signature] = (await join(room.id, 'Guest')).answer.data.credential.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  assert.equal(claims.role, 'guest');
  const forged = [header, Buffer.from(JSON.stringify({ ...claims, role: 'host' })).toString('base64url'), signature].join('.');
  assert.equal((await join(room.id, 'Forger', forged)).answer.error?.message, 'this invitation is not valid');

  assert.equal((await join(other.id, 'Wanderer', room.hostCredential)).answer.error?.message, 'this invitation is for a different meeting');
  const foreignSecret = await new Credentials('another-secret-that-is-at-least-32-chars', 3600).issue(room.id, 'host');
  assert.equal((await join(room.id, 'Outsider', foreignSecret)).answer.error?.code, 'credential_invalid');
});

test('without a credential everyone waits, even before any host is there, and can do nothing', SERVER, async () => {
  const room = await createRoom(server.parley);
  const { socket, answer } = await join(room.id, 'Early');
  assert.equal(answer.data.status, 'waiting');
  const attempt = await socket.request('createWebRtcTransport', { direction: 'recv' });
  assert.equal(attempt.error?.code, 'invalid_state');
  const chat = await socket.request('sendChat', { text: 'let me in' });
  assert.equal(chat.error?.code, 'invalid_state');

  const host = await join(room.id, 'Host', room.hostCredential);
  assert.equal(host.answer.data.status, 'joined');
  const lobby = await host.socket.notification('lobbyChanged');
  assert.deepEqual(lobby.data.waiting.map((entry: { displayName: string }) => entry.displayName), ['Early']);
});

test('host controls need a host, and chat is bounded in length and rate', SERVER, async () => {
  const room = await createRoom(server.parley, { lobby: false });
  const host = await join(room.id, 'Host', room.hostCredential);
  const guest = await join(room.id, 'Guest');
  assert.equal(guest.answer.data.status, 'joined');

  for (const [method, data] of [
    ['removeParticipant', { peerId: host.answer.data.peerId }],
    ['muteParticipant', { peerId: host.answer.data.peerId }],
    ['setRoomLocked', { locked: true }],
    ['endMeeting', {}],
  ] as const) {
    const refused = await guest.socket.request(method, data);
    assert.equal(refused.error?.code, 'forbidden', method);
  }
  assert.equal((await server.parley.store.getRoom(room.id))?.locked, false);

  const tooLong = await guest.socket.request('sendChat', { text: 'x'.repeat(MAX_CHAT_LENGTH + 1) });
  assert.equal(tooLong.error?.code, 'bad_message');
  const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => guest.socket.request('sendChat', { text: `m${i}` })));
  const limited = answers.filter((answer) => answer.error?.code === 'rate_limited').length;
  assert.ok(limited >= 5, `${limited} of 12 rapid messages were limited`);
  assert.ok(answers.some((answer) => answer.ok), 'a burst is allowed');
});
