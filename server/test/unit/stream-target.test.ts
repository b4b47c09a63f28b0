/**
 * Where a live stream may go: only public addresses unless the operator
 * allows private ones, so a host cannot make the server connect to its own
 * loopback or the network behind it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkStreamTarget, isPrivateAddress } from '../../src/recording/stream-target.js';
import { QUICK } from '../helpers/timeouts.js';

test('loopback, private, link-local, shared, multicast and mapped addresses are not public', QUICK, () => {
  for (const address of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1']) {
    assert.equal(isPrivateAddress(address), true, address);
  }
  for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8']) assert.equal(isPrivateAddress(address), false, address);
});

test('a stream to a private or unknown host is refused with a reason; a public address passes', QUICK, async () => {
  await assert.rejects(checkStreamTarget('rtmp://127.0.0.1:1935/live/key', false), { code: 'forbidden', message: /private or local address/ });
  await assert.rejects(checkStreamTarget('rtmp://localhost/live/key', false), { code: 'forbidden' });
  await assert.rejects(checkStreamTarget('rtmps://[::1]:443/live/key', false), { code: 'forbidden' });
  await assert.rejects(checkStreamTarget('rtmp://no-such-host.invalid/live/key', false), { code: 'not_found', message: /could not be found/ });
  await checkStreamTarget('rtmp://93.184.216.34/live/key', false);
  await checkStreamTarget('rtmp://127.0.0.1/live/key', true);
});
