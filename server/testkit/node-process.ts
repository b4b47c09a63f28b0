/**
 * A Parley node as its own child process on loopback (from the TypeScript
 * source, through tsx), so a test can kill it and a benchmark can read its
 * CPU by pid. Started on a free port; ready once /healthz answers.
 */
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { TestProcess } from './processes.js';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
/** tsx compiles the whole server first: slow on a loaded machine. */
const START_TIMEOUT_MS = 60_000;

export class NodeProcess {
  private constructor(
    readonly url: string,
    private readonly process: TestProcess,
  ) {}

  get pid(): number {
    return this.process.pid;
  }

  /** The last of what it logged, and whether it still runs: for a caller to say why a node stopped answering. */
  get output(): string {
    return this.process.output;
  }

  get running(): boolean {
    return this.process.running;
  }

  static async start(env: Record<string, string>): Promise<NodeProcess> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = await TestProcess.start(process.execPath, ['--import', 'tsx', MAIN], {
      what: `Parley node ${env['PARLEY_NODE_ID'] ?? ''} on ${url}`,
      env: {
        ...process.env,
        PARLEY_HOST: '127.0.0.1',
        PARLEY_PORT: String(port),
        PARLEY_RTC_LISTEN_IP: '127.0.0.1',
        PARLEY_RTC_ANNOUNCED_ADDRESS: '127.0.0.1',
        PARLEY_WORKERS: '1',
        PARLEY_SIP_ENABLED: 'false',
        PARLEY_LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'warn',
        ...env,
      },
      ready: async () => (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined))?.ok === true,
      timeoutMs: START_TIMEOUT_MS,
    });
    return new NodeProcess(url, child);
  }

  /** SIGKILL: no goodbye to Redis or the other nodes. */
  kill(): Promise<void> {
    return this.process.kill('SIGKILL');
  }

  /** SIGTERM, a graceful shutdown (SIGKILL if it takes too long). */
  stop(): Promise<void> {
    return this.process.kill('SIGTERM', 20_000);
  }
}
