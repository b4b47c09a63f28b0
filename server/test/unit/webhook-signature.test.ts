/**
 * The webhook signature as receivers check it: a signed body verifies; a
 * changed body, an old or future timestamp, another secret or a mangled
 * header do not. Also the retry policy (what an answer means, backoff
 * bounds) and how stream targets lose their secrets.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactStreamTarget } from '../../src/webhooks/events.js';
import { backoffDelay, outcomeOf } from '../../src/webhooks/retry-policy.js';
import { signatureHeader, verifySignature } from '../../src/webhooks/signature.js';
import { QUICK } from '../helpers/timeouts.js';

const SECRET = 'webhook-secret-0123456789-abcdefghijkl';
const BODY = JSON.stringify({ id: '7c1e…', type: 'room.started', data: { roomId: 'abc-defg-hij' } });
const NOW = Date.parse('2026-03-01T12:00:00Z');

test('a signed body verifies, as a string or as the raw bytes', QUICK, () => {
  const header = signatureHeader(SECRET, BODY, NOW);
  assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
  assert.equal(header.split(',')[0], `t=${NOW / 1000}`);
  assert.equal(verifySignature(SECRET, header, BODY, 300, NOW), true);
  assert.equal(verifySignature(SECRET, header, Buffer.from(BODY), 300, NOW + 299_000), true);
});

test('a changed body, another secret, an old or future time, or a mangled header is refused', QUICK, () => {
  const header = signatureHeader(SECRET, BODY, NOW);
  assert.equal(verifySignature(SECRET, header, BODY.replace('room.started', 'room.ended'), 300, NOW), false, 'tampered body');
  assert.equal(verifySignature(SECRET, header, `${BODY} `, 300, NOW), false, 'one byte more');
  assert.equal(verifySignature('another-secret-0123456789-abcdefghijkl', header, BODY, 300, NOW), false, 'wrong secret');
  assert.equal(verifySignature(SECRET, header, BODY, 300, NOW + 301_000), false, 'too old');
  assert.equal(verifySignature(SECRET, header, BODY, 300, NOW - 301_000), false, 'from the future');
  assert.equal(verifySignature(SECRET, header, BODY, 60, NOW + 61_000), false, 'a tighter tolerance');
  const [time, signature] = header.split(',');
  const otherTime = `t=${NOW / 1000 + 1}`;
  assert.equal(verifySignature(SECRET, `${otherTime},${signature}`, BODY, 300, NOW), false, 'the time is signed too');
  for (const mangled of [undefined, '', time!, signature!, `${time},v1=${'0'.repeat(64)}`, `${time},v1=${signature!.slice(3, 40)}`, 'nonsense']) {
    assert.equal(verifySignature(SECRET, mangled, BODY, 300, NOW), false, `header ${mangled}`);
  }
});

test('any one of several signatures may match (a secret being rotated)', QUICK, () => {
  const old = signatureHeader('old-secret-0123456789-abcdefghijklmnop', BODY, NOW);
  const current = signatureHeader(SECRET, BODY, NOW);
  const both = `${old},${current.split(',')[1]}`;
  assert.equal(verifySignature(SECRET, both, BODY, 300, NOW), true);
});

test('2xx delivers, a 4xx other than 408 and 429 gives up, the rest is retried', QUICK, () => {
  assert.deepEqual(
    [200, 201, 204, 299, 400, 401, 404, 410, 422, 408, 429, 301, 302, 500, 502, 503].map((status) => [status, outcomeOf(status)]),
    [
      [200, 'delivered'], [201, 'delivered'], [204, 'delivered'], [299, 'delivered'],
      [400, 'rejected'], [401, 'rejected'], [404, 'rejected'], [410, 'rejected'], [422, 'rejected'],
      [408, 'retry'], [429, 'retry'], [301, 'retry'], [302, 'retry'], [500, 'retry'], [502, 'retry'], [503, 'retry'],
    ],
  );
});

test('backoff doubles from the initial wait up to the cap, jittered within its upper half', QUICK, () => {
  const lowest = () => 0;
  const highest = () => 0.999999;
  const ceilings = [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000];
  ceilings.forEach((ceiling, index) => {
    assert.equal(backoffDelay(index + 1, 1_000, 300_000, lowest), ceiling / 2, `failure ${index + 1}, lowest`);
    assert.equal(backoffDelay(index + 1, 1_000, 300_000, highest), ceiling, `failure ${index + 1}, highest`);
  });
  for (let failures = 1; failures <= 1_000; failures++) {
    const delay = backoffDelay(failures, 1_000, 300_000);
    assert.ok(delay >= 500 && delay <= 300_000, `failure ${failures}: ${delay} ms`);
  }
  const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(3, 1_000, 300_000)));
  assert.ok(spread.size > 10, 'jitter spreads retries');
});

test('a stream target keeps scheme, host and port and loses key, path and credentials', QUICK, () => {
  assert.equal(redactStreamTarget('rtmp://live.example.com:1935/app/sk_live_12345'), 'rtmp://live.example.com:1935/…');
  assert.equal(redactStreamTarget('rtmps://user:pass@a.rtmp.youtube.com/live2/abcd-efgh?key=1'), 'rtmps://a.rtmp.youtube.com/…');
  assert.equal(redactStreamTarget('rtmp://[2001:db8::1]:1935/x'), 'rtmp://[2001:db8::1]:1935/…');
  assert.equal(redactStreamTarget('not a url with secret'), '…');
});
