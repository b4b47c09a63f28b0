/**
 * The browser client's check of a phone to call, before the request goes:
 * against the protocol's own rule for dialOut, with the separators people write
 * numbers with taken out, and which kind of mistake it was.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDialTarget as parse } from '../../../client/src/meeting/dial-target.js';
import { Requests } from '../../src/protocol/messages.js';
import { interpretedChecker } from '../../src/protocol/validation.js';
import { QUICK } from '../helpers/timeouts.js';

// The rule the client view passes: the protocol's dialOut request, as the server checks it.
const request = interpretedChecker(Requests.dialOut.request);
const parseDialTarget = (typed: string) => parse(typed, (target) => request.Check({ target }));

test('numbers and SIP addresses the server takes pass as typed, numbers without their separators', QUICK, () => {
  assert.deepEqual(parseDialTarget('+4930123456'), { ok: true, target: '+4930123456' });
  assert.deepEqual(parseDialTarget(' +49 30 123-456 '), { ok: true, target: '+4930123456' });
  assert.deepEqual(parseDialTarget('030/123.456'), { ok: true, target: '030123456' });
  assert.deepEqual(parseDialTarget('sip:alice@10.0.0.5:5062'), { ok: true, target: 'sip:alice@10.0.0.5:5062' });
  assert.deepEqual(parseDialTarget('SIPS:bob@pbx.example.com'), { ok: true, target: 'sips:bob@pbx.example.com' });
});

test('what cannot be called is named by its kind of mistake', QUICK, () => {
  assert.deepEqual(parseDialTarget('   '), { ok: false, problem: 'empty' });
  assert.deepEqual(parseDialTarget('12'), { ok: false, problem: 'number' });
  assert.deepEqual(parseDialTarget('+49 (30) 123456'), { ok: false, problem: 'number' });
  assert.deepEqual(parseDialTarget('alice@example.com'), { ok: false, problem: 'number' });
  assert.deepEqual(parseDialTarget('1'.repeat(21)), { ok: false, problem: 'number' });
  assert.deepEqual(parseDialTarget('sip:alice'), { ok: false, problem: 'sip' });
  assert.deepEqual(parseDialTarget('sip:al ice@host'), { ok: false, problem: 'sip' });
  assert.deepEqual(parseDialTarget('sip:alice@host:123456'), { ok: false, problem: 'sip' });
});
