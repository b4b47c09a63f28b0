/** Entry point: validate the environment, start Parley, stop on SIGINT/SIGTERM. */
import { ConfigError, loadConfig } from './config.js';
import { startParley } from './server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`parley: ${error.message}`);
    process.exit(78); // EX_CONFIG
  }
  // A terminal gets readable lines; a pipe or a file (systemd, docker, a collector) gets JSON.
  const parley = await startParley(config, { pretty: process.stdout.isTTY === true });
  parley.app.log.info(
    { workers: parley.pool.size, announcedAddress: config.PARLEY_RTC_ANNOUNCED_ADDRESS },
    `Parley is listening on ${parley.url}`,
  );
  const stop = (signal: string) => {
    parley.app.log.info({ signal }, 'shutting down');
    parley.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error('parley: failed to start:', error);
  process.exit(1);
});
