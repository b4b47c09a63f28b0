/** Servers under test, each in its own process so their CPU can be read apart from the bots'. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { NodeProcess } from '../../server/test/helpers/node-process.js';
import { freePort } from '../../server/test/helpers/redis.js';

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
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./bare-sfu.ts', import.meta.url))], {
    env: { ...process.env, BARE_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve()));
  return {
    name: 'bare mediasoup',
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
