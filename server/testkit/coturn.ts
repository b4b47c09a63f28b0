/**
 * A real coturn (Debian's turnserver) on a free loopback port, with TURN
 * REST API credentials (a shared secret). Either self-contained (-n, the
 * flags a test relay needs) or loading a configuration file under test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, randomPortRange } from './ports.js';
import { TestProcess } from './processes.js';

export interface CoturnOptions {
  /** A turnserver.conf to load instead of the built-in test settings. */
  configFile?: string;
  /** More command-line options, e.g. --allowed-peer-ip=... */
  extraArgs?: string[];
}

/** Only without a configuration file: loopback peers (the test's media server) and no TLS. */
const TEST_RELAY_ARGS = ['-n', '--use-auth-secret', '--allow-loopback-peers', '--no-tls', '--no-dtls', '--no-cli', '--fingerprint'];

export class TestCoturn {
  private constructor(
    readonly port: number,
    readonly secret: string,
    private readonly process: TestProcess,
    private readonly dir: string,
  ) {}

  static async start(secret: string, options: CoturnOptions = {}): Promise<TestCoturn> {
    const port = await freePort();
    const relay = randomPortRange();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-coturn-'));
    try {
      const child = await TestProcess.start(
        'turnserver',
        [
          ...(options.configFile ? ['-c', options.configFile] : TEST_RELAY_ARGS),
          '--listening-ip=127.0.0.1',
          '--relay-ip=127.0.0.1',
          `--listening-port=${port}`,
          `--min-port=${relay.min}`,
          `--max-port=${relay.max}`,
          `--static-auth-secret=${secret}`,
          '--realm=parley.test',
          '--log-file=stdout',
          `--pidfile=${path.join(dir, 'turn.pid')}`,
          ...(options.extraArgs ?? []),
        ],
        {
          what: `turnserver on port ${port}`,
          // Ready once its relay servers (and so its UDP listener) are up.
          ready: (output) => /Total General servers|IPv4\. UDP listener opened on : 127\.0\.0\.1/.test(output),
        },
      );
      return new TestCoturn(port, secret, child, dir);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  get url(): string {
    return `turn:127.0.0.1:${this.port}?transport=udp`;
  }

  async stop(): Promise<void> {
    await this.process.kill('SIGKILL');
    await rm(this.dir, { recursive: true, force: true });
  }
}
