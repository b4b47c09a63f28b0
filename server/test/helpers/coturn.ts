/** A real coturn (Debian's turnserver) on a free loopback port, with TURN REST API credentials. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './redis.js';

export class TestCoturn {
  private constructor(
    readonly port: number,
    readonly secret: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {}

  static async start(secret: string): Promise<TestCoturn> {
    const port = await freePort();
    const relayMin = 50_000 + Math.floor(Math.random() * 5_000);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-coturn-'));
    const log = path.join(dir, 'turn.log');
    const child = spawn(
      'turnserver',
      [
        '-n', // no configuration file
        '--listening-ip=127.0.0.1',
        '--relay-ip=127.0.0.1',
        `--listening-port=${port}`,
        `--min-port=${relayMin}`,
        `--max-port=${relayMin + 200}`,
        '--use-auth-secret',
        `--static-auth-secret=${secret}`,
        '--realm=parley.test',
        // The test's media server is on loopback; production configs deny it (docker/coturn).
        '--allow-loopback-peers',
        '--no-tls',
        '--no-dtls',
        '--no-cli',
        '--fingerprint',
        `--log-file=${log}`,
        '--simple-log',
        `--pidfile=${path.join(dir, 'turn.pid')}`,
      ],
      { stdio: 'ignore' },
    );
    const turn = new TestCoturn(port, secret, child, dir);
    for (let attempt = 0; ; attempt++) {
      const text = await readFile(log, 'utf8').catch(() => '');
      if (/Total General servers|IPv4\. UDP listener opened on : 127\.0\.0\.1/.test(text)) break;
      if (child.exitCode !== null || attempt > 100) throw new Error(`turnserver did not start: ${text}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return turn;
  }

  get url(): string {
    return `turn:127.0.0.1:${this.port}?transport=udp`;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = once(this.child, 'exit');
      this.child.kill('SIGKILL');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
