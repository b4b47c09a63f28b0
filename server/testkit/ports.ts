/**
 * Free loopback ports for whatever a test or benchmark starts, so runs never
 * collide with each other or with a service already on the machine.
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { nextEvent } from './wait.js';

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await nextEvent(server, 'listening', 5_000, 'a free port');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await nextEvent(server, 'close', 5_000, `port ${port} to be released`);
  return port;
}

/** Whether a TCP port on 127.0.0.1 can be listened on now. */
async function tcpPortFree(port: number): Promise<boolean> {
  const server = net.createServer();
  const listening = new Promise<boolean>((resolve) => {
    server.once('listening', () => resolve(true));
    server.once('error', () => resolve(false));
  });
  server.listen(port, '127.0.0.1');
  const free = await listening;
  if (free) {
    server.close();
    await nextEvent(server, 'close', 5_000, `port ${port} to be released`);
  }
  return free;
}

/** Two consecutive free TCP ports, P and P + 1 (a SIP phone's plain and TLS ports); returns P. */
export async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freePort();
    if (port < 65535 && (await tcpPortFree(port + 1))) return port;
  }
  throw new Error('no two consecutive free ports in 20 tries');
}

/** A random range of `size` + 1 ports (a relay's, or media ports), clear of the ephemeral ports the OS hands out and of the default media range. */
export function randomPortRange(size = 200): { min: number; max: number } {
  const min = 50_000 + Math.floor(Math.random() * 5_000);
  return { min, max: min + size };
}

/** Whether some socket in this network namespace is bound to UDP `port` (from /proc/net/udp). */
export async function udpPortBound(port: number): Promise<boolean> {
  const table = await readFile('/proc/net/udp', 'utf8').catch(() => '');
  const suffix = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  // Each line: "sl local_address rem_address ..."; local_address is ADDR:PORT in hex.
  return table.split('\n').some((line) => line.trim().split(/\s+/)[1]?.endsWith(suffix));
}

/** Whether some socket in this network namespace listens on TCP `port` (from /proc/net/tcp), without connecting to it. */
export async function tcpPortListening(port: number): Promise<boolean> {
  const table = await readFile('/proc/net/tcp', 'utf8').catch(() => '');
  const suffix = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  // State 0A is LISTEN.
  return table.split('\n').some((line) => {
    const fields = line.trim().split(/\s+/);
    return fields[1]?.endsWith(suffix) && fields[3] === '0A';
  });
}
