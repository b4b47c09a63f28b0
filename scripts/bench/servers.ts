/** Servers under test, each in its own process so their CPU can be read apart from the bots'. */
import { fileURLToPath } from 'node:url';
import { NodeProcess } from '../../server/testkit/node-process.js';
import { freePort } from '../../server/testkit/ports.js';
import { TestProcess } from '../../server/testkit/processes.js';

export interface ServerUnderTest {
  name: string;
  url: string;
  pid: number;
  /** Whether it still runs, and the last of what it wrote: for a benchmark that fails to say why. */
  describe(): string;
  stop(): Promise<void>;
}

const lastLines = (output: string) => output.trim().split('\n').slice(-20).join('\n');

export async function startParleyServer(env: Record<string, string> = {}): Promise<ServerUnderTest> {
  const node = await NodeProcess.start({ PARLEY_MAX_MESSAGES_PER_SECOND: '100000', PARLEY_MAX_CONNECTIONS_PER_IP: '10000', ...env });
  return {
    name: 'parley',
    url: node.url,
    pid: node.pid,
    describe: () => `Parley on ${node.url} ${node.running ? 'runs' : 'has exited'}; its last output:\n${lastLines(node.output)}`,
    stop: () => node.stop(),
  };
}

/** Bare mediasoup; with `audioLevel`, plus an AudioLevelObserver like Parley's speaker detection. */
export async function startBareServer(options: { audioLevel?: boolean; env?: Record<string, string> } = {}): Promise<ServerUnderTest> {
  const port = await freePort();
  const name = options.audioLevel ? 'bare mediasoup + audio levels' : 'bare mediasoup';
  const child = await TestProcess.start(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./bare-sfu.ts', import.meta.url))], {
    what: `${name} on port ${port}`,
    env: { ...process.env, BARE_PORT: String(port), BARE_AUDIO_LEVEL: options.audioLevel ? '1' : '0', ...options.env },
    ready: (output) => output.includes('listening'),
    timeoutMs: 60_000,
  });
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    describe: () => `${name} ${child.running ? 'runs' : 'has exited'}; its last output:\n${lastLines(child.output)}`,
    stop: () => child.kill('SIGTERM', 5_000),
  };
}
