/** docker/compose.yml resolves with docker/.env.example and hands Parley a configuration it accepts. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigSchema, loadConfig } from '../../src/config.js';
import { runTool } from '../../testkit/processes.js';
import { SERVER } from '../helpers/timeouts.js';

const path = (relative: string) => fileURLToPath(new URL(`../../../${relative}`, import.meta.url));
const COMPOSE_FILE = path('docker/compose.yml');
const ENV_EXAMPLE = path('docker/.env.example');
const SETTINGS = Object.keys(ConfigSchema.properties);

/** The Compose v2 plugin or Debian's docker-compose (v1); both resolve the file without a Docker engine. */
async function compose(...args: string[]): Promise<string> {
  const files = ['-f', COMPOSE_FILE, '--env-file', ENV_EXAMPLE];
  for (const [command, ...prefix] of [['docker', 'compose'], ['docker-compose']] as const) {
    const found = await runTool(command, [...prefix, 'version'], { timeoutMs: 30_000 }).then(() => true, () => false);
    if (!found) continue;
    const { stdout } = await runTool(command, [...prefix, ...files, ...args], { timeoutMs: 30_000 }).catch((error: { stderr?: string }) => {
      assert.fail(`${command} ${[...prefix, ...args].join(' ')} failed:\n${error.stderr}`);
    });
    return stdout;
  }
  assert.fail('no Compose tool: neither `docker compose` nor `docker-compose` works (Debian package: docker-compose)');
}

let resolved: Promise<string> | undefined;
const resolvedConfig = () => (resolved ??= compose('config'));

/** A YAML scalar as `compose config` prints it: plain, 'single' or "double" quoted. */
function unquote(value: string): string {
  if (/^'.*'$/.test(value)) return value.slice(1, -1).replaceAll("''", "'");
  if (/^".*"$/.test(value)) return JSON.parse(value) as string;
  return value;
}

/** The parley service's environment: the only PARLEY_* keys in the resolved file. */
async function parleyEnvironment(): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const [, name, value] of (await resolvedConfig()).matchAll(/^\s+(PARLEY_[A-Z0-9_]+): (.*)$/gm)) {
    env[name!] = unquote(value!);
  }
  return env;
}

test('compose config resolves with .env.example and has parley, redis and coturn', SERVER, async () => {
  const env = await parleyEnvironment();
  assert.equal(env.PARLEY_RTC_ANNOUNCED_ADDRESS, '203.0.113.10', 'values come from the env file');
  const services = (await compose('config', '--services')).trim().split('\n').sort();
  assert.deepEqual(services, ['coturn', 'parley', 'redis']);
});

test('the parley service passes on every setting of ConfigSchema', SERVER, async () => {
  const passed = Object.keys(await parleyEnvironment());
  assert.deepEqual(passed.sort(), [...SETTINGS].sort());
});

test('Parley accepts the configuration that compose.yml and .env.example give it', SERVER, async () => {
  const env = await parleyEnvironment();
  assert.equal(env.PARLEY_ENV, 'production');
  assert.doesNotThrow(() => loadConfig(env));
});

test('every PARLEY_* name in compose.yml and .env.example is a setting of ConfigSchema', SERVER, async () => {
  for (const file of [COMPOSE_FILE, ENV_EXAMPLE]) {
    const names = new Set((await readFile(file, 'utf8')).match(/\bPARLEY_[A-Z0-9_]+\b/g));
    const unknown = [...names].filter((name) => !SETTINGS.includes(name));
    assert.deepEqual(unknown, [], `${file} names settings that server/src/config.ts does not have`);
  }
});
