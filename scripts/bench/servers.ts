/** Servers under test, each in its own process so their CPU can be read apart from the bots'. */
import { fileURLToPath } from 'node:url';
import { NodeProcess } from '../../server/testkit/node-process.js';
import { freePort } from '../../server/testkit/ports.js';
import { TestProcess } from '../../server/testkit/processes.js';

export interface ServerUnderTest {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startParleyServer(env: Record<string, string> = {}): Promise<ServerUnderTest> {
  const node = await NodeProcess.start({ PARLEY_MAX_MESSAGES_PER_SECOND: '100000', PARLEY_MAX_CONNECTIONS_PER_IP: '10000', ...env });
  return { name: 'parley', url: node.url, pid: node.pid, stop: () => node.stop() };
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
  return { name, url: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => child.kill('SIGTERM', 5_000) };
}
