/**
 * A TCP load balancer in miniature: each connection goes to the first
 * backend that accepts it. Browsers keep one origin while nodes die behind
 * it, and interrupt() stands in for a network outage.
 */
import net from 'node:net';
import { nextEvent, sleep } from './wait.js';

export class FailoverProxy {
  private readonly sockets = new Set<net.Socket>();
  private refusing = false;

  private constructor(
    private readonly server: net.Server,
    readonly url: string,
  ) {}

  static async start(backendPorts: number[]): Promise<FailoverProxy> {
    const proxy: { value?: FailoverProxy } = {};
    const server = net.createServer((client) => {
      if (proxy.value?.refusing) return client.destroy();
      proxy.value?.track(client);
      const attempt = (index: number) => {
        const port = backendPorts[index];
        if (port === undefined) return client.destroy();
        const upstream = net.connect(port, '127.0.0.1');
        upstream.once('error', () => attempt(index + 1));
        upstream.once('connect', () => {
          proxy.value?.track(upstream);
          upstream.removeAllListeners('error');
          upstream.on('error', () => client.destroy());
          client.on('error', () => upstream.destroy());
          client.pipe(upstream).pipe(client);
        });
      };
      // Hold the client's bytes until an upstream is connected; pipe() resumes.
      client.pause();
      attempt(0);
    });
    server.listen(0, '127.0.0.1');
    await nextEvent(server, 'listening', 5_000, 'the failover proxy to listen');
    const { port } = server.address() as net.AddressInfo;
    proxy.value = new FailoverProxy(server, `http://127.0.0.1:${port}`);
    return proxy.value;
  }

  /** Cuts every open connection and refuses new ones for `ms`, like a network outage. */
  async interrupt(ms: number): Promise<void> {
    this.refusing = true;
    for (const socket of this.sockets) socket.destroy();
    await sleep(ms);
    this.refusing = false;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const closed = nextEvent(this.server, 'close', 10_000, 'the failover proxy to close');
    this.server.close();
    await closed;
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}
