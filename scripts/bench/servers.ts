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

export async function startBareServer(): Promise<ServerUnderTest> {
  const port = await freePort();
  const child = await TestProcess.start(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./bare-sfu.ts', import.meta.url))], {
    what: `the bare mediasoup SFU on port ${port}`,
    env: { ...process.env, BARE_PORT: String(port) },
    ready: (output) => output.includes('listening'),
    timeoutMs: 60_000,
  });
  return { name: 'bare mediasoup', url: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => child.kill('SIGKILL') };
}
