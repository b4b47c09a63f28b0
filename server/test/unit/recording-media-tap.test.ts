/**
 * A MediaTap on a real mediasoup worker (recording/media-tap.ts): it hands
 * on what the producer sends, and only that. Its UDP socket listens on the
 * loopback, where any local process could send to it; a packet from
 * anywhere but the tap's own PlainTransport is not taken into a recording
 * or a live stream.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, test } from 'node:test';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { MediaTap } from '../../src/recording/media-tap.js';
import { rtpView } from '../../src/recording/rtp-payload.js';
import { nextEvent, withDeadline } from '../../testkit/wait.js';
import { rtpPacket } from '../helpers/recording-media.js';
import { QUICK } from '../helpers/timeouts.js';

let worker: types.Worker;
before(async () => (worker = await mediasoup.createWorker({ logLevel: 'error' })), QUICK);
after(() => worker.close(), QUICK);

test("a tap passes on the producer's packets and none that another local sender aims at its port", QUICK, async () => {
  const router = await worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] });
  const direct = await router.createDirectTransport();
  const producer = await direct.produce({
    kind: 'audio',
    rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1111 }] },
  });
  const plain = nextEvent(router.observer, 'newtransport', 5_000, "the tap's PlainTransport");
  const tap = (await MediaTap.open(router, producer, { producerId: producer.id, peerId: 'peer', source: 'mic' }))!;
  const [transport] = (await plain) as [types.PlainTransport];
  const received: string[] = [];
  const genuine = withDeadline(
    new Promise<void>((resolve) =>
      tap.on('packet', (packet) => {
        received.push(rtpView(packet)?.payload.toString() ?? 'not RTP');
        if (received.at(-1) === 'genuine') resolve();
      }),
    ),
    5_000,
    "the producer's packet",
  );

  // The forged packet is in the tap's socket before the real one is sent.
  const intruder = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) =>
    intruder.send(rtpPacket({ sequenceNumber: 7, timestamp: 7, payloadType: 100 }, Buffer.from('forged')), transport.tuple.remotePort!, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
  );
  producer.send(rtpPacket({ sequenceNumber: 1, timestamp: 960, payloadType: 111, ssrc: 1111 }, Buffer.from('genuine')));
  await genuine;
  assert.ok(!received.includes('forged'), 'a packet from another local sender was taken');
  intruder.close();
  tap.close();
  router.close();
});
