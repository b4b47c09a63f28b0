/** The token bucket behind chat, password and message rates: a burst, then a steady refill. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenBucket } from '../../src/meeting/token-bucket.js';

test('a burst of `capacity`, then one more per refill period, never more than capacity', { timeout: 5_000 }, (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const bucket = new TokenBucket(3, 1000);
  assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
  t.mock.timers.tick(999);
  assert.equal(bucket.take(), false, 'not refilled before a whole period');
  t.mock.timers.tick(1);
  assert.equal(bucket.take(), true, 'one token after one period');
  assert.equal(bucket.take(), false);
  t.mock.timers.tick(60_000);
  assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false], 'a long pause refills to capacity only');
});
