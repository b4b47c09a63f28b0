/**
 * Attacks on sessions, over raw signalling against a real worker: requests
 * interleaved on one socket, resume attempts against someone else's dropped
 * session, and dropped sessions piled up to exhaust the media ports.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Parley } from '../../src/server.js';
import { createRoom, startTestParley } from '../../testkit/parley.js';
import { randomPortRange } from '../../testkit/ports.js';
import { waitUntil } from '../../testkit/wait.js';
import { TestSocket, type ServerMessage } from '../../testkit/ws-client.js';

/** 100 media ports, somewhere no other test's server takes its ports from. */
const PORTS = randomPortRange(99);
let parley: Parley;
const sockets: TestSocket[] = [];

before(async () => {
  parley = await startTestParley({
    PARLEY_RTC_MIN_PORT: String(PORTS.min),
    PARLEY_RTC_MAX_PORT: String(PORTS.max),
    PARLEY_TRUST_PROXY: 'true',
  });
}, { timeout: 120_000 });

after(async () => {
  await Promise.all(sockets.map((socket) => socket.close()));
  await parley?.close();
}, { timeout: 120_000 });

async function open(roomId: string, address = '127.0.0.1'): Promise<{ socket: TestSocket; caps: unknown }> {
  const socket = await TestSocket.open(parley.url, roomId, { headers: { 'x-forwarded-for': address } });
  sockets.push(socket);
  const caps = (await socket.request('getRouterRtpCapabilities')).data.rtpCapabilities;
  return { socket, caps };
}

async function join(roomId: string, displayName: string, credential?: string) {
  const { socket, caps } = await open(roomId);
  const answer = await socket.request('join', { displayName, rtpCapabilities: caps, ...(credential ? { credential } : {}) });
  return { socket, answer };
}

/** Sends requests in one burst, without waiting for any answer, and collects the answers. */
function burst(socket: TestSocket, requests: { method: string; data: unknown }[]): Promise<ServerMessage[]> {
  return Promise.all(requests.map(({ method, data }) => socket.request(method, data)));
}

test('a removed participant cannot come back by racing two joins on one socket, even into a locked room', { timeout: 60_000 }, async () => {
  const room = await createRoom(parley);
  const host = await join(room.id, 'Host', room.hostCredential);
  // Mallory was admitted once (she keeps that participant credential), then came back for a fresh lobby ticket.
  const first = await join(room.id, 'Mallory');
  const lobby = await host.socket.waitFor((m) => m.method === 'lobbyChanged' && m.data.waiting.length === 1);
  await host.socket.request('admit', { peerId: lobby.data.waiting[0].peerId });
  const participantCredential = (await first.socket.notification('joined')).data.credential as string;
  await first.socket.close();
  const second = await join(room.id, 'Mallory');
  const ticket = second.answer.data.credential as string;
  await second.socket.close();

  const { socket, caps } = await open(room.id);
  const answers = await burst(socket, [
    { method: 'join', data: { displayName: 'Mallory', rtpCapabilities: caps, credential: participantCredential } },
    { method: 'join', data: { displayName: 'Mallory', rtpCapabilities: caps, credential: ticket } },
  ]);
  assert.deepEqual(answers.map((answer) => answer.ok), [true, false], 'one join per socket');
  assert.equal(answers[1]!.error?.code, 'invalid_state');
  const peerId = answers[0]!.data.peerId as string;

  await host.socket.request('setRoomLocked', { locked: true });
  assert.equal((await host.socket.request('removeParticipant', { peerId })).ok, true);
  const back = await join(room.id, 'Mallory', participantCredential);
  assert.equal(back.answer.error?.code, 'credential_revoked', 'the credential she entered with is the one revoked');
  const viaTicket = await join(room.id, 'Mallory', ticket);
  assert.equal(viaTicket.answer.error?.code, 'room_locked');
});

test('two joins in one burst in a room without a lobby: one peer, announced once', { timeout: 60_000 }, async () => {
  const room = await createRoom(parley, { lobby: false });
  const alice = await join(room.id, 'Alice');
  const { socket, caps } = await open(room.id);
  const answers = await burst(socket, [
    { method: 'join', data: { displayName: 'Eve', rtpCapabilities: caps } },
    { method: 'join', data: { displayName: 'Eve', rtpCapabilities: caps } },
    { method: 'leave', data: {} },
    { method: 'join', data: { displayName: 'Eve', rtpCapabilities: caps } },
  ]);
  assert.deepEqual(
    answers.map((answer) => answer.ok || answer.error?.code),
    [true, 'invalid_state', true, 'invalid_state'],
  );
  await alice.socket.waitFor((m) => m.method === 'peerLeft');
  assert.equal(alice.socket.received.filter((m) => m.method === 'peerJoined').length, 1);
});

test('resume attempts with a wrong credential never keep a dropped session alive', { timeout: 60_000 }, async () => {
  const room = await createRoom(parley, { lobby: false });
  const alice = await join(room.id, 'Alice');
  const bob = await join(room.id, 'Bob');
  const bobId = bob.answer.data.peerId as string;
  const eve = await join(room.id, 'Eve');
  // A fresh connection in the same room, with Eve's own valid credential: right room, wrong person.
  const attacker = await open(room.id);
  const otherRoom = await createRoom(parley, { lobby: false });
  const stranger = await open(otherRoom.id);
  const droppedAt = Date.now();
  bob.socket.drop();

  const left = alice.socket.waitFor((m) => m.method === 'peerLeft' && m.data.peerId === bobId, 40_000);
  let attempts = 0;
  const attack = setInterval(() => {
    attempts++;
    void attacker.socket.request('resume', { peerId: bobId, credential: eve.answer.data.credential });
    void stranger.socket.request('resume', { peerId: bobId, credential: 'not.a.credential' });
  }, 500);
  try {
    await left;
  } finally {
    clearInterval(attack);
  }
  const heldFor = Date.now() - droppedAt;
  assert.ok(attempts >= 20, `the attack kept going (${attempts} rounds)`);
  assert.ok(heldFor < 15_000 + 8_000, `Bob's session ended with its own grace period (${heldFor} ms), not later`);
  for (const { socket } of [attacker, stranger]) {
    const answers = socket.received.filter((m) => m.type === 'response' && m.id !== 1);
    assert.ok(answers.length > 0 && answers.every((m) => m.error?.code === 'not_found'), 'each attempt is refused');
  }
});

test('a resume whose connection closes at once never leaves a ghost in the meeting', { timeout: 90_000 }, async () => {
  const room = await createRoom(parley, { lobby: false });
  const host = await join(room.id, 'Host');
  const victims: { address: string; peerId: string; credential: string; socket: TestSocket }[] = [];
  for (let index = 0; index < 30; index++) {
    const address = `10.7.0.${index}`;
    const { socket, caps } = await open(room.id, address);
    const answer = await socket.request('join', { displayName: `Victim ${index}`, rtpCapabilities: caps });
    await socket.request('createWebRtcTransport', { direction: 'send' });
    victims.push({ address, peerId: answer.data.peerId, credential: answer.data.credential, socket });
  }
  const before = parley.signalling.connections();
  for (const victim of victims) victim.socket.drop();
  await waitUntil(async () => parley.signalling.connections(), (open) => open === before - victims.length, 10_000, 'the server to see the drops');
  // Each session is resumed by a connection that is gone before the answer: at once, or a moment later.
  await Promise.all(
    victims.map(async (victim, index) => {
      const resumer = await TestSocket.open(parley.url, room.id, { headers: { 'x-forwarded-for': victim.address } });
      resumer.sendRaw(JSON.stringify({ type: 'request', id: 9000, method: 'resume', data: { peerId: victim.peerId, credential: victim.credential } }));
      if (index % 3 === 0) setTimeout(() => resumer.drop(), 1);
      else resumer.hangUp();
    }),
  );
  // Every victim's session ends with a grace period, and the host sees each leave.
  await waitUntil(
    async () => new Set(host.socket.received.filter((m) => m.method === 'peerLeft').map((m) => m.data.peerId)),
    (left) => victims.every((victim) => left.has(victim.peerId)),
    45_000,
    'every dropped session to end',
  );
  const live = (await parley.meetings.list()).find((meeting) => meeting.id === room.id);
  assert.deepEqual(live?.roster.joined().map((peer) => peer.displayName), ['Host'], 'nobody is left without a connection');
});

test('one address dropping session after session cannot take the media ports a newcomer in another room needs', { timeout: 120_000 }, async () => {
  const room = await createRoom(parley, { lobby: false });
  let refused = 0;
  for (let round = 0; round < 50; round++) {
    let attempt: { socket: TestSocket; caps: unknown };
    try {
      attempt = await open(room.id, '10.66.66.66');
    } catch {
      refused++;
      continue;
    }
    const joined = await attempt.socket.request('join', { displayName: `bot ${round}`, rtpCapabilities: attempt.caps });
    if (joined.ok) {
      await attempt.socket.request('createWebRtcTransport', { direction: 'send' });
      await attempt.socket.request('createWebRtcTransport', { direction: 'recv' });
    }
    attempt.socket.drop();
  }
  assert.ok(refused > 0, 'the address hit its limit of connections and held sessions');

  const otherRoom = await createRoom(parley, { lobby: false });
  const newcomer = await open(otherRoom.id, '10.1.1.1');
  assert.equal((await newcomer.socket.request('join', { displayName: 'Newcomer', rtpCapabilities: newcomer.caps })).ok, true);
  for (const direction of ['send', 'recv']) {
    const transport = await newcomer.socket.request('createWebRtcTransport', { direction });
    assert.equal(transport.ok, true, `the newcomer gets a ${direction} transport: ${JSON.stringify(transport.error)}`);
  }
});
