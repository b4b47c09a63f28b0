/**
 * The WHIP/WHEP SDP mapping against real stacks: mediasoup takes the
 * producer parameters of every fixture offer and the consumer capabilities
 * of a WHEP offer; werift (a WebRTC stack in Node) makes a real offer,
 * takes Parley's answer, and connects to the mediasoup transport it
 * describes, DTLS included.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { RTCPeerConnection, RTCRtpCodecParameters } from 'msc-node';
import { mediaCodecs } from '../../src/rtc/media-codecs.js';
import { writeAnswer, type AnswerInput } from '../../src/whip/sdp-answer.js';
import { parseOffer } from '../../src/whip/sdp-offer.js';
import { publishParameters, watchCapabilities } from '../../src/whip/sdp-rtp.js';
import { withDeadline } from '../../testkit/wait.js';
import { chromeSimulcastWhip, chromeWhep, chromeWhip, firefoxWhip, obsWhip } from '../helpers/whip-offers.js';
import { QUICK } from '../helpers/timeouts.js';

let worker: types.Worker;
let router: types.Router;
before(async () => {
  worker = await mediasoup.createWorker({ logLevel: 'error' });
  router = await worker.createRouter({ mediaCodecs });
}, QUICK);
after(() => worker.close(), QUICK);

const transport = () => router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }, { protocol: 'tcp', ip: '127.0.0.1' }] });

test('mediasoup produces from the parameters of Chrome (plain and simulcast), Firefox and OBS offers', QUICK, async () => {
  for (const [name, sdp] of Object.entries({ chrome: chromeWhip, chromeSimulcast: chromeSimulcastWhip, firefox: firefoxWhip, obs: obsWhip })) {
    const publisher = await transport();
    for (const media of parseOffer(sdp, 'publish').media) {
      const producer = await publisher.produce({ kind: media.kind, rtpParameters: publishParameters(media, router.rtpCapabilities)! });
      assert.equal(producer.kind, media.kind, name);
      assert.equal(producer.rtpParameters.encodings?.length, name === 'chromeSimulcast' && media.kind === 'video' ? 3 : 1, name);
    }
    publisher.close();
  }
});

test("mediasoup consumes with a WHEP offer's capabilities; it keeps the offer's extension ids only where they are the router's", QUICK, async () => {
  const publisher = await transport();
  const source = parseOffer(chromeWhip, 'publish').media[1]!;
  const producer = await publisher.produce({ kind: 'video', rtpParameters: publishParameters(source, router.rtpCapabilities)! });
  const player = await transport();
  const watched = parseOffer(chromeWhep, 'watch').media[1]!;
  const capabilities = watchCapabilities(watched, router.rtpCapabilities)!;
  assert.ok(router.canConsume({ producerId: producer.id, rtpCapabilities: capabilities }));
  const consumer = await player.consume({ producerId: producer.id, rtpCapabilities: capabilities, mid: watched.mid });
  assert.deepEqual(consumer.rtpParameters.codecs.map((codec) => codec.mimeType), ['video/VP8', 'video/rtx']);
  // mediasoup sends with the router's extension ids: Chrome's (mid 4, abs-send-time 2, …) differ from them all.
  const routerIds = new Map(router.rtpCapabilities.headerExtensions!.filter((ext) => ext.kind === 'video').map((ext) => [ext.uri, ext.preferredId]));
  assert.ok(consumer.rtpParameters.headerExtensions!.every((ext) => routerIds.get(ext.uri) === ext.id));
  publisher.close();
  player.close();
});

test("werift's own offer: mediasoup produces from it, and werift takes Parley's answer and connects over ICE and DTLS", QUICK, async () => {
  const rtcpFeedback = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }];
  const peer = new RTCPeerConnection({
    codecs: {
      audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
      video: [
        new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback }),
        new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, rtcpFeedback, parameters: 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1' }),
      ],
    },
    iceAdditionalHostAddresses: ['127.0.0.1'],
    // One ICE transport for both m-lines: werift does not close the second one that BUNDLE makes unused.
    bundlePolicy: 'max-bundle',
  });
  try {
    peer.addTransceiver('audio', { direction: 'sendonly' });
    peer.addTransceiver('video', { direction: 'sendonly' });
    const gathered = withDeadline(peer.iceGatheringStateChange.watch((state) => state === 'complete'), 10_000, "werift's ICE gathering");
    await peer.setLocalDescription(await peer.createOffer());
    await gathered;
    const offer = parseOffer(peer.localDescription!.sdp, 'publish');
    assert.deepEqual(offer.media.map((media) => media.kind), ['audio', 'video']);

    const server = await transport();
    const media: AnswerInput['media'] = [];
    for (const one of offer.media) {
      const rtpParameters = publishParameters(one, router.rtpCapabilities)!;
      await server.produce({ kind: one.kind, rtpParameters });
      media.push({ mid: one.mid, accepted: true, direction: 'recvonly', codecs: rtpParameters.codecs, headerExtensions: rtpParameters.headerExtensions ?? [] });
    }
    assert.equal(media.length, 2);
    await server.connect({ dtlsParameters: offer.dtls });
    const answer = writeAnswer({ offer, ice: server.iceParameters, candidates: server.iceCandidates, dtls: server.dtlsParameters, media });
    const dtlsConnected = withDeadline(
      new Promise<void>((resolve) => server.on('dtlsstatechange', (state) => state === 'connected' && resolve())),
      15_000,
      'the DTLS handshake with werift',
    );
    const connected = withDeadline(peer.connectionStateChange.watch((state) => state === 'connected'), 15_000, "werift's connection");
    await peer.setRemoteDescription({ type: 'answer', sdp: answer });
    await connected;
    await dtlsConnected;
    assert.equal(server.dtlsState, 'connected');
    assert.equal(server.iceState === 'connected' || server.iceState === 'completed', true);
    server.close();
  } finally {
    await peer.close();
  }
});
