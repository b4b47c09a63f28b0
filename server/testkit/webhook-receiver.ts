/**
 * A webhook receiver for tests: a real HTTP server on loopback that records
 * every POST (headers and the exact body) and answers with whatever status
 * the test chooses. It can go down and come back on the same port, keeping
 * what it recorded, and every wait for a delivery has a deadline.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nextEvent, withDeadline } from './wait.js';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  path: string;
  body: string;
  /** What the receiver answered. */
  status: number;
}

/** What a delivery's body holds (server/src/webhooks/events.ts), loosely typed for assertions. */
export interface ReceivedDelivery {
  id: string;
  type: string;
  createdAt: string;
  node: string;
  sequence: number;
  data: Record<string, unknown>;
}

export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** The status for the next request; 200 unless a test says otherwise. */
  answer: (request: Omit<ReceivedRequest, 'status'>) => number = () => 200;
  private server: Server | undefined;
  private waiters: { done: () => boolean; resolve: () => void }[] = [];

  constructor(private boundPort: number) {}

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  /** Listens on `port` (0: one the OS picks); resolves with the receiver. */
  static async start(port = 0): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(port);
    await receiver.up();
    return receiver;
  }

  /** Deliveries answered 2xx, in the order they arrived. */
  accepted(): ReceivedDelivery[] {
    return this.requests.filter((request) => request.status < 300).map((request) => JSON.parse(request.body) as ReceivedDelivery);
  }

  async up(): Promise<void> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const received = { headers: request.headers, path: request.url ?? '', body: Buffer.concat(chunks).toString('utf8') };
        const status = this.answer(received);
        this.requests.push({ ...received, status });
        // A redirect points elsewhere on this receiver, so a test can see that it was not followed.
        response.writeHead(status, status >= 300 && status < 400 ? { location: '/redirected' } : {}).end();
        this.waiters = this.waiters.filter((waiter) => !(waiter.done() && (waiter.resolve(), true)));
      });
    });
    server.listen(this.boundPort, '127.0.0.1');
    await nextEvent(server, 'listening', 5_000, `the webhook receiver to listen on port ${this.boundPort}`);
    this.boundPort = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and cuts every connection: the port refuses connections until `up`. */
  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = nextEvent(server, 'close', 5_000, 'the webhook receiver to close');
    server.close();
    server.closeAllConnections();
    await closed;
  }

  /** Resolves once `done` holds after some request (or already holds); fails after `timeoutMs`, saying `what`. */
  async until(done: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    if (done()) return;
    let waiter: (typeof this.waiters)[number] | undefined;
    const reached = new Promise<void>((resolve) => {
      waiter = { done, resolve };
      this.waiters.push(waiter);
    });
    await withDeadline(reached, timeoutMs, `${what}; the receiver has ${this.requests.length} requests`).finally(() => {
      this.waiters = this.waiters.filter((other) => other !== waiter);
    });
  }
}
