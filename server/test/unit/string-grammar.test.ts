/**
 * Property tests of the string grammars (server/src/protocol/grammar.ts):
 * for every string field that can reach another peer's SDP or screen, a
 * valid value with a CR, LF, NUL or other forbidden character inserted
 * anywhere is refused with `bad_message` naming the field, by the server's
 * compiled checker and by the browser's interpreted one alike; and values
 * that follow the grammar, including what Chromium, Firefox and Safari send
 * through mediasoup-client, are accepted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SCALABILITY_MODE_PATTERN } from '../../src/protocol/grammar.js';
import { Notifications, Requests, type RequestMethod } from '../../src/protocol/messages.js';
import { interpretedChecker } from '../../src/protocol/validation.js';
import { parseRequest } from '../../src/signalling/request-parser.js';

const RUNS = 200;
const TIMEOUT = { timeout: 60_000 };

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i));
/** C0 controls (CR, LF and NUL among them) and DEL. */
const C0_AND_DEL = [...range(0x00, 0x1f), '\u007f'];
const C1 = range(0x80, 0x9f);
const BIDI = [...range(0x202a, 0x202e), ...range(0x2066, 0x2069)];
const SDP_BREAKERS = ['\r', '\n', '\r\n', '\0', '\r\na=candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host', ...C0_AND_DEL];

// Generators of strings that follow each grammar (one character short of the limit, so an insertion tests the grammar, not the length).
const tokenChars = "!#$%&'*+-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz{|}~";
const fromChars = (chars: string, minLength: number, maxLength: number) =>
  fc.array(fc.constantFrom(...chars), { minLength, maxLength }).map((list) => list.join(''));
const visibleAscii = range(0x21, 0x7e).join('');
const token = (max: number) => fromChars(tokenChars, 1, max);
const mimeType = fc.tuple(token(31), token(63)).map(([type, subtype]) => `${type}/${subtype}`);
const fmtpValue = fromChars(visibleAscii.replace(/[;=]/g, ''), 1, 255);
const cname = fromChars(visibleAscii, 0, 255);
const msid = fc.tuple(token(63), token(63)).map(([stream, track]) => `${stream} ${track}`);
const rid = fromChars('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_', 1, 31);
const uri = fc
  .tuple(fc.constantFrom('urn', 'http', 'https', 'x-a.b+c'), fromChars("ABCXYZabcxyz0189-._~:/?#[]@!$&'()*+,;=%", 1, 200))
  .map(([scheme, rest]) => `${scheme}:${rest}`);
const fingerprint = fc
  .array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 63 })
  .map((bytes) => bytes.map((byte) => byte.toString(16).padStart(2, '0').toUpperCase()).join(':'));
/** Letters of several scripts, digits, punctuation, emoji (surrogate pairs) and a ZWJ sequence. */
const nameChars = ['A', 'z', '0', ' ', '-', "'", '.', 'é', 'Ø', 'ß', 'ł', 'Ж', 'λ', 'ש', 'ع', '李', '한', 'ก', '😀', '👩‍💻', '\u200D', '\u200E'];
const visibleNameChars = nameChars.filter((c) => /[^\s\u200B-\u200F]/.test(c));
const displayName = fc
  .tuple(fc.constantFrom(...visibleNameChars), fc.array(fc.constantFrom(...nameChars), { maxLength: 20 }), fc.nat())
  .map(([visible, rest, at]) => {
    const position = at % (rest.length + 1);
    return [...rest.slice(0, position), visible, ...rest.slice(position)].join('');
  });
const chatText = fc
  .tuple(displayName, fc.array(fc.constantFrom(...nameChars, '\n', '\t', '<', '>', '&'), { maxLength: 200 }))
  .map(([first, rest]) => first + rest.join(''));

// A produce request whose every SDP-bound string is set by `with`.
const produceWith = (with_: Partial<Record<string, unknown>> = {}) => ({
  transportId: 'transport-1',
  kind: 'video',
  source: 'camera',
  rtpParameters: {
    mid: with_['mid'] ?? '0',
    codecs: [
      {
        mimeType: with_['mimeType'] ?? 'video/H264',
        payloadType: 102,
        clockRate: 90000,
        parameters: {
          'profile-level-id': '42e01f',
          'packetization-mode': 1,
          ...(with_['parameterValue'] !== undefined ? { 'x-value': with_['parameterValue'] } : {}),
          ...(with_['parameterName'] !== undefined ? { [with_['parameterName'] as string]: 1 } : {}),
        },
        rtcpFeedback: [{ type: with_['feedbackType'] ?? 'nack', parameter: with_['feedbackParameter'] ?? 'pli' }],
      },
    ],
    headerExtensions: [
      {
        uri: with_['uri'] ?? 'urn:ietf:params:rtp-hdrext:sdes:mid',
        id: 1,
        parameters: with_['extParameterValue'] !== undefined ? { 'x-value': with_['extParameterValue'] } : {},
      },
    ],
    encodings: [{ ssrc: 1111, rid: with_['rid'] ?? 'r0', scalabilityMode: 'L1T3' }],
    rtcp: { cname: with_['cname'] ?? 'g5Hr/6Jm8yJbxnXm', reducedSize: true },
    msid: with_['msid'] ?? '{5c9a0d8e-7c43-4a4e-b1f2-2f4ad0c0a5d2} {0d1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}',
  },
});

const capabilitiesWith = (with_: Partial<Record<string, unknown>> = {}) => ({
  displayName: with_['displayName'] ?? 'Ann',
  rtpCapabilities: {
    codecs: [
      {
        kind: 'audio',
        mimeType: with_['mimeType'] ?? 'audio/opus',
        preferredPayloadType: 100,
        clockRate: 48000,
        channels: 2,
        parameters: { minptime: 10, useinbandfec: 1, ...(with_['parameterValue'] !== undefined ? { 'x-value': with_['parameterValue'] } : {}) },
        rtcpFeedback: [{ type: with_['feedbackType'] ?? 'transport-cc', parameter: '' }],
      },
    ],
    headerExtensions: [{ kind: 'audio', uri: with_['uri'] ?? 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', preferredId: 1 }],
  },
});

interface Field {
  label: string;
  method: RequestMethod;
  data: (value: string) => unknown;
  /** The path the error must name (a record key's path ends in the key). */
  path: RegExp;
  valid: fc.Arbitrary<string>;
  bad: string[];
}

const fields: Field[] = [
  { label: 'codec mimeType', method: 'produce', data: (v) => produceWith({ mimeType: v }), path: /\/rtpParameters\/codecs\/0\/mimeType/, valid: mimeType, bad: [...SDP_BREAKERS, ' ', ';', ':'] },
  { label: 'codec parameter name', method: 'produce', data: (v) => produceWith({ parameterName: v }), path: /\/rtpParameters\/codecs\/0\/parameters\//, valid: token(63), bad: [...SDP_BREAKERS, ' ', ';', '='] },
  { label: 'codec parameter value', method: 'produce', data: (v) => produceWith({ parameterValue: v }), path: /\/rtpParameters\/codecs\/0\/parameters\/x-value/, valid: fmtpValue, bad: [...SDP_BREAKERS, ' ', ';', '='] },
  { label: 'rtcp-fb type', method: 'produce', data: (v) => produceWith({ feedbackType: v }), path: /\/rtpParameters\/codecs\/0\/rtcpFeedback\/0\/type/, valid: token(63), bad: [...SDP_BREAKERS, ' '] },
  { label: 'rtcp-fb parameter', method: 'produce', data: (v) => produceWith({ feedbackParameter: v }), path: /\/rtpParameters\/codecs\/0\/rtcpFeedback\/0\/parameter/, valid: token(63), bad: [...SDP_BREAKERS, ' '] },
  { label: 'header extension URI', method: 'produce', data: (v) => produceWith({ uri: v }), path: /\/rtpParameters\/headerExtensions\/0\/uri/, valid: uri, bad: [...SDP_BREAKERS, ' ', '"', '<'] },
  { label: 'header extension parameter', method: 'produce', data: (v) => produceWith({ extParameterValue: v }), path: /\/rtpParameters\/headerExtensions\/0\/parameters\/x-value/, valid: fmtpValue, bad: SDP_BREAKERS },
  { label: 'rid', method: 'produce', data: (v) => produceWith({ rid: v }), path: /\/rtpParameters\/encodings\/0\/rid/, valid: rid, bad: [...SDP_BREAKERS, ' ', ';'] },
  { label: 'mid', method: 'produce', data: (v) => produceWith({ mid: v }), path: /\/rtpParameters\/mid/, valid: token(31), bad: [...SDP_BREAKERS, ' '] },
  { label: 'rtcp cname', method: 'produce', data: (v) => produceWith({ cname: v }), path: /\/rtpParameters\/rtcp\/cname/, valid: cname, bad: [...SDP_BREAKERS, ' '] },
  { label: 'msid', method: 'produce', data: (v) => produceWith({ msid: v }), path: /\/rtpParameters\/msid/, valid: msid, bad: SDP_BREAKERS },
  { label: 'capability mimeType', method: 'join', data: (v) => capabilitiesWith({ mimeType: v }), path: /\/rtpCapabilities\/codecs\/0\/mimeType/, valid: mimeType, bad: SDP_BREAKERS },
  { label: 'capability parameter value', method: 'join', data: (v) => capabilitiesWith({ parameterValue: v }), path: /\/rtpCapabilities\/codecs\/0\/parameters\/x-value/, valid: fmtpValue, bad: SDP_BREAKERS },
  { label: 'capability rtcp-fb type', method: 'join', data: (v) => capabilitiesWith({ feedbackType: v }), path: /\/rtpCapabilities\/codecs\/0\/rtcpFeedback\/0\/type/, valid: token(63), bad: SDP_BREAKERS },
  { label: 'capability header extension URI', method: 'join', data: (v) => capabilitiesWith({ uri: v }), path: /\/rtpCapabilities\/headerExtensions\/0\/uri/, valid: uri, bad: SDP_BREAKERS },
  {
    label: 'DTLS fingerprint',
    method: 'connectWebRtcTransport',
    data: (v) => ({ transportId: 'transport-1', dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: v }] } }),
    path: /\/dtlsParameters\/fingerprints\/0\/value/,
    valid: fingerprint,
    bad: [...SDP_BREAKERS, ' ', 'G'],
  },
  { label: 'display name', method: 'join', data: (v) => capabilitiesWith({ displayName: v }), path: /\/displayName/, valid: displayName, bad: [...C0_AND_DEL, ...C1, ...BIDI, '\u2028', '\u2029', '\ud800', '\udc00'] },
  {
    label: 'chat text',
    method: 'sendChat',
    data: (v) => ({ text: v }),
    path: /\/text/,
    valid: chatText,
    bad: [...C0_AND_DEL.filter((c) => c !== '\n' && c !== '\t'), ...C1, ...BIDI, '\ud800'],
  },
];

const frame = (method: string, data: unknown) => JSON.stringify({ type: 'request', id: 7, method, data });
const clientChecks = (method: RequestMethod, data: unknown) => interpretedChecker(Requests[method].request).Check(data);

test('the unchanged requests of the table are valid', TIMEOUT, () => {
  for (const field of fields) {
    const data = field.data(fc.sample(field.valid, { numRuns: 1, seed: 1 })[0]!);
    assert.equal(parseRequest(frame(field.method, data)).ok, true, field.label);
  }
});

for (const field of fields) {
  test(`${field.label}: a forbidden character anywhere is refused with bad_message naming the field`, TIMEOUT, () => {
    fc.assert(
      fc.property(field.valid, fc.constantFrom(...field.bad), fc.nat(), (value, bad, at) => {
        const position = at % (value.length + 1);
        const data = field.data(value.slice(0, position) + bad + value.slice(position));
        const result = parseRequest(frame(field.method, data));
        assert.equal(result.ok, false);
        assert.equal(!result.ok && result.error.code, 'bad_message');
        const message = result.ok ? '' : result.error.message;
        assert.ok(message.startsWith(`${field.method}: /data`), message);
        assert.match(message, field.path);
        assert.doesNotMatch(message, /[\r\n\0]/, 'the error itself carries no line breaks');
        assert.equal(clientChecks(field.method, data), false, 'the browser refuses it too');
      }),
      { numRuns: RUNS },
    );
  });

  test(`${field.label}: every value of the grammar is accepted`, TIMEOUT, () => {
    fc.assert(
      fc.property(field.valid, (value) => {
        const data = field.data(value);
        const result = parseRequest(frame(field.method, data));
        assert.equal(result.ok, true, result.ok ? '' : result.error.message);
        assert.equal(clientChecks(field.method, data), true);
      }),
      { numRuns: RUNS },
    );
  });
}

test('display names of nothing but white space and invisible characters are refused', TIMEOUT, () => {
  const invisible = [' ', '\u00a0', '\u3000', '\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u2060', '\ufeff', '\u00ad', '\u034f', '\u3164', '\ufe0f', '\udb40\udc41'];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...invisible), { minLength: 1, maxLength: 30 }), (chars) => {
      const result = parseRequest(frame('join', capabilitiesWith({ displayName: chars.join('') })));
      assert.equal(!result.ok && result.error.code, 'bad_message');
      assert.match(!result.ok ? result.error.message : '', /^join: \/data\/displayName: must be/);
    }),
    { numRuns: RUNS },
  );
});

test('what Chromium, Firefox and Safari send through mediasoup-client is accepted', TIMEOUT, () => {
  const chromium = {
    transportId: 'b5a1c5b2-7d3f-4f1e-9a3c-2d1e0f9b8a7c',
    kind: 'video',
    source: 'camera',
    rtpParameters: {
      codecs: [
        { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 }, rtcpFeedback: [{ type: 'goog-remb', parameter: '' }, { type: 'transport-cc', parameter: '' }, { type: 'ccm', parameter: 'fir' }, { type: 'nack', parameter: '' }, { type: 'nack', parameter: 'pli' }] },
        { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 }, rtcpFeedback: [] },
      ],
      headerExtensions: [
        { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4, encrypt: false, parameters: {} },
        { uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', id: 2, encrypt: false, parameters: {} },
        { uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', id: 3, encrypt: false, parameters: {} },
        { uri: 'urn:3gpp:video-orientation', id: 13, encrypt: false, parameters: {} },
        { uri: 'urn:ietf:params:rtp-hdrext:toffset', id: 14, encrypt: false, parameters: {} },
        { uri: 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension', id: 8, encrypt: false, parameters: {} },
        { uri: 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay', id: 12, encrypt: false, parameters: {} },
      ],
      encodings: [
        { active: true, scalabilityMode: 'L1T3', rid: 'r0', maxBitrate: 100000, scaleResolutionDownBy: 4, dtx: false },
        { active: true, scalabilityMode: 'L1T3', rid: 'r1', maxBitrate: 300000, scaleResolutionDownBy: 2 },
        { active: true, scalabilityMode: 'L1T3', rid: 'r2', maxBitrate: 900000, scaleResolutionDownBy: 1, priority: 'high', networkPriority: 'high' },
      ],
      rtcp: { cname: 'Hk3+0Jb/8yQ2nX4m', reducedSize: true },
      mid: '1',
      msid: 'a3f1c2d4-5b6e-4f7a-8b9c-0d1e2f3a4b5c 9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b',
    },
  };
  const firefoxOpus = {
    transportId: 't',
    kind: 'audio',
    source: 'mic',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 109, clockRate: 48000, channels: 2, parameters: { maxplaybackrate: 48000, stereo: 1, useinbandfec: 1, 'sprop-stereo': 1, usedtx: 1 }, rtcpFeedback: [] }],
      headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: 1, encrypt: false, parameters: {} }],
      encodings: [{ ssrc: 3163474932, dtx: true }],
      rtcp: { cname: '{7b1c8a44-9f0e-4d2c-b0c1-6a9d3e2f1a0b}', reducedSize: true },
      mid: '0',
      msid: '{0f3a2c9e-4b5a-4c1e-9d2b-3e2f1a0b9c8d} {5d6e7f80-91a2-4b3c-8d4e-5f60718293a4}',
    },
  };
  const safariH264 = {
    transportId: 't',
    kind: 'video',
    source: 'screen',
    rtpParameters: {
      codecs: [
        { mimeType: 'video/H264', payloadType: 98, clockRate: 90000, parameters: { 'level-asymmetry-allowed': 1, 'packetization-mode': 1, 'profile-level-id': '42e01f' }, rtcpFeedback: [{ type: 'nack', parameter: '' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }, { type: 'goog-remb', parameter: '' }, { type: 'transport-cc', parameter: '' }] },
        { mimeType: 'video/rtx', payloadType: 99, clockRate: 90000, parameters: { apt: 98 }, rtcpFeedback: [] },
      ],
      headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 9, encrypt: false, parameters: {} }],
      encodings: [{ ssrc: 2222, rtx: { ssrc: 2223 }, maxBitrate: 1500000 }],
      rtcp: { cname: 'x/3Yq9Wk1+Zr7LpA', reducedSize: true },
      mid: '2',
      msid: '- 4C3F2A1B-0E9D-4C8B-A7F6-E5D4C3B2A190',
    },
  };
  for (const data of [chromium, firefoxOpus, safariH264]) {
    const result = parseRequest(frame('produce', data));
    assert.equal(result.ok, true, result.ok ? '' : result.error.message);
    assert.equal(clientChecks('produce', data), true);
  }
});

test('the browser checks the same grammar on what other peers send it', TIMEOUT, () => {
  const consumer = (cname: string) => ({
    consumerId: 'c1',
    producerId: 'p1',
    peerId: 'peer-1',
    kind: 'audio',
    source: 'mic',
    rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], rtcp: { cname } },
    producerPaused: false,
  });
  const newConsumer = interpretedChecker(Notifications.newConsumer);
  assert.equal(newConsumer.Check(consumer('abc')), true);
  assert.equal(newConsumer.Check(consumer('abc\r\na=candidate:1 1 udp 1 192.0.2.1 9 typ host')), false);
  const chat = interpretedChecker(Notifications.chatMessage);
  const message = (displayName: string) => ({ message: { id: 'm1', peerId: 'p1', displayName, text: 'hi', sentAt: 1 } });
  assert.equal(chat.Check(message('Ann')), true);
  assert.equal(chat.Check(message('Ann\u202Egnp.exe')), false);
});

test('scalability modes are those browsers use, at most 3 spatial and 3 temporal layers', TIMEOUT, () => {
  const mode = new RegExp(SCALABILITY_MODE_PATTERN);
  for (const valid of ['L1T1', 'L1T3', 'L3T3', 'L2T3_KEY', 'L3T3_KEY_SHIFT', 'L2T2h', 'S2T3', 'S3T3h']) assert.ok(mode.test(valid), valid);
  for (const costly of ['L99T99', 'L4T1', 'S1T4', 'L10T3', 'L3T3_KEYX', 'L1T3\r\n']) assert.ok(!mode.test(costly), costly);
});
