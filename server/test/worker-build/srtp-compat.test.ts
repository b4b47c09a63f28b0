/** The libsrtp compat header behind the offline worker build, tested in both API modes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runTool } from '../../testkit/processes.js';
import { SERVER } from '../helpers/timeouts.js';

test('libsrtp compat self-test passes for every crypto suite, struct and policy API', SERVER, async () => {
  const script = new URL('../../../scripts/worker/srtp-compat-selftest.sh', import.meta.url).pathname;
  const { stdout } = await runTool(script, [], { timeoutMs: 50_000 });
  assert.equal(stdout.match(/SRTP COMPAT SELFTEST OK/g)?.length, 2, stdout);
  for (const suite of ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32', 'AEAD_AES_128_GCM', 'AEAD_AES_256_GCM']) {
    assert.equal(stdout.split(`${suite}:`).length - 1, 2, `${suite} ran in both modes`);
  }
});
