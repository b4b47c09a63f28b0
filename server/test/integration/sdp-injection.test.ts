/**
 * SDP injection over a real socket: a `produce` whose codec parameters,
 * cname or msid carry `\r\na=candidate:...` (which mediasoup would copy into
 * every consumer, and mediasoup-client would write into the other browsers'
 * SDP) is refused with bad_message naming the field; nothing reaches the
 * other peer, and the room carries on: a clean produce afterwards reaches
 * Bob as a consumer whose parameters pass the browser's own checks.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Notifications } from '../../src/protocol/messages.js';
import { interpretedChecker } from '../../src/protocol/validation.js';
import type { Parley } from '../../src/server.js';
import { createRoom, startTestParley } from '../../testkit/parley.js';
import { TestSocket } from '../../testkit/ws-client.js';

const TIMEOUT = { timeout: 30_000 };
const CANDIDATE = '\r\na=candidate:1 1 udp 2122260223 192.0.2.66 54400 typ host';
let parley: Parley;
let roomId: string;
let alice: TestSocket;
let bob: TestSocket;
let sendTransportId: string;

async function joined(name: string): Promise<TestSocket> {
  const socket = await TestSocket.open(parley.url, roomId);
  const caps = await socket.request('getRouterRtpCapabilities');
  const join = await socket.request('join', { displayName: name, rtpCapabilities: caps.data.rtpCapabilities });
  assert.equal(join.ok, true, JSON.stringify(join.error));
  return socket;
}

const opus = (over: { parameters?: Record<string, unknown>; cname?: string; msid?: string } = {}) => ({
  transportId: sendTransportId,
  kind: 'audio',
  source: 'mic',
  rtpParameters: {
    mid: '0',
    codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: over.parameters ?? { minptime: 10, useinbandfec: 1 }, rtcpFeedback: [{ type: 'transport-cc', parameter: '' }] }],
    headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4, encrypt: false, parameters: {} }],
    encodings: [{ ssrc: 11111111, dtx: false }],
    rtcp: { cname: over.cname ?? 'Hk3+0Jb/8yQ2nX4m', reducedSize: true },
    msid: over.msid ?? 'stream-1 track-1',
  },
});

before(async () => {
  parley = await startTestParley();
  roomId = (await createRoom(parley, { lobby: false })).id;
  alice = await joined('Alice');
  bob = await joined('Bob');
  const transport = await alice.request('createWebRtcTransport', { direction: 'send' });
  assert.equal(transport.ok, true, JSON.stringify(transport.error));
  sendTransportId = transport.data.id;
}, { timeout: 120_000 });

after(async () => {
  await Promise.all([alice?.close(), bob?.close()]);
  await parley?.close();
}, { timeout: 120_000 });

test('produce with a candidate injected into a codec parameter, its name, the cname or the msid is refused, naming the field', TIMEOUT, async () => {
  const cases: [string, ReturnType<typeof opus>, RegExp][] = [
    ['parameter value', opus({ parameters: { useinbandfec: `1${CANDIDATE}` } }), /^produce: \/data\/rtpParameters\/codecs\/0\/parameters\/useinbandfec: must be/],
    ['parameter name', opus({ parameters: { [`useinbandfec${CANDIDATE}`]: 1 } }), /^produce: \/data\/rtpParameters\/codecs\/0\/parameters\/useinbandfec\\u000d\\u000aa=candidate.*: at most 32 parameters, each named by an SDP token/],
    ['fingerprint in a value', opus({ parameters: { minptime: '10\r\na=fingerprint:sha-256 00:11' } }), /parameters\/minptime: must be/],
    ['cname', opus({ cname: `evil${CANDIDATE}` }), /^produce: \/data\/rtpParameters\/rtcp\/cname: must be/],
    ['msid', opus({ msid: `stream-1 track-1${CANDIDATE}` }), /^produce: \/data\/rtpParameters\/msid: must be/],
    ['NUL in a value', opus({ parameters: { useinbandfec: '1\u0000' } }), /parameters\/useinbandfec: must be/],
  ];
  for (const [label, data, message] of cases) {
    const answer = await alice.request('produce', data);
    assert.equal(answer.ok, false, label);
    assert.equal(answer.error?.code, 'bad_message', label);
    assert.match(answer.error!.message, message, label);
  }
  assert.equal(bob.received.filter((message) => message.method === 'newConsumer').length, 0, 'nothing reached Bob');
});

test('the room carries on: a clean produce reaches Bob, and what Bob gets passes the browser checks', TIMEOUT, async () => {
  const produced = await alice.request('produce', opus());
  assert.equal(produced.ok, true, JSON.stringify(produced.error));
  const recv = await bob.request('createWebRtcTransport', { direction: 'recv' });
  assert.equal(recv.ok, true, JSON.stringify(recv.error));
  const consumer = await bob.notification('newConsumer');
  assert.equal(consumer.data.producerId, produced.data.producerId);
  assert.equal(consumer.data.rtpParameters.rtcp.cname, 'Hk3+0Jb/8yQ2nX4m');
  assert.doesNotMatch(JSON.stringify(consumer.data), /\\r|\\n|a=candidate/);
  assert.equal(interpretedChecker(Notifications.newConsumer).Check(consumer.data), true);
  const health = await fetch(`${parley.url}/healthz`, { signal: AbortSignal.timeout(5_000) });
  assert.equal(health.status, 200);
});
