/**
 * The short join: the welcome carries both transports, asking for one again
 * gives the same one, and a newcomer is offered what others already send
 * without asking. Real mediasoup worker.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRoom } from '../../testkit/parley.js';
import { TestSocket } from '../../testkit/ws-client.js';
import { serverFixture } from '../helpers/meeting-fixture.js';
import { SERVER } from '../helpers/timeouts.js';

const server = serverFixture();

async function join(roomId: string, name: string): Promise<{ socket: TestSocket; welcome: any }> {
  const socket = await TestSocket.open(server.parley.url, roomId);
  const caps = await socket.request('getRouterRtpCapabilities');
  const answer = await socket.request('join', { displayName: name, rtpCapabilities: caps.data.rtpCapabilities });
  assert.equal(answer.ok, true, JSON.stringify(answer.error));
  return { socket, welcome: (await socket.notification('joined')).data };
}

const microphone = (transportId: string) => ({
  transportId,
  kind: 'audio',
  source: 'mic',
  rtpParameters: {
    mid: '0',
    codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 }, rtcpFeedback: [] }],
    headerExtensions: [],
    encodings: [{ ssrc: 22222222 }],
    rtcp: { cname: 'join-path', reducedSize: true },
  },
});

test('the welcome carries both transports, and asking again gives the same ones', SERVER, async () => {
  const room = await createRoom(server.parley, { lobby: false });
  const { socket, welcome } = await join(room.id, 'Ann');
  const { send, recv } = welcome.transports;
  assert.notEqual(send.id, recv.id);
  assert.ok(send.iceCandidates.length > 0 && recv.iceCandidates.length > 0, 'each transport has somewhere to connect to');
  for (const [direction, given] of [['send', send], ['recv', recv]] as const) {
    const asked = await socket.request('createWebRtcTransport', { direction });
    assert.equal(asked.ok, true, JSON.stringify(asked.error));
    assert.equal(asked.data.id, given.id, `the ${direction} transport is the one from the welcome`);
  }
  await socket.close();
});

test('a newcomer is offered what others send right after its welcome, without asking', SERVER, async () => {
  const room = await createRoom(server.parley, { lobby: false });
  const ann = await join(room.id, 'Ann');
  const produced = await ann.socket.request('produce', microphone(ann.welcome.transports.send.id));
  assert.equal(produced.ok, true, JSON.stringify(produced.error));

  const bob = await join(room.id, 'Bob');
  const offer = await bob.socket.notification('newConsumer');
  assert.equal(offer.data.producerId, produced.data.producerId);
  const methods = bob.socket.received.map((message) => message.method ?? 'response');
  assert.ok(methods.indexOf('joined') < methods.indexOf('newConsumer'), `the welcome comes first: ${methods.join(', ')}`);
  assert.equal(
    bob.socket.received.filter((message) => message.type === 'response').length,
    2,
    'Bob sent only getRouterRtpCapabilities and join',
  );
  const resumed = await bob.socket.request('resumeConsumer', { consumerId: offer.data.consumerId });
  assert.equal(resumed.ok, true, JSON.stringify(resumed.error));
  await Promise.all([ann.socket.close(), bob.socket.close()]);
});
