/** The test command runs on the runtime Parley targets, with the pinned mediasoup and its worker. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import * as mediasoup from 'mediasoup';
import { QUICK } from '../helpers/timeouts.js';

test('Node.js is 22 or later', QUICK, () => {
  assert.ok(Number(process.versions.node.split('.')[0]) >= 22, `running on Node.js ${process.version}`);
});

test('the mediasoup package is the pinned version and its worker answers', QUICK, async () => {
  const manifest = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8'));
  assert.equal(mediasoup.version, manifest.dependencies.mediasoup);
  const worker = await mediasoup.createWorker({ logLevel: 'error' });
  try {
    const usage = await worker.getResourceUsage();
    assert.ok(usage.ru_maxrss > 0);
  } finally {
    worker.close();
  }
});
