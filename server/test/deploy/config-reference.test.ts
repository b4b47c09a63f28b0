/** docs/configuration.md is generated from ConfigSchema and must not drift from it. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ConfigSchema } from '../../src/config.js';

const ROOT = new URL('../../../', import.meta.url);
const readReference = () => readFile(new URL('docs/configuration.md', ROOT), 'utf8');

test('docs/configuration.md is what scripts/config-reference.ts generates', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/config-reference.ts'], {
    cwd: ROOT,
  });
  assert.equal(await readReference(), stdout, 'stale: run `npx tsx scripts/config-reference.ts --write`');
});

test('docs/configuration.md has a row for every setting of ConfigSchema', async () => {
  const reference = await readReference();
  for (const name of Object.keys(ConfigSchema.properties)) {
    assert.match(reference, new RegExp(`^\\| \`${name}\` \\|`, 'm'), `${name} has no row`);
  }
});
