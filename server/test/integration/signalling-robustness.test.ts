/**
 * Malformed, oversized and out-of-order signalling gets a typed error; the
 * server, the room and the other peers carry on. Real mediasoup worker.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Parley } from '../../src/server.js';
import { MAX_MESSAGE_BYTES } from '../../src/protocol/limits.js';
import { HARD_FRAME_LIMIT_BYTES } from '../../src/signalling/ws-endpoint.js';
import { createRoom, startTestParley } from '../../testkit/parley.js';
import { nextEvent } from '../../testkit/wait.js';
import { TestSocket } from '../../testkit/ws-client.js';
import { HOOK, SERVER } from '../helpers/timeouts.js';

let parley: Parley;
let roomId: string;
let alice: TestSocket;
let bob: TestSocket;

async function joined(name: string): Promise<TestSocket> {
  const socket = await TestSocket.open(parley.url, roomId);
  const caps = await socket.request('getRouterRtpCapabilities');
  assert.equal(caps.ok, true);
  const join = await socket.request('join', { displayName: name, rtpCapabilities: caps.data.rtpCapabilities });
  assert.equal(join.ok, true, JSON.stringify(join.error));
  assert.equal(join.data.status, 'joined');
  return socket;
}

before(async () => {
  parley = await startTestParley();
  roomId = (await createRoom(parley, { lobby: false })).id;
  alice = await joined('Alice');
  bob = await joined('Bob');
}, HOOK);

after(async () => {
  await alice?.close();
  await bob?.close();
  await parley?.close();
}, HOOK);

const lastError = async (socket: TestSocket, send: () => void) => {
  const count = socket.received.length;
  send();
  return socket.waitFor((message) => socket.received.indexOf(message) >= count && message.ok === false);
};

test('malformed messages each get a typed, readable error', SERVER, async () => {
  const cases: [string, string | Buffer, string, RegExp][] = [
    ['not JSON', '{"type":', 'bad_message', /not valid JSON/],
    ['a JSON array', '[1,2,3]', 'bad_message', /Expected object/],
    ['no id', JSON.stringify({ type: 'request', method: 'leave', data: {} }), 'bad_message', /\/id/],
    ['a huge id', JSON.stringify({ type: 'request', id: 1e300, method: 'leave', data: {} }), 'bad_message', /\/id/],
    ['an unknown method', JSON.stringify({ type: 'request', id: 9007, method: 'rm -rf', data: {} }), 'unknown_method', /rm -rf/],
    ['an extra field', JSON.stringify({ type: 'request', id: 9008, method: 'leave', data: {}, admin: true }), 'bad_message', /admin/],
    ['a binary frame', Buffer.from([1, 2, 3]), 'bad_message', /binary/],
    ['deep nesting', `{"type":"request","id":9009,"method":"join","data":${'['.repeat(5000)}${']'.repeat(5000)}}`, 'bad_message', /data/],
    ['an oversized message', JSON.stringify({ type: 'request', id: 9010, method: 'leave', data: { pad: 'x'.repeat(MAX_MESSAGE_BYTES) } }), 'message_too_large', /limited to/],
  ];
  for (const [label, payload, code, message] of cases) {
    const error = await lastError(alice, () => alice.sendRaw(payload));
    assert.equal(error.error?.code, code, label);
    assert.match(error.error?.message ?? '', message, label);
  }
});

test('schema violations name the offending field', SERVER, async () => {
  const tooLong = await alice.request('createWebRtcTransport', { direction: 'sideways' });
  assert.equal(tooLong.error?.code, 'bad_message');
  assert.match(tooLong.error!.message, /createWebRtcTransport: \/data\/direction/);
  const badProduce = await alice.request('produce', { transportId: 'x', kind: 'video', source: 'camera', rtpParameters: { codecs: [] } });
  assert.equal(badProduce.error?.code, 'bad_message');
  assert.match(badProduce.error!.message, /rtpParameters\/codecs/);
});

test('valid messages in the wrong state or with unknown ids are refused', SERVER, async () => {
  const again = await alice.request('join', { displayName: 'Alice', rtpCapabilities: {} });
  assert.equal(again.error?.code, 'invalid_state');
  const unknownTransport = await alice.request('connectWebRtcTransport', {
    transportId: 'does-not-exist',
    dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AA' }] },
  });
  assert.equal(unknownTransport.error?.code, 'not_found');
  const stranger = await TestSocket.open(parley.url, roomId);
  const early = await stranger.request('createWebRtcTransport', { direction: 'send' });
  assert.equal(early.error?.code, 'invalid_state');
  await stranger.close();
});

test('parameters mediasoup refuses come back as media_error', SERVER, async () => {
  const transport = await alice.request('createWebRtcTransport', { direction: 'send' });
  assert.equal(transport.ok, true, JSON.stringify(transport.error));
  const produce = await alice.request('produce', {
    transportId: transport.data.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: { codecs: [{ mimeType: 'audio/nonsense', payloadType: 100, clockRate: 48000 }], encodings: [{ ssrc: 1 }] },
  });
  assert.equal(produce.error?.code, 'media_error');
});

test('after all that, the room and the other peer carry on', SERVER, async () => {
  const bobSeesCarol = bob.notification('peerJoined');
  const carol = await joined('Carol');
  assert.equal((await bobSeesCarol).data.peer.displayName, 'Carol');
  const transport = await alice.request('createWebRtcTransport', { direction: 'recv' });
  assert.equal(transport.ok, true, 'the peer that sent garbage still works');
  const health = await fetch(`${parley.url}/healthz`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(health.status, 200);
  await carol.close();
});

test('a frame beyond the hard limit closes only that socket, with 1009', SERVER, async () => {
  const mallory = await joined('Mallory');
  const closed = nextEvent(mallory.ws, 'close', 20_000, 'the server to close the socket that sent an oversized frame');
  const bobSeesMalloryLeave = bob.notification('peerLeft');
  mallory.sendRaw('x'.repeat(HARD_FRAME_LIMIT_BYTES + 1));
  const [code] = await closed;
  assert.equal(code, 1009);
  await bobSeesMalloryLeave;
  const stillThere = await bob.request('createWebRtcTransport', { direction: 'recv' });
  assert.equal(stillThere.ok, true);
});
