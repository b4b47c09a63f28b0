/**
 * A bare signalling client for tests and benchmarks: sends anything,
 * records everything, and every wait (open, a response, a notification,
 * close) has a deadline that names what it waited for.
 */
import WebSocket from 'ws';
import { nextEvent, withDeadline } from './wait.js';

export interface ServerMessage {
  type: 'response' | 'notification';
  id?: number | null;
  ok?: boolean;
  method?: string;
  data?: any;
  error?: { code: string; message: string };
}

/** How long a response or a notification may take; generous for a loaded machine. */
const MESSAGE_TIMEOUT_MS = 20_000;

export class TestSocket {
  readonly received: ServerMessage[] = [];
  private nextId = 1;
  private waiters: { match: (message: ServerMessage) => boolean; resolve: (message: ServerMessage) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as ServerMessage;
      this.received.push(message);
      this.waiters = this.waiters.filter((waiter) => !(waiter.match(message) && (waiter.resolve(message), true)));
    });
  }

  static async open(baseUrl: string, roomId: string, options: { headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<TestSocket> {
    const { headers = {}, timeoutMs = 10_000 } = options;
    const url = `${baseUrl.replace(/^http/, 'ws')}/ws?room=${roomId}`;
    const ws = new WebSocket(url, { headers });
    try {
      await nextEvent(ws, 'open', timeoutMs, `a WebSocket connection to ${url}`);
    } catch (error) {
      ws.on('error', () => {}); // terminate() reports the abort as an error
      ws.terminate();
      throw error;
    }
    return new TestSocket(ws);
  }

  /** Resolves with the first message (already received or future) that matches. */
  waitFor(match: (message: ServerMessage) => boolean, timeoutMs = MESSAGE_TIMEOUT_MS, what = 'a signalling message'): Promise<ServerMessage> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    let waiter: (typeof this.waiters)[number] | undefined;
    const arrived = new Promise<ServerMessage>((resolve) => {
      waiter = { match, resolve };
      this.waiters.push(waiter);
    });
    return withDeadline(arrived, timeoutMs, what).finally(() => (this.waiters = this.waiters.filter((other) => other !== waiter)));
  }

  /** Raw frames should use ids from 9000 up, clear of request()'s own. */
  sendRaw(payload: string | Buffer): void {
    this.ws.send(payload);
  }

  /** Sends a request and resolves with its response, successful or not. */
  async request(method: string, data: unknown = {}): Promise<ServerMessage> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ type: 'request', id, method, data }));
    return this.waitFor((message) => message.type === 'response' && message.id === id, MESSAGE_TIMEOUT_MS, `the response to ${method} (request ${id})`);
  }

  notification(method: string): Promise<ServerMessage> {
    return this.waitFor((message) => message.type === 'notification' && message.method === method, MESSAGE_TIMEOUT_MS, `a ${method} notification`);
  }

  /** A closing handshake; a server that does not answer it in time gets the socket cut. */
  /** Drops the connection without a closing handshake, as a lost network does (the server sees 1006). */
  drop(): void {
    this.ws.terminate();
  }

  /**
   * Ends the TCP stream after what was sent so far, without a closing
   * handshake: the server reads the last frames, then sees the connection
   * vanish (1006). ws has no public handle on its socket, hence `_socket`.
   */
  hangUp(): void {
    (this.ws as unknown as { _socket?: { end(): void } })._socket?.end();
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = nextEvent(this.ws, 'close', 5_000, 'the WebSocket closing handshake');
    this.ws.close();
    await closed.catch(() => this.ws.terminate());
  }
}
