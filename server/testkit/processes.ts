/**
 * Child processes for tests and benchmarks (Parley nodes, redis-server,
 * coturn, a bare SFU, one-shot tools): each start is bounded and says what
 * it waited for; each process is killed by whoever started it, and, as a
 * last resort, when this process exits.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { nextEvent, sleep } from './wait.js';

const OUTPUT_KEPT = 20_000;
const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

export interface StartOptions {
  /** What is starting, for error messages: "redis-server on port 6379". */
  what: string;
  env?: NodeJS.ProcessEnv;
  /** Checked every 100 ms, with all it has written so far, until it holds. */
  ready(output: string): boolean | Promise<boolean>;
  timeoutMs?: number;
}

export class TestProcess {
  private text = '';

  private constructor(
    readonly what: string,
    private readonly child: ChildProcess,
  ) {
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.setEncoding('utf8').on('data', (chunk: string) => (this.text = (this.text + chunk).slice(-OUTPUT_KEPT)));
    }
    child.once('exit', () => started.delete(child));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The last of what it wrote on stdout and stderr. */
  get output(): string {
    return this.text;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts `command` and resolves once `ready` holds; kills it and throws if it exits or is not ready in time. */
  static async start(command: string, args: string[], options: StartOptions): Promise<TestProcess> {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    started.add(child);
    const handle = new TestProcess(options.what, child);
    const timeoutMs = options.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    const failure = new Promise<Error>((resolve) => {
      child.once('error', (error) => resolve(error));
      child.once('exit', (code, signal) => resolve(new Error(`exited (${signal ?? code})`)));
    });
    let stopped: Error | undefined;
    void failure.then((error) => (stopped = error));
    for (;;) {
      if (stopped) break;
      if (await options.ready(handle.text)) return handle;
      if (Date.now() > deadline) break;
      await Promise.race([sleep(100), failure]);
    }
    await handle.kill();
    const reason = stopped ? `${stopped.message} before it was ready` : `was not ready within ${timeoutMs} ms`;
    throw new Error(`${options.what} ${reason}; its output:\n${handle.text}`);
  }

  /** Sends `signal` and waits for the exit; SIGKILL follows if it outlives `graceMs`. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    const exited = nextEvent(this.child, 'exit', graceMs, `${this.what} to exit on ${signal}`);
    this.child.kill(signal);
    try {
      await exited;
    } catch (error) {
      if (signal === 'SIGKILL') throw error;
      await this.kill('SIGKILL');
    }
  }
}

/**
 * Runs a tool to its end and returns its output; after `timeoutMs` it is
 * killed and the error says so. Errors keep the tool's stdout and stderr.
 */
export async function runTool(
  command: string,
  args: string[],
  options: { timeoutMs?: number; cwd?: string | URL } = {},
): Promise<{ stdout: string; stderr: string }> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  try {
    return await promisify(execFile)(command, args, { cwd: options.cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 2 ** 20 });
  } catch (error) {
    const failed = error as Error & { killed?: boolean; stdout?: string; stderr?: string };
    if (failed.killed) failed.message = `${command} ${args.join(' ')} did not finish within ${timeoutMs} ms\n${failed.message}`;
    throw failed;
  }
}
