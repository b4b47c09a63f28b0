/**
 * Webhooks end to end: a real Parley as a child process (so it can be
 * killed), a real HTTP receiver, and people joining over raw signalling.
 * Room and participant events reach the receiver signed and in order; a
 * receiver that is down, or that fails a few times, still gets each event;
 * and events spooled when Parley is killed are delivered after a restart.
 * Backoff is the real one (1 s doubling), so a few tests take seconds.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { spoolName } from '../../src/webhooks/spool.js';
import { verifySignature } from '../../src/webhooks/signature.js';
import { NodeProcess } from '../../testkit/node-process.js';
import { createRoom } from '../../testkit/parley.js';
import { freePort } from '../../testkit/ports.js';
import { waitUntil } from '../../testkit/wait.js';
import { WebhookReceiver, type ReceivedDelivery } from '../../testkit/webhook-receiver.js';
import { TestSocket } from '../../testkit/ws-client.js';
import { HOOK, SERVER } from '../helpers/timeouts.js';

const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123456789-abcdef';
/** Enough for several doubling retries on a loaded machine. */
const DELIVERY_WAIT_MS = 45_000;
const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-webhooks-it-'));
const sockets: TestSocket[] = [];
let receiver: WebhookReceiver;
let node: NodeProcess;
let env: Record<string, string>;

before(async () => {
  receiver = await WebhookReceiver.start(await freePort());
  env = {
    PARLEY_NODE_ID: 'webhook-node',
    PARLEY_SECRET: 'test-secret-0123456789-abcdefghijklmnop',
    PARLEY_WEBHOOK_URLS: receiver.url,
    PARLEY_WEBHOOK_SECRET: WEBHOOK_SECRET,
    PARLEY_DATA_DIR: dataDir,
  };
  node = await NodeProcess.start(env);
}, HOOK);

after(async () => {
  await Promise.all(sockets.map((socket) => socket.close()));
  await node?.stop();
  await receiver?.down();
  rmSync(dataDir, { recursive: true, force: true });
}, HOOK);

const spoolFile = () => path.join(dataDir, 'webhooks', `${spoolName(receiver.url)}.jsonl`);
const spooled = () => {
  try {
    return readFileSync(spoolFile(), 'utf8');
  } catch {
    return '';
  }
};

async function join(roomId: string, displayName: string, credential?: string): Promise<{ socket: TestSocket; peerId: string }> {
  const socket = await TestSocket.open(node.url, roomId);
  sockets.push(socket);
  const caps = await socket.request('getRouterRtpCapabilities');
  const answer = await socket.request('join', { displayName, rtpCapabilities: caps.data.rtpCapabilities, ...(credential ? { credential } : {}) });
  assert.equal(answer.data?.status, 'joined', JSON.stringify(answer.error));
  return { socket, peerId: answer.data.peerId };
}

/** A host and a guest meet; the guest leaves, then the host leaves or ends the meeting. */
async function meeting(end: 'leave' | 'endMeeting') {
  const room = await createRoom(node, { lobby: false });
  const host = await join(room.id, 'Hana Host', room.hostCredential);
  const guest = await join(room.id, 'Gus Guest');
  await guest.socket.close();
  await host.socket.notification('peerLeft'); // the server has seen the guest go: the order of the story is fixed
  if (end === 'endMeeting') assert.equal((await host.socket.request('endMeeting')).ok, true);
  else await host.socket.close();
  return { roomId: room.id, host: host.peerId, guest: guest.peerId };
}

/** The deliveries accepted for one room, in arrival order, as "type peer" lines. */
const accepted = (roomId: string) => receiver.accepted().filter((delivery) => delivery.data['roomId'] === roomId);
const roomEnded = (roomId: string) => () => accepted(roomId).some((delivery) => delivery.type === 'room.ended');
const story = (deliveries: ReceivedDelivery[], names: Record<string, string>) =>
  deliveries.map((delivery) => [delivery.type, names[delivery.data['peerId'] as string] ?? delivery.data['reason'] ?? ''].join(' ').trim());

function assertInOrder(deliveries: ReceivedDelivery[]) {
  const sequences = deliveries.map((delivery) => delivery.sequence);
  assert.deepEqual(sequences, [...sequences].sort((a, b) => a - b), 'sequence increases');
  assert.equal(new Set(sequences).size, sequences.length, 'each event once');
  assert.ok(deliveries.every((delivery) => delivery.node === 'webhook-node'));
}

/** Nothing is left queued (the spool empties with its queue), so the next test starts clean. */
const drained = () => waitUntil(async () => spooled(), (text) => text === '', DELIVERY_WAIT_MS, 'the webhook spool to empty');

test('participant and room events reach the receiver signed, complete and in order', SERVER, async () => {
  const { roomId, host, guest } = await meeting('leave');
  await receiver.until(roomEnded(roomId), 'room.ended', DELIVERY_WAIT_MS);
  const deliveries = accepted(roomId);
  assert.deepEqual(story(deliveries, { [host]: 'host', [guest]: 'guest' }), [
    'room.started',
    'participant.joined host',
    'participant.joined guest',
    'participant.left guest',
    'participant.left host',
    'room.ended empty',
  ]);
  assertInOrder(deliveries);
  assert.deepEqual(deliveries[1]!.data, { roomId, peerId: host, displayName: 'Hana Host', role: 'host' });
  assert.deepEqual(deliveries[2]!.data, { roomId, peerId: guest, displayName: 'Gus Guest', role: 'participant' });
  for (const request of receiver.requests.filter((request) => JSON.parse(request.body).data.roomId === roomId)) {
    assert.ok(verifySignature(WEBHOOK_SECRET, request.headers['parley-signature'] as string, request.body), 'valid signature');
    assert.equal(verifySignature('some-other-secret-0123456789-abcdefghij', request.headers['parley-signature'] as string, request.body), false);
    const body = JSON.parse(request.body) as ReceivedDelivery;
    assert.equal(request.headers['parley-event-id'], body.id);
    assert.equal(request.headers['parley-event-type'], body.type);
    assert.equal(request.headers['user-agent'], 'Parley-Webhooks');
  }
  await drained();
});

test('a receiver that is down gets every event once it comes back, in order', SERVER, async () => {
  await receiver.down();
  const { roomId, host, guest } = await meeting('endMeeting');
  await waitUntil(async () => spooled(), (text) => text.includes(roomId) && text.includes('room.ended'), DELIVERY_WAIT_MS, 'room.ended in the spool');
  assert.equal(accepted(roomId).length, 0);
  await receiver.up();
  await receiver.until(roomEnded(roomId), 'room.ended after the receiver came back', DELIVERY_WAIT_MS);
  const deliveries = accepted(roomId);
  assert.deepEqual(story(deliveries, { [host]: 'host', [guest]: 'guest' }), [
    'room.started',
    'participant.joined host',
    'participant.joined guest',
    'participant.left guest',
    'participant.left host',
    'room.ended ended by a host',
  ]);
  assert.equal(deliveries[4]!.data['reason'], 'the meeting ended');
  assertInOrder(deliveries);
  await drained();
});

test('a receiver that answers 500 a few times gets each event exactly once, after retries, in order', SERVER, async () => {
  let failures = 3;
  receiver.answer = () => (failures-- > 0 ? 500 : 200);
  try {
    const { roomId } = await meeting('leave');
    await receiver.until(roomEnded(roomId), 'room.ended after retries', DELIVERY_WAIT_MS);
    const requests = receiver.requests.filter((request) => JSON.parse(request.body).data.roomId === roomId);
    assert.deepEqual(requests.slice(0, 4).map((request) => request.status), [500, 500, 500, 200]);
    assert.equal(new Set(requests.slice(0, 4).map((request) => request.headers['parley-event-id'])).size, 1, 'the head is retried before anything else');
    const deliveries = accepted(roomId);
    assert.equal(deliveries.length, 6);
    assert.equal(deliveries[0]!.type, 'room.started');
    assertInOrder(deliveries);
  } finally {
    receiver.answer = () => 200;
  }
  await drained();
});

test('events spooled when Parley is killed are delivered after it restarts', SERVER, async () => {
  await receiver.down();
  const { roomId, host, guest } = await meeting('leave');
  await waitUntil(async () => spooled(), (text) => text.includes(roomId) && text.includes('room.ended'), DELIVERY_WAIT_MS, 'room.ended in the spool');
  await node.kill();
  node = await NodeProcess.start(env);
  await receiver.up();
  await receiver.until(roomEnded(roomId), 'room.ended after the restart', DELIVERY_WAIT_MS);
  const deliveries = accepted(roomId);
  assert.deepEqual(story(deliveries, { [host]: 'host', [guest]: 'guest' }), [
    'room.started',
    'participant.joined host',
    'participant.joined guest',
    'participant.left guest',
    'participant.left host',
    'room.ended empty',
  ]);
  assertInOrder(deliveries);

  // The restarted node goes on counting where the killed one stopped.
  const next = await meeting('leave');
  await receiver.until(roomEnded(next.roomId), 'room.ended of a meeting after the restart', DELIVERY_WAIT_MS);
  assert.ok(accepted(next.roomId)[0]!.sequence > deliveries.at(-1)!.sequence);
  assertInOrder(receiver.accepted());
});
