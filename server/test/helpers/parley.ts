/** Starts a real Parley (real mediasoup worker) in this process, on loopback. */
import { loadConfig } from '../../src/config.js';
import { startParley, type Parley } from '../../src/server.js';

export async function startTestParley(overrides: Record<string, string> = {}): Promise<Parley> {
  const config = loadConfig({
    PARLEY_HOST: '127.0.0.1',
    PARLEY_PORT: '0',
    PARLEY_RTC_LISTEN_IP: '127.0.0.1',
    PARLEY_RTC_ANNOUNCED_ADDRESS: '127.0.0.1',
    PARLEY_WORKERS: '1',
    PARLEY_SECRET: 'test-secret-0123456789-abcdefghijklmnop',
    ...overrides,
  });
  return startParley(config, { logLevel: process.env['TEST_LOG_LEVEL'] ?? 'warn' });
}

export interface CreatedRoom {
  id: string;
  url: string;
  hostUrl: string;
  /** The host credential carried in hostUrl's fragment. */
  hostCredential: string;
}

export async function createRoom(parley: Parley, settings: { lobby?: boolean } = {}): Promise<CreatedRoom> {
  const response = await fetch(`${parley.url}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(settings),
  });
  if (response.status !== 201) throw new Error(`POST /api/rooms answered ${response.status}`);
  const room = (await response.json()) as Omit<CreatedRoom, 'hostCredential'>;
  return { ...room, hostCredential: room.hostUrl.split('#host=')[1]! };
}
