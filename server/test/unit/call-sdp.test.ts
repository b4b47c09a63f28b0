/** A phone call's SDP: which codec Parley takes, hold and resume, DTMF, and the SIP answer for what it cannot take. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import sdpTransform from 'sdp-transform';
import { readCallSdp, SdpError, writeAnswer, writeOffer } from '../../src/telephony/call-sdp.js';
import { QUICK } from '../helpers/timeouts.js';

const offer = (media: string, extra = '') =>
  ['v=0', 'o=- 1 1 IN IP4 10.0.0.5', 's=-', 'c=IN IP4 10.0.0.5', 't=0 0', media, extra].filter(Boolean).join('\r\n') + '\r\n';

const statusOf = (sdp: string) => {
  try {
    readCallSdp(sdp);
    return 'taken';
  } catch (error) {
    assert.ok(error instanceof SdpError, `a ${String(error)} instead of an SdpError`);
    return error.status;
  }
};

test("the phone's first codec Parley knows is taken, with its telephone-events", QUICK, () => {
  const media = readCallSdp(offer('m=audio 4000 RTP/AVP 9 8 0 101', 'a=rtpmap:9 G722/8000\r\na=rtpmap:101 telephone-event/8000'));
  assert.deepEqual(
    { address: media.address, port: media.port, codec: media.codec.name, payloadType: media.payloadType, dtmf: media.dtmfPayloadType, receives: media.receives },
    { address: '10.0.0.5', port: 4000, codec: 'PCMA', payloadType: 8, dtmf: 101, receives: true },
  );
  const opus = readCallSdp(offer('m=audio 4000 RTP/AVP 111 0', 'a=rtpmap:111 opus/48000/2'));
  assert.equal(opus.codec.name, 'opus');
  assert.equal(opus.payloadType, 111);
  assert.equal(opus.dtmfPayloadType, undefined, 'no telephone-event offered, none assumed');
});

test("hold is sendonly, inactive or a 0.0.0.0 address; the answer mirrors the phone's direction", QUICK, () => {
  const cases = [
    { offer: offer('m=audio 4000 RTP/AVP 0', 'a=sendonly'), receives: false, sends: true, answer: 'recvonly' },
    { offer: offer('m=audio 4000 RTP/AVP 0', 'a=inactive'), receives: false, sends: false, answer: 'inactive' },
    { offer: offer('m=audio 4000 RTP/AVP 0').replaceAll('10.0.0.5', '0.0.0.0'), receives: false, sends: true, answer: 'recvonly' },
    { offer: offer('m=audio 4000 RTP/AVP 0', 'a=recvonly'), receives: true, sends: false, answer: 'sendonly' },
    { offer: offer('m=audio 4000 RTP/AVP 0', 'a=sendrecv'), receives: true, sends: true, answer: 'sendrecv' },
  ];
  for (const { offer: sdp, receives, sends, answer } of cases) {
    const media = readCallSdp(sdp);
    assert.deepEqual([media.receives, media.sends], [receives, sends], sdp);
    assert.equal(sdpTransform.parse(writeAnswer({ address: '192.0.2.1', port: 32000, version: 2 }, media)).media[0]!.direction, answer);
  }
});

test("a re-INVITE keeps the call's codec when it is offered again, in whatever order", QUICK, () => {
  const again = readCallSdp(offer('m=audio 4000 RTP/AVP 8 0', 'a=sendonly'), 'PCMU');
  assert.deepEqual([again.codec.name, again.payloadType, again.receives], ['PCMU', 0, false]);
  assert.equal(readCallSdp(offer('m=audio 4000 RTP/AVP 8'), 'PCMU').codec.name, 'PCMA', 'without it, the first known codec (the caller refuses a change)');
});

test('our answer and offer parse back to what they promise', QUICK, () => {
  const media = readCallSdp(offer('m=audio 4000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000'));
  const answer = readCallSdp(writeAnswer({ address: '192.0.2.1', port: 32000, version: 1 }, media));
  assert.deepEqual([answer.address, answer.port, answer.codec.name, answer.dtmfPayloadType, answer.receives], ['192.0.2.1', 32000, 'PCMU', 101, true]);
  const ours = sdpTransform.parse(writeOffer({ address: '192.0.2.1', port: 32002, version: 1 }));
  assert.equal(ours.media[0]!.payloads, '0 8 101');
});

test('what Parley cannot take gets 488, what does not parse 400', QUICK, () => {
  assert.equal(statusOf(''), 488, 'no offer');
  assert.equal(statusOf(offer('m=audio 4000 RTP/AVP 18', 'a=rtpmap:18 G729/8000')), 488, 'no common codec');
  assert.equal(statusOf(offer('m=video 4000 RTP/AVP 96')), 488, 'no audio');
  assert.equal(statusOf(offer('m=audio 4000 RTP/AVP 0').replaceAll('IN IP4 10.0.0.5', 'IN IP6 ::1')), 488, 'IPv6 only');
  assert.equal(statusOf('v=0\r\nnot SDP at all\r\n'), 400);
  assert.equal(statusOf(offer('m=audio 4000 RTP/AVP 0 999')), 400, 'a payload type out of range');
  assert.equal(statusOf(`${offer('m=audio 4000 RTP/AVP 0')}a=x:${'y'.repeat(5_000)}\r\n`), 400, 'too long');
});

test('any string gets an SdpError or a usable call, never another exception', QUICK, () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 600 }), fc.string({ maxLength: 300 }).map((tail) => offer('m=audio 4000 RTP/AVP 0', tail))), (sdp) => {
      const status = statusOf(sdp);
      assert.ok(status === 'taken' || status === 400 || status === 488);
    }),
    { numRuns: 2_000 },
  );
});
