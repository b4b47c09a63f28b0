/** A Parley node as its own process (so a test can kill it), on loopback. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freePort } from './redis.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export class NodeProcess {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async start(env: Record<string, string>): Promise<NodeProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: {
        ...process.env,
        PARLEY_HOST: '127.0.0.1',
        PARLEY_PORT: String(port),
        PARLEY_RTC_LISTEN_IP: '127.0.0.1',
        PARLEY_RTC_ANNOUNCED_ADDRESS: '127.0.0.1',
        PARLEY_WORKERS: '1',
        PARLEY_LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'warn',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const url = `http://127.0.0.1:${port}`;
    let errors = '';
    child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const exited = once(child, 'exit').then(([code]) => {
      throw new Error(`node exited (${code}) before it was ready: ${errors}`);
    });
    const ready = (async () => {
      for (;;) {
        const health = await fetch(`${url}/healthz`).catch(() => undefined);
        if (health?.ok) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await Promise.race([ready, exited]);
    return new NodeProcess(url, child);
  }

  /** SIGKILL: no goodbye to Redis or the other nodes. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}
