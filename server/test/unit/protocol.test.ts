import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Notifications, Requests } from '../../src/protocol/messages.js';
import { describeFirstError, interpretedChecker } from '../../src/protocol/validation.js';
import { parseRequest } from '../../src/signalling/request-parser.js';
import { QUICK } from '../helpers/timeouts.js';

const request = (method: string, data: unknown, id: unknown = 1) => JSON.stringify({ type: 'request', id, method, data });

test('a valid request parses into its typed form', QUICK, () => {
  const result = parseRequest(request('createWebRtcTransport', { direction: 'send' }, 42));
  assert.deepEqual(result, {
    ok: true,
    request: { type: 'request', id: 42, method: 'createWebRtcTransport', data: { direction: 'send' } },
  });
});

test('the error names the field and keeps the request id', QUICK, () => {
  const result = parseRequest(request('join', { displayName: 'x'.repeat(65), rtpCapabilities: {} }, 5));
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.id, 5);
  assert.equal(!result.ok && result.error.code, 'bad_message');
  assert.match(!result.ok ? result.error.message : '', /^join: \/data\/displayName: Expected string length less or equal to 64/);
});

test('blank names, extra fields and wrong types are rejected', QUICK, () => {
  for (const data of [
    { displayName: '   ', rtpCapabilities: {} },
    { displayName: 'Ann', rtpCapabilities: {}, role: 'host' },
    { displayName: 42, rtpCapabilities: {} },
    { displayName: 'Ann', rtpCapabilities: { codecs: 'all' } },
  ]) {
    const result = parseRequest(request('join', data));
    assert.equal(result.ok, false, JSON.stringify(data));
  }
});

test('envelope problems: not JSON, unknown method, bad id', QUICK, () => {
  assert.deepEqual(parseRequest('nope'), { ok: false, id: null, error: { code: 'bad_message', message: 'message is not valid JSON' } });
  const unknown = parseRequest(request('shutdown', {}));
  assert.equal(!unknown.ok && unknown.error.code, 'unknown_method');
  const negative = parseRequest(request('leave', {}, -1));
  assert.equal(!negative.ok && negative.id, null);
  const prototype = parseRequest(request('__proto__', {}));
  assert.equal(!prototype.ok && prototype.error.code, 'unknown_method');
});

test('the client-side checker validates notifications from the same schema', QUICK, () => {
  const checker = interpretedChecker(Notifications.peerLeft);
  assert.equal(checker.Check({ peerId: 'abc' }), true);
  assert.equal(checker.Check({ peerId: '' }), false);
  assert.match(describeFirstError(checker, { peerId: 1 }), /\/peerId/);
  const response = interpretedChecker(Requests.produce.response);
  assert.equal(response.Check({ producerId: 'p1' }), true);
  assert.equal(response.Check({}), false);
});
