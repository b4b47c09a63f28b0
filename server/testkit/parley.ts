/**
 * A real Parley (real mediasoup worker) started in this process with test
 * configuration: loopback only, a port the OS picks, one worker; and a room
 * created through the HTTP API.
 */
import { loadConfig } from '../src/config.js';
import { startParley, type Parley } from '../src/server.js';
import { withDeadline } from './wait.js';

/** A worker spawn and a listen; slow only on a loaded machine. */
const START_TIMEOUT_MS = 60_000;

/** SIP on, on loopback and a port the OS picks: what a test that calls in adds to its overrides. */
export const SIP_ON = { PARLEY_SIP_ENABLED: 'true', PARLEY_SIP_PORT: '0', PARLEY_SIP_LISTEN_IP: '127.0.0.1', PARLEY_SIP_ANNOUNCED_ADDRESS: '127.0.0.1' } as const;

/** Recording and streaming on, keeping recordings in `dir`: what a test that records adds to its overrides. */
export const recordingOn = (dir: string) =>
  ({ PARLEY_RECORDING_ENABLED: 'true', PARLEY_RECORDINGS_DIR: dir, PARLEY_RECORDING_MIN_FREE_MB: '0', PARLEY_STREAM_PRIVATE_TARGETS: 'true' }) as const;

export async function startTestParley(overrides: Record<string, string> = {}): Promise<Parley> {
  const config = loadConfig({
    PARLEY_HOST: '127.0.0.1',
    PARLEY_PORT: '0',
    PARLEY_RTC_LISTEN_IP: '127.0.0.1',
    PARLEY_RTC_ANNOUNCED_ADDRESS: '127.0.0.1',
    PARLEY_WORKERS: '1',
    // Tests that call in turn SIP on, on a free port; tests that record turn recording on, in a directory of their own.
    PARLEY_SIP_ENABLED: 'false',
    PARLEY_RECORDING_ENABLED: 'false',
    PARLEY_SECRET: 'test-secret-0123456789-abcdefghijklmnop',
    ...overrides,
  });
  const starting = startParley(config, { logLevel: process.env['TEST_LOG_LEVEL'] ?? 'warn' });
  // One that starts after all, too late, is closed rather than left running.
  return withDeadline(starting, START_TIMEOUT_MS, 'Parley (and its mediasoup workers) to start').catch((error: unknown) => {
    void starting.then((late) => late.close(), () => undefined);
    throw error;
  });
}

export interface CreatedRoom {
  id: string;
  url: string;
  hostUrl: string;
  /** The host credential carried in hostUrl's fragment. */
  hostCredential: string;
  /** When the server takes phone calls. */
  dialIn?: { pin: string; uri: string };
}

export async function createRoom(parley: { url: string }, settings: { lobby?: boolean; webinar?: boolean } = {}): Promise<CreatedRoom> {
  const response = await fetch(`${parley.url}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(settings),
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 201) throw new Error(`POST /api/rooms answered ${response.status}`);
  const room = (await response.json()) as Omit<CreatedRoom, 'hostCredential'>;
  return { ...room, hostCredential: room.hostUrl.split('#host=')[1]! };
}
