/** docker/compose.yml resolves with docker/.env.example and passes Parley only settings it accepts. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ConfigSchema, loadConfig } from '../../src/config.js';

const run = promisify(execFile);
const path = (relative: string) => fileURLToPath(new URL(`../../../${relative}`, import.meta.url));
const COMPOSE_FILE = path('docker/compose.yml');
const ENV_EXAMPLE = path('docker/.env.example');

/** The Compose v2 plugin or Debian's docker-compose (v1); both resolve the file without a Docker engine. */
async function compose(...args: string[]): Promise<string> {
  const files = ['-f', COMPOSE_FILE, '--env-file', ENV_EXAMPLE];
  for (const [command, ...prefix] of [['docker', 'compose'], ['docker-compose']] as const) {
    const found = await run(command, [...prefix, 'version']).then(() => true, () => false);
    if (!found) continue;
    const { stdout } = await run(command, [...prefix, ...files, ...args]).catch((error: { stderr?: string }) => {
      assert.fail(`${command} ${[...prefix, ...args].join(' ')} failed:\n${error.stderr}`);
    });
    return stdout;
  }
  assert.fail('no Compose tool: neither `docker compose` nor `docker-compose` works (Debian package: docker-compose)');
}

test('compose config resolves with .env.example and has parley, redis and coturn', async () => {
  const resolved = await compose('config');
  assert.match(resolved, /PARLEY_RTC_ANNOUNCED_ADDRESS: 203\.0\.113\.10/, 'values come from the env file');
  const services = (await compose('config', '--services')).trim().split('\n').sort();
  assert.deepEqual(services, ['coturn', 'parley', 'redis']);
});

test('every PARLEY_* name in compose.yml and .env.example is a setting of ConfigSchema', async () => {
  const known = Object.keys(ConfigSchema.properties);
  for (const file of [COMPOSE_FILE, ENV_EXAMPLE]) {
    const names = new Set((await readFile(file, 'utf8')).match(/\bPARLEY_[A-Z0-9_]+\b/g));
    const unknown = [...names].filter((name) => !known.includes(name));
    assert.deepEqual(unknown, [], `${file} names settings that server/src/config.ts does not have`);
  }
});

test('the PARLEY_* values in .env.example pass the server configuration check', async () => {
  const env: Record<string, string> = {};
  for (const [, name, value] of (await readFile(ENV_EXAMPLE, 'utf8')).matchAll(/^(PARLEY_[A-Z0-9_]+)=(.*)$/gm)) {
    env[name!] = value!;
  }
  assert.ok(env.PARLEY_SECRET && env.PARLEY_RTC_ANNOUNCED_ADDRESS, 'the required settings are set');
  assert.doesNotThrow(() => loadConfig(env));
});
