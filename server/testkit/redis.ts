/** A real redis-server on a free loopback port, without persistence, started and stopped by the test. */
import { freePort } from './ports.js';
import { TestProcess } from './processes.js';

export class TestRedis {
  private process: TestProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<TestRedis> {
    const redis = new TestRedis(await freePort());
    await redis.boot();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts redis-server and resolves once it accepts connections. */
  private async boot(): Promise<void> {
    this.process = await TestProcess.start(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { what: `redis-server on port ${this.port}`, ready: (output) => output.includes('Ready to accept connections') },
    );
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    await child?.kill('SIGKILL');
  }

  /** Kills redis-server (all data is lost) and starts it again on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.boot();
  }
}
