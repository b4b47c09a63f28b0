import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { QUICK } from '../helpers/timeouts.js';

test('defaults fill in everything that is not set', QUICK, () => {
  const config = loadConfig({});
  assert.equal(config.PARLEY_PORT, 8080);
  assert.equal(config.PARLEY_RTC_MIN_PORT, 40000);
  assert.ok(config.PARLEY_WORKERS >= 1);
  assert.ok(config.PARLEY_RTC_ANNOUNCED_ADDRESS.length > 0);
});

test('strings from the environment are converted and checked', QUICK, () => {
  const config = loadConfig({ PARLEY_PORT: '9000', PARLEY_WORKERS: '3', PARLEY_LOG_LEVEL: 'debug' });
  assert.equal(config.PARLEY_PORT, 9000);
  assert.equal(config.PARLEY_WORKERS, 3);
});

test('every bad value is named in one clear error', QUICK, () => {
  assert.throws(
    () => loadConfig({ PARLEY_PORT: 'eighty', PARLEY_WORKERS: '0', PARLEY_LOG_LEVEL: 'loud', PARLEY_PROT: '1' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /PARLEY_PORT="eighty"/);
      assert.match(error.message, /PARLEY_WORKERS="0"/);
      assert.match(error.message, /PARLEY_LOG_LEVEL="loud": must be one of fatal, error, warn, info/);
      assert.match(error.message, /PARLEY_PROT: unknown setting/);
      return true;
    },
  );
});

test('an inverted RTC port range is refused', QUICK, () => {
  assert.throws(() => loadConfig({ PARLEY_RTC_MIN_PORT: '50000', PARLEY_RTC_MAX_PORT: '40000' }), /must not be above/);
});

test('production refuses a missing or weak secret', QUICK, () => {
  assert.throws(() => loadConfig({ PARLEY_ENV: 'production' }), /PARLEY_SECRET must be set to a strong random value/);
  assert.throws(() => loadConfig({ PARLEY_ENV: 'production', PARLEY_SECRET: 'a'.repeat(40) }), /strong random value/);
  const strong = 'q8Zr1mVx0Lk3Tn7Wb5Yc2Hd9Pf4Jg6Ss-A_';
  assert.equal(loadConfig({ PARLEY_ENV: 'production', PARLEY_SECRET: strong }).PARLEY_SECRET, strong);
});

test('settings that only work together are checked together', QUICK, () => {
  assert.throws(() => loadConfig({ PARLEY_REDIS_URL: 'redis://127.0.0.1:6379' }), /PARLEY_SECRET is required with PARLEY_REDIS_URL/);
  assert.throws(() => loadConfig({ PARLEY_TURN_URLS: 'turn:turn.example.org:3478' }), /go together/);
  assert.throws(() => loadConfig({ PARLEY_FORCE_RELAY: 'true' }), /needs PARLEY_TURN_URLS/);
  assert.throws(() => loadConfig({ PARLEY_API_KEYS: 'short' }), /PARLEY_API_KEYS/);
});

test('webhook URLs need a signing secret of 32+ characters, and the data directory is made absolute', QUICK, () => {
  const urls = 'https://hooks.example.org/parley,http://10.0.0.5:9000/in?token=x';
  assert.throws(() => loadConfig({ PARLEY_WEBHOOK_URLS: urls }), /PARLEY_WEBHOOK_SECRET is required with PARLEY_WEBHOOK_URLS/);
  assert.throws(() => loadConfig({ PARLEY_WEBHOOK_URLS: urls, PARLEY_WEBHOOK_SECRET: 'short' }), /PARLEY_WEBHOOK_SECRET="short"/);
  assert.throws(() => loadConfig({ PARLEY_WEBHOOK_URLS: 'ftp://hooks.example.org', PARLEY_WEBHOOK_SECRET: 'x'.repeat(32) }), /PARLEY_WEBHOOK_URLS="ftp/);
  const config = loadConfig({ PARLEY_WEBHOOK_URLS: urls, PARLEY_WEBHOOK_SECRET: 'x'.repeat(32) });
  assert.equal(config.PARLEY_WEBHOOK_URLS, urls);
  assert.equal(config.PARLEY_DATA_DIR, `${process.cwd()}/data`);
  assert.equal(loadConfig({ PARLEY_DATA_DIR: '/var/lib/parley' }).PARLEY_DATA_DIR, '/var/lib/parley');
});
