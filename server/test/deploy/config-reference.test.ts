/** docs/configuration.md is generated from ConfigSchema and must not drift from it. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { ConfigSchema } from '../../src/config.js';
import { runTool } from '../../testkit/processes.js';
import { SERVER } from '../helpers/timeouts.js';

const ROOT = new URL('../../../', import.meta.url);
const readReference = () => readFile(new URL('docs/configuration.md', ROOT), 'utf8');

test('docs/configuration.md is what scripts/config-reference.ts generates', SERVER, async () => {
  const { stdout } = await runTool(process.execPath, ['--import', 'tsx', 'scripts/config-reference.ts'], { cwd: ROOT, timeoutMs: 45_000 });
  assert.equal(await readReference(), stdout, 'stale: run `npx tsx scripts/config-reference.ts --write`');
});

test('docs/configuration.md has a row for every setting of ConfigSchema', SERVER, async () => {
  const reference = await readReference();
  for (const name of Object.keys(ConfigSchema.properties)) {
    assert.match(reference, new RegExp(`^\\| \`${name}\` \\|`, 'm'), `${name} has no row`);
  }
});
