/**
 * The SDP layer of WHIP and WHEP (server/src/whip/sdp-*.ts) on real offers:
 * Chrome (plain and simulcast, publishing and playing), Firefox, OBS and an
 * offer with no codec Parley has. What codecs, payload types, RTX, header
 * extensions and encodings come out; the answer as sdp-transform reads it
 * back; the RFC 8840 fragments; every rule a hostile offer can break; and
 * a property test that nothing but an SdpError ever escapes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import sdpTransform from 'sdp-transform';
import { mediaCodecs } from '../../src/rtc/media-codecs.js';
import { writeAnswer, type AnswerInput } from '../../src/whip/sdp-answer.js';
import { parseSdpFragment, writeSdpFragment } from '../../src/whip/sdp-fragment.js';
import { parseOffer, SdpError, type Offer } from '../../src/whip/sdp-offer.js';
import { publishParameters, requireSupportedCodec, watchCapabilities } from '../../src/whip/sdp-rtp.js';
import { chromeSimulcastWhip, chromeWhep, chromeWhip, firefoxWhip, noCodecWhip, obsWhip, serverSide, withLine } from '../helpers/whip-offers.js';
import { QUICK } from '../helpers/timeouts.js';

let worker: types.Worker;
let router: types.RtpCapabilities;
before(async () => {
  worker = await mediasoup.createWorker({ logLevel: 'error' });
  router = (await worker.createRouter({ mediaCodecs })).rtpCapabilities;
}, QUICK);
after(() => worker.close(), QUICK);

/** How ids() names transport-wide-cc (after the URI's last '/'). */
const TCC = 'draft-holmer-rmcat-transport-wide-cc-extensions-01';
const ids = (parameters: { headerExtensions?: { uri: string; id: number }[] }) =>
  Object.fromEntries((parameters.headerExtensions ?? []).map((ext) => [ext.uri.replace(/^.*[/:]/, ''), ext.id]));

/** The answer a session would write for a publish offer: every m-line publishParameters accepts. */
function publishAnswer(offer: Offer): string {
  const media: AnswerInput['media'] = offer.media.map((one) => {
    const parameters = publishParameters(one, router);
    if (!parameters) return { mid: one.mid, accepted: false };
    return { mid: one.mid, accepted: true, direction: 'recvonly', codecs: parameters.codecs, headerExtensions: parameters.headerExtensions ?? [], rids: one.rids };
  });
  return writeAnswer({ offer, ...serverSide, media });
}

function rejects(sdp: unknown, purpose: 'publish' | 'watch', status: 400 | 406, reason: RegExp) {
  assert.throws(
    () => parseOffer(sdp as string, purpose),
    (error: unknown) => error instanceof SdpError && error.status === status && reason.test(error.message),
  );
}

describe('publish offers', () => {
  test("Chrome's: Opus and VP8 with RTX, the offer's extension ids, SSRC encodings, CNAME", QUICK, () => {
    const offer = parseOffer(chromeWhip, 'publish');
    assert.deepEqual(
      offer.media.map(({ mid, kind, index, direction }) => ({ mid, kind, index, direction })),
      [
        { mid: '0', kind: 'audio', index: 0, direction: 'sendonly' },
        { mid: '1', kind: 'video', index: 1, direction: 'sendonly' },
      ],
    );
    assert.equal(offer.iceUfrag, 'Yq3e');
    assert.equal(offer.icePwd, 'kZ5Fh0cJ6dA1sV8mX2pL9qTr');
    assert.equal(offer.dtls.role, 'client');
    assert.deepEqual(offer.dtls.fingerprints, [
      { algorithm: 'sha-256', value: '7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08' },
    ]);

    const audio = publishParameters(offer.media[0]!, router)!;
    assert.deepEqual(audio.codecs, [
      { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { minptime: 10, useinbandfec: 1 }, rtcpFeedback: [{ type: 'transport-cc', parameter: '' }] },
    ]);
    assert.deepEqual(ids(audio), { 'ssrc-audio-level': 1, 'abs-send-time': 2, [TCC]: 3, mid: 4 });
    assert.deepEqual(audio.encodings, [{ ssrc: 1001 }]);
    assert.equal(audio.mid, '0');
    assert.equal(audio.rtcp?.cname, 'Vh1sbx1Dzv2CmLXv');

    const video = publishParameters(offer.media[1]!, router)!;
    assert.deepEqual(
      video.codecs.map(({ mimeType, payloadType, parameters }) => ({ mimeType, payloadType, parameters })),
      [
        { mimeType: 'video/VP8', payloadType: 96, parameters: {} },
        { mimeType: 'video/rtx', payloadType: 97, parameters: { apt: 96 } },
      ],
    );
    assert.deepEqual(
      video.codecs[0]!.rtcpFeedback?.map(({ type, parameter }) => `${type} ${parameter}`.trim()),
      ['goog-remb', 'transport-cc', 'ccm fir', 'nack', 'nack pli'],
    );
    // Content type, timing and colour space are not the router's: left out.
    assert.deepEqual(ids(video), {
      toffset: 14,
      'abs-send-time': 2,
      'video-orientation': 13,
      [TCC]: 3,
      'playout-delay': 5,
      mid: 4,
      'rtp-stream-id': 10,
      'repaired-rtp-stream-id': 11,
    });
    assert.deepEqual(video.encodings, [{ ssrc: 2001, rtx: { ssrc: 2002 } }]);
  });

  test("Chrome's simulcast: one encoding per rid, in a=simulcast order, and the answer receives them", QUICK, () => {
    const offer = parseOffer(chromeSimulcastWhip, 'publish');
    assert.deepEqual(offer.media[1]!.rids, ['q', 'h', 'f']);
    assert.deepEqual(publishParameters(offer.media[1]!, router)!.encodings, [{ rid: 'q' }, { rid: 'h' }, { rid: 'f' }]);
    const video = sdpTransform.parse(publishAnswer(offer)).media[1]!;
    assert.deepEqual(video.rids, [
      { id: 'q', direction: 'recv' },
      { id: 'h', direction: 'recv' },
      { id: 'f', direction: 'recv' },
    ]);
    assert.deepEqual(video.simulcast, { dir1: 'recv', list1: 'q;h;f' });
  });

  test("Firefox's: session-level fingerprint, Opus 109 and VP8 120 with RTX 124, brace CNAME", QUICK, () => {
    const offer = parseOffer(firefoxWhip, 'publish');
    assert.equal(offer.dtls.fingerprints[0]!.algorithm, 'sha-256');
    const audio = publishParameters(offer.media[0]!, router)!;
    assert.deepEqual(audio.codecs.map((codec) => [codec.mimeType, codec.payloadType, codec.channels]), [['audio/opus', 109, 2]]);
    assert.deepEqual(ids(audio), { 'ssrc-audio-level': 1, mid: 3 });
    const video = publishParameters(offer.media[1]!, router)!;
    assert.deepEqual(video.codecs.map((codec) => [codec.mimeType, codec.payloadType]), [['video/VP8', 120], ['video/rtx', 124]]);
    assert.deepEqual(video.encodings, [{ ssrc: 2882400001, rtx: { ssrc: 2882400002 } }]);
    assert.equal(video.rtcp?.cname, '{0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0}');
    // playout-delay is offered recvonly by Firefox: still the router's, so kept with Firefox's id.
    assert.deepEqual(ids(video), { mid: 3, 'abs-send-time': 4, toffset: 5, 'playout-delay': 6, [TCC]: 7 });
  });

  test("OBS's (libdatachannel): H.264 only with its fmtp, no RTX, SSRC encodings, no extensions", QUICK, () => {
    const offer = parseOffer(obsWhip, 'publish');
    const video = publishParameters(offer.media[1]!, router)!;
    assert.deepEqual(video.codecs, [
      {
        mimeType: 'video/H264',
        payloadType: 96,
        clockRate: 90000,
        parameters: { 'profile-level-id': '42e01f', 'packetization-mode': 1, 'level-asymmetry-allowed': 1 },
        rtcpFeedback: [
          { type: 'nack', parameter: '' },
          { type: 'nack', parameter: 'pli' },
          { type: 'goog-remb', parameter: '' },
        ],
      },
    ]);
    assert.deepEqual(video.headerExtensions, []);
    assert.deepEqual(video.encodings, [{ ssrc: 3184623216 }]);
    assert.equal(video.rtcp?.cname, 'obs-studio-8f2c');
    assert.deepEqual(publishParameters(offer.media[0]!, router)!.encodings, [{ ssrc: 3184623215 }]);
  });

  test('an H.264 offer prefers Constrained Baseline; a Baseline-only one is given to mediasoup as Constrained Baseline, answered as offered', QUICK, () => {
    const h264First = withLine(chromeWhip, 'm=video', 'm=video 9 UDP/TLS/RTP/SAVPF 102 103 104 105 106 107');
    const chosen = publishParameters(parseOffer(h264First, 'publish').media[1]!, router)!;
    assert.deepEqual(chosen.codecs.map((codec) => codec.payloadType), [106, 107]);

    const baselineOnly = parseOffer(withLine(chromeWhip, 'm=video', 'm=video 9 UDP/TLS/RTP/SAVPF 102 103'), 'publish');
    const baseline = publishParameters(baselineOnly.media[1]!, router)!;
    assert.deepEqual(baseline.codecs[0]!.parameters, { 'level-asymmetry-allowed': 1, 'packetization-mode': 1, 'profile-level-id': '42e01f' });
    const fmtp = sdpTransform.parse(publishAnswer(baselineOnly)).media[1]!.fmtp.find((entry) => entry.payload === 102)!;
    assert.match(fmtp.config, /profile-level-id=42001f/);

    const highOnly = parseOffer(withLine(chromeWhip, 'm=video', 'm=video 9 UDP/TLS/RTP/SAVPF 39 40'), 'publish');
    assert.equal(publishParameters(highOnly.media[1]!, router), undefined, 'Main profile (4d001f) is not the router\'s');
  });

  test('without SSRCs or rids there is one encoding, found by MID (mediasoup takes it)', QUICK, () => {
    const offer = parseOffer(chromeWhip.replace(/a=ssrc[^\r]*\r\n/g, ''), 'publish');
    assert.deepEqual(publishParameters(offer.media[1]!, router)!.encodings, [{}]);
    assert.equal(publishParameters(offer.media[1]!, router)!.rtcp?.cname, '3c6b8b0e-8a3f-4c1e-9d0b-7f2f51a4a0d1', 'the msid stream id stands in for the CNAME');
  });

  test('an offer of G722 and AV1 has no usable m-line: 406 naming both sides', QUICK, () => {
    const offer = parseOffer(noCodecWhip, 'publish');
    assert.equal(publishParameters(offer.media[0]!, router), undefined);
    assert.equal(publishParameters(offer.media[1]!, router), undefined);
    assert.throws(
      () => requireSupportedCodec(offer.media, router),
      (error: unknown) => error instanceof SdpError && error.status === 406 && error.message === 'no supported codec: offered G722, AV1; Parley takes opus, PCMU, PCMA, VP8, H264',
    );
    assert.doesNotThrow(() => requireSupportedCodec(parseOffer(obsWhip, 'publish').media, router));
  });
});

describe('watch offers', () => {
  test("Chrome's WHEP offer: Opus; VP8 and H.264 (Constrained Baseline) with their RTX, at the offer's payload types", QUICK, () => {
    const offer = parseOffer(chromeWhep, 'watch');
    assert.deepEqual(offer.media.map((one) => one.direction), ['recvonly', 'recvonly']);
    const audio = watchCapabilities(offer.media[0]!, router)!;
    assert.deepEqual(audio.codecs!.map((codec) => [codec.mimeType, codec.preferredPayloadType]), [['audio/opus', 111], ['audio/PCMU', 0], ['audio/PCMA', 8]]);
    const video = watchCapabilities(offer.media[1]!, router)!;
    assert.deepEqual(
      video.codecs!.map((codec) => [codec.mimeType, codec.preferredPayloadType, codec.parameters?.['apt'] ?? codec.parameters?.['profile-level-id'] ?? null]),
      [
        ['video/VP8', 96, null],
        ['video/rtx', 97, 96],
        ['video/H264', 106, '42e01f'],
        ['video/rtx', 107, 106],
      ],
    );
    assert.deepEqual(
      video.headerExtensions!.map((ext) => [ext.uri.replace(/^.*[/:]/, ''), ext.preferredId]),
      [['toffset', 14], ['abs-send-time', 2], ['video-orientation', 13], [TCC, 3], ['playout-delay', 5], ['mid', 4], ['rtp-stream-id', 10], ['repaired-rtp-stream-id', 11]],
    );
  });

  test('RTX is only offered back when the player offers it; no common codec gives undefined', QUICK, () => {
    const noRtx = parseOffer(withLine(chromeWhep, 'm=video', 'm=video 9 UDP/TLS/RTP/SAVPF 96'), 'watch');
    assert.deepEqual(watchCapabilities(noRtx.media[1]!, router)!.codecs!.map((codec) => codec.mimeType), ['video/VP8']);
    const av1 = parseOffer(withLine(chromeWhep, 'm=video', 'm=video 9 UDP/TLS/RTP/SAVPF 45 46'), 'watch');
    assert.equal(watchCapabilities(av1.media[1]!, router), undefined);
  });

  test('the answer to a player: sendonly, its SSRC, RTX group, msid and CNAME', QUICK, () => {
    const offer = parseOffer(chromeWhep, 'watch');
    const vp8: types.RtpCodecParameters[] = [
      { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: '' }] },
      { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
    ];
    const answer = writeAnswer({
      offer,
      ...serverSide,
      media: [
        { mid: '0', accepted: false },
        { mid: '1', accepted: true, direction: 'sendonly', codecs: vp8, headerExtensions: [], ssrc: { ssrc: 5, rtxSsrc: 6, cname: 'parley', streamId: 'stream', trackId: 'track\r\na=evil' } },
      ],
    });
    const parsed = sdpTransform.parse(answer);
    assert.equal(String(parsed.groups?.[0]?.mids), '1');
    const [audio, video] = parsed.media as [sdpTransform.MediaDescription, sdpTransform.MediaDescription];
    assert.equal(audio.port, 0);
    assert.equal(audio.direction, 'inactive');
    assert.equal(video.direction, 'sendonly');
    assert.deepEqual(video.ssrcGroups, [{ semantics: 'FID', ssrcs: '5 6' }]);
    assert.deepEqual(
      video.ssrcs?.filter((line) => line.attribute === 'cname').map((line) => [line.id, line.value]),
      [[5, 'parley'], [6, 'parley']],
    );
    assert.ok(!/^a=evil/m.test(answer), 'a label from elsewhere broke a line');
    assert.ok(answer.includes('a=msid:stream tracka=evil\r\n'));
  });

  test('a WHEP offer that only sends is refused, and so is a WHIP offer that only receives', QUICK, () => {
    rejects(chromeWhip, 'watch', 400, /WHEP offer must receive media/);
    rejects(chromeWhep, 'publish', 400, /WHIP offer must send media/);
  });
});

describe('the answer', () => {
  test('ICE-lite, BUNDLE, passive DTLS with the sha-256 fingerprint, candidates, codecs and directions as sdp-transform reads them', QUICK, () => {
    const offer = parseOffer(chromeWhip, 'publish');
    const answer = publishAnswer(offer);
    assert.ok(answer.startsWith('v=0\r\no=- '));
    const parsed = sdpTransform.parse(answer);
    assert.equal(parsed.icelite, 'ice-lite');
    assert.deepEqual(parsed.groups, [{ type: 'BUNDLE', mids: '0 1' }]);
    for (const [index, media] of parsed.media.entries()) {
      assert.equal(String(media.mid), String(index));
      assert.equal(media.direction, 'recvonly');
      assert.equal(media.setup, 'passive');
      assert.equal(media.rtcpMux, 'rtcp-mux');
      assert.equal(media.iceUfrag, serverSide.ice.usernameFragment);
      assert.equal(media.icePwd, serverSide.ice.password);
      assert.deepEqual(media.fingerprint, { type: 'sha-256', hash: serverSide.dtls.fingerprints[1]!.value });
      assert.deepEqual(
        media.candidates?.map((candidate) => [candidate.transport, candidate.ip, candidate.port, candidate.type, candidate.tcptype]),
        [['udp', '127.0.0.1', 40000, 'host', undefined], ['tcp', '127.0.0.1', 40001, 'host', 'passive']],
      );
      assert.equal(media.endOfCandidates, 'end-of-candidates');
    }
    const [audio, video] = parsed.media as [sdpTransform.MediaDescription, sdpTransform.MediaDescription];
    assert.equal(String(audio.payloads), '111');
    assert.deepEqual(audio.rtp, [{ payload: 111, codec: 'opus', rate: 48000, encoding: 2 }]);
    assert.deepEqual(video.rtp.map((rtp) => rtp.codec), ['VP8', 'rtx']);
    assert.deepEqual(video.fmtp, [{ payload: 97, config: 'apt=96' }]);
    assert.deepEqual(video.ext?.find((ext) => ext.uri.endsWith('sdes:mid')), { value: 4, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' });
    assert.equal(video.rtcpFb?.filter((feedback) => feedback.payload === 96).length, 5);
  });

  test('a data channel, a second video and a wrong-direction m-line are each answered with port 0, in place', QUICK, () => {
    const extra = [
      'm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:2\r\na=sctp-port:5000\r\n',
      'm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:3\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n',
      'm=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=mid:4\r\na=recvonly\r\na=rtcp-mux\r\n',
    ];
    const offer = parseOffer(chromeWhip + extra.join(''), 'publish');
    assert.deepEqual(offer.media.map((one) => one.mid), ['0', '1']);
    assert.deepEqual(offer.lines.map((line) => line.type), ['audio', 'video', 'application', 'video', 'audio']);
    const parsed = sdpTransform.parse(publishAnswer(offer));
    assert.deepEqual(
      parsed.media.map((media) => [String(media.mid), media.type, media.port, media.protocol, String(media.payloads)]),
      [
        ['0', 'audio', 9, 'UDP/TLS/RTP/SAVPF', '111'],
        ['1', 'video', 9, 'UDP/TLS/RTP/SAVPF', '96 97'],
        ['2', 'application', 0, 'UDP/DTLS/SCTP', 'webrtc-datachannel'],
        ['3', 'video', 0, 'UDP/TLS/RTP/SAVPF', '96'],
        ['4', 'audio', 0, 'UDP/TLS/RTP/SAVPF', '0'],
      ],
    );
    assert.deepEqual(parsed.groups, [{ type: 'BUNDLE', mids: '0 1' }]);
  });
});

describe('hostile and broken offers', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['not text', 42, /not text/],
    ['larger than 64 KiB', chromeWhip + `a=x-pad:${'x'.repeat(4000)}\r\n`.repeat(17), /larger than 64 KiB/],
    ['no v=0', chromeWhip.replace('v=0', 'v=1'), /does not start with v=0/],
    ['a NUL', chromeWhip.replace('s=-', 's=\0'), /control characters/],
    ['an escape sequence', chromeWhip.replace('s=-', 's=\x1b[31m'), /control characters/],
    ['a line over 4 KiB', chromeWhip.replace('s=-', `s=${'y'.repeat(5000)}`), /longer than 4 KiB/],
    ['a line that is not x=value', chromeWhip.replace('s=-', 'hello'), /is not "x=value": hello/],
    ['nine m-lines', chromeWhip + 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:x\r\n'.repeat(7), /more than 8 m-lines/],
    ['65 formats', withLine(chromeWhip, 'm=audio', `m=audio 9 UDP/TLS/RTP/SAVPF ${Array.from({ length: 65 }, (_, i) => i + 30).join(' ')}`), /more than 64 formats/],
    ['no ICE credentials', chromeWhip.replace(/a=ice-(ufrag|pwd)[^\r]*\r\n/g, ''), /no a=ice-ufrag/],
    ['a short ice-pwd', chromeWhip.replace(/a=ice-pwd:[^\r]*/g, 'a=ice-pwd:short'), /a=ice-pwd must be 22 to 256/],
    ['an ice-ufrag with other characters', chromeWhip.replace(/a=ice-ufrag:[^\r]*/g, 'a=ice-ufrag:ab;cd'), /a=ice-ufrag must be 4 to 256/],
    ['no fingerprint', chromeWhip.replace(/a=fingerprint[^\r]*\r\n/g, ''), /no a=fingerprint/],
    ['a malformed fingerprint', chromeWhip.replace('a=fingerprint:sha-256 7B', 'a=fingerprint:sha-256 7G'), /malformed fingerprint/],
    ['a short fingerprint', chromeWhip.replace(/:19:08\r\n/g, '\r\n'), /wrong length/],
    ['setup passive', chromeWhip.replace(/a=setup:actpass/g, 'a=setup:passive'), /^Parley is the DTLS server; offer a=setup:actpass$/],
    ['no setup', chromeWhip.replace(/a=setup:actpass\r\n/g, ''), /needs a=setup:actpass/],
    ['no mid', chromeWhip.replace('a=mid:1\r\n', ''), /m-line 2 has no a=mid/],
    ['a long mid', chromeWhip.replace('a=mid:1', `a=mid:${'m'.repeat(33)}`), /invalid a=mid/],
    ['two m-lines with one mid', chromeWhip.replace('a=mid:1', 'a=mid:0'), /two m-lines have the mid 0/],
    ['no rtcp-mux', chromeWhip.replace(/a=rtcp-mux\r\n/g, ''), /lacks a=rtcp-mux/],
    ['a payload type over 127', withLine(chromeWhip, 'm=audio', 'm=audio 9 UDP/TLS/RTP/SAVPF 111 128'), /invalid payload type: 128/],
    ['an absurd clock rate', chromeWhip.replace('opus/48000/2', 'opus/99999999999/2'), /invalid clock rate/],
    ['nine channels', chromeWhip.replace('opus/48000/2', 'opus/48000/9'), /invalid channel count/],
    ['an SSRC of 0', chromeWhip.replace('a=ssrc:1001 cname', 'a=ssrc:0 cname'), /invalid SSRC: 0/],
    ['an SSRC over 2^32-1', chromeWhip.replace('a=ssrc:1001 cname', 'a=ssrc:4294967296 cname'), /invalid SSRC/],
    ['an extmap id of 0', chromeWhip.replace('a=extmap:1 ', 'a=extmap:0 '), /invalid extmap id: 0/],
    ['an extmap id twice', chromeWhip.replace('a=extmap:2 ', 'a=extmap:1 '), /uses extmap id 1 twice/],
    ['only a data channel', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\n', /no audio or video/],
    ['no m-lines at all', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n', /no m-lines/],
  ];
  for (const [name, sdp, reason] of cases) {
    test(`400 for ${name}`, QUICK, () => rejects(sdp, 'publish', 400, reason));
  }

  test('a reason quotes at most ~60 characters of what the client wrote, with anything like markup or quotes as ?', QUICK, () => {
    const hostile = `\u202e${'<script>'.repeat(30)}`;
    try {
      parseOffer(chromeWhip.replace('s=-', hostile), 'publish');
      assert.fail('a line that is not x=value was taken');
    } catch (error) {
      assert.ok(error instanceof SdpError);
      assert.match(error.message, /^line 3 of the offer is not "x=value": \?\?script\?\?script\?/);
      assert.ok(!/[<>'`]/.test(error.message.slice(error.message.indexOf(':'))), error.message);
      assert.ok(/^[\x20-\x7e…]*$/.test(error.message), error.message);
      assert.ok(error.message.length < 120, error.message);
    }
  });

  test('two-byte extension ids (15-255) are not used, and not fatal', QUICK, () => {
    const offer = parseOffer(chromeWhip.replace('a=extmap:14 urn:ietf:params:rtp-hdrext:toffset', 'a=extmap:200 urn:ietf:params:rtp-hdrext:toffset'), 'publish');
    assert.ok(!offer.media[1]!.headerExtensions.some((ext) => ext.uri.endsWith('toffset')));
  });

  const mutations = (lines: string[]) =>
    fc.oneof(
      fc.nat({ max: lines.length - 1 }).map((at) => lines.filter((_, index) => index !== at)),
      fc.nat({ max: lines.length - 1 }).map((at) => [...lines.slice(0, at + 1), ...lines.slice(at)]),
      fc.tuple(fc.nat({ max: lines.length - 1 }), fc.string({ unit: 'grapheme', maxLength: 40 })).map(([at, text]) => lines.map((line, index) => (index === at ? `${line.slice(0, 2)}${text}` : line))),
      fc.tuple(fc.nat({ max: lines.length - 1 }), fc.constantFrom('4294967296', '-1', '1e400', '999999999999999999999', 'NaN', '0x10', '', '__proto__', '\u{1F600}'), fc.nat({ max: 80 })).map(([at, token, position]) =>
        lines.map((line, index) => (index === at ? line.slice(0, position).replace(/\d+$/, '') + token + line.slice(position).replace(/^\d+/, '') : line)),
      ),
    );

  test('random text and mutated real offers: nothing but an SdpError escapes parsing, mapping or answering', QUICK, () => {
    const offers = [chromeWhip, chromeSimulcastWhip, chromeWhep, firefoxWhip, obsWhip, noCodecWhip].map((sdp) => sdp.split('\r\n'));
    const inputs = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 300 }).map((text) => `v=0\r\n${text}`),
      fc.constantFrom(...offers).chain((lines) => mutations(lines).map((mutated) => mutated.join('\r\n'))),
      fc.constantFrom(...offers).chain((lines) => mutations(lines).chain((once) => mutations(once)).map((twice) => twice.join('\r\n'))),
    );
    let accepted = 0;
    fc.assert(
      fc.property(inputs, fc.constantFrom('publish' as const, 'watch' as const), (sdp, purpose) => {
        try {
          const offer = parseOffer(sdp, purpose);
          for (const media of offer.media) watchCapabilities(media, router);
          sdpTransform.parse(publishAnswer(offer));
          accepted++;
        } catch (error) {
          if (!(error instanceof SdpError)) throw error;
          assert.ok(/^[\x20-\x7e…]{1,200}$/.test(error.message), `unsafe reason: ${error.message}`);
        }
      }),
      { numRuns: 3000 },
    );
    assert.ok(accepted > 100, `only ${accepted} of 3000 inputs parsed: the mutations are too destructive to reach the mapping`);
  });
});

describe('RFC 8840 fragments (PATCH)', () => {
  test("Chrome's trickled candidates; an ICE restart's credentials", QUICK, () => {
    const trickle = [
      'a=ice-options:trickle ice2',
      'a=group:BUNDLE 0 1',
      'm=audio 9 RTP/AVP 0',
      'a=mid:0',
      'a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id 1',
      'a=candidate:3471623853 1 udp 2122194687 198.51.100.2 61765 typ host generation 0 ufrag EsAw network-id 2',
      'a=candidate:473322822 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active generation 0 ufrag EsAw network-id 1',
      'a=candidate:2154773085 1 udp 1686052607 203.0.113.3 10000 typ srflx raddr 192.0.2.1 rport 61764 generation 0 ufrag EsAw network-id 1',
      'a=end-of-candidates',
      '',
    ].join('\r\n');
    assert.deepEqual(parseSdpFragment(trickle), { candidates: 4 });
    const restart = 'a=ice-ufrag:ZjaI\r\na=ice-pwd:T0teqPLNQQOf+5W+ls+P2p16\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\na=candidate:1 1 UDP 2122252543 10.0.0.1 49153 typ host\r\n';
    assert.deepEqual(parseSdpFragment(restart), { iceUfrag: 'ZjaI', icePwd: 'T0teqPLNQQOf+5W+ls+P2p16', candidates: 1 });
    assert.deepEqual(parseSdpFragment(''), { candidates: 0 });
  });

  for (const [name, text, reason] of [
    ['a ufrag without a pwd', 'a=ice-ufrag:ZjaI\r\n', /needs both/],
    ['a garbage candidate', 'a=candidate:1 1 udp x 10.0.0.1 1 typ host\r\n', /malformed candidate/],
    ['a line of a full offer', 'a=fingerprint:sha-256 AA\r\n', /does not allow/],
    ['prose', 'hello there\r\n', /not "x=value"/],
    ['65 candidates', 'a=candidate:1 1 udp 1 10.0.0.1 1 typ host\r\n'.repeat(65), /more than 64 candidates/],
    ['not text', { candidates: 1 }, /not text/],
  ] as const) {
    test(`400 for a fragment with ${name}`, QUICK, () => {
      assert.throws(
        () => parseSdpFragment(text as string),
        (error: unknown) => error instanceof SdpError && error.status === 400 && reason.test(error.message),
      );
    });
  }

  test("Parley's fragment after a restart: credentials and candidates per mid, which its own parser reads back", QUICK, () => {
    const fragment = writeSdpFragment({ ice: serverSide.ice, candidates: serverSide.candidates, mids: ['0', '1'] });
    assert.equal(fragment.match(/^a=mid:/gm)?.length, 2);
    assert.match(fragment, /^a=candidate:tcpcandidate 1 tcp 1076276479 127\.0\.0\.1 40001 typ host tcptype passive\r$/m);
    assert.equal(fragment.match(/^a=end-of-candidates\r$/gm)?.length, 2);
    const { ice } = serverSide;
    assert.deepEqual(parseSdpFragment(fragment), { iceUfrag: ice.usernameFragment, icePwd: ice.password, candidates: 4 });
  });
});
