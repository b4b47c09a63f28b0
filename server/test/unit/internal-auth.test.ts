/** Node-to-node signatures: signed, checked, expiring, and each accepted once. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_SKEW_MS, sign, SignatureVerifier } from '../../src/cluster/internal-auth.js';

const SECRET = 'test-secret-0123456789-abcdefghijklmnop';
const BODY = JSON.stringify({ roomId: 'r', fromNode: 'a', offer: { ip: '10.0.0.1', port: 40000 }, producerId: 'p' });
const TIMEOUT = { timeout: 10_000 };

test('a signature made with the secret verifies once, over exactly that body', TIMEOUT, () => {
  const verifier = new SignatureVerifier(SECRET);
  const now = 1_700_000_000_000;
  const header = sign(SECRET, BODY, now);
  assert.match(header, /^t=\d+,n=[A-Za-z0-9_-]{22},v=[A-Za-z0-9_-]+$/);
  assert.equal(verifier.verify(BODY.replace('40000', '40001'), header, now), 'invalid', 'another body');
  assert.equal(new SignatureVerifier('another-secret-0123456789-abcdefghij').verify(BODY, header, now), 'invalid', 'another secret');
  assert.equal(verifier.verify(BODY, header.replace(/n=[^,]+/, 'n=AAAAAAAAAAAAAAAAAAAAAA'), now), 'invalid', 'another nonce');
  assert.equal(verifier.verify(BODY, undefined, now), 'invalid');
  assert.equal(verifier.verify(BODY, 'garbage', now), 'invalid');
  assert.equal(verifier.verify(BODY, header, now + 1_000), 'ok');
  assert.equal(verifier.verify(BODY, header, now + 2_000), 'replayed', 'the same request again, within the window');
  assert.equal(verifier.verify(BODY, sign(SECRET, BODY, now), now + 2_000), 'ok', 'a new signature of the same body has its own nonce');
});

test('old and future signatures are refused', TIMEOUT, () => {
  const verifier = new SignatureVerifier(SECRET);
  const now = 1_700_000_000_000;
  assert.equal(verifier.verify(BODY, sign(SECRET, BODY, now - MAX_SKEW_MS - 1), now), 'expired');
  assert.equal(verifier.verify(BODY, sign(SECRET, BODY, now + MAX_SKEW_MS + 1), now), 'expired');
  // A replay after the window is refused as expired, whether or not its nonce is still remembered.
  const header = sign(SECRET, BODY, now);
  assert.equal(verifier.verify(BODY, header, now), 'ok');
  assert.equal(verifier.verify(BODY, header, now + MAX_SKEW_MS + 1), 'expired');
});

test('remembered nonces are forgotten once they expire, and never exceed the bound', TIMEOUT, () => {
  const verifier = new SignatureVerifier(SECRET, 50);
  const start = 1_700_000_000_000;
  for (let i = 0; i < 50; i++) assert.equal(verifier.verify(BODY, sign(SECRET, BODY, start + i), start + i), 'ok');
  assert.equal(verifier.remembered, 50);
  // Full: a new valid signature is refused (fail closed) rather than forgetting one that could then be replayed.
  assert.equal(verifier.verify(BODY, sign(SECRET, BODY, start + 60), start + 60), 'busy');
  assert.equal(verifier.remembered, 50);
  // Once the first ones have expired, there is room again, and the memory shrinks.
  const later = start + MAX_SKEW_MS + 25;
  assert.equal(verifier.verify(BODY, sign(SECRET, BODY, later), later), 'ok');
  assert.ok(verifier.remembered <= 26, `${verifier.remembered} remembered`);
  const muchLater = start + 10 * MAX_SKEW_MS;
  assert.equal(verifier.verify(BODY, sign(SECRET, BODY, muchLater), muchLater), 'ok');
  assert.equal(verifier.remembered, 1);
});
