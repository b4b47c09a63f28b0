/** A bare signalling client for tests: sends anything, records everything. */
import { once } from 'node:events';
import WebSocket from 'ws';

export interface ServerMessage {
  type: 'response' | 'notification';
  id?: number | null;
  ok?: boolean;
  method?: string;
  data?: any;
  error?: { code: string; message: string };
}

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

  static async open(baseUrl: string, roomId: string, timeoutMs = 10_000): Promise<TestSocket> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws?room=${roomId}`);
    try {
      await once(ws, 'open', { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      ws.terminate();
      throw error;
    }
    return new TestSocket(ws);
  }

  /** Resolves with the first message (already received or future) that matches. */
  waitFor(match: (message: ServerMessage) => boolean, timeoutMs = 10_000): Promise<ServerMessage> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a signalling message')), timeoutMs);
      this.waiters.push({ match, resolve: (message) => (clearTimeout(timer), resolve(message)) });
    });
  }

  /** Raw frames should use ids from 9000 up, clear of request()'s own. */
  sendRaw(payload: string | Buffer): void {
    this.ws.send(payload);
  }

  /** Sends a request and resolves with its response, successful or not. */
  async request(method: string, data: unknown = {}): Promise<ServerMessage> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ type: 'request', id, method, data }));
    return this.waitFor((message) => message.type === 'response' && message.id === id);
  }

  notification(method: string): Promise<ServerMessage> {
    return this.waitFor((message) => message.type === 'notification' && message.method === method);
  }

  /** Closes with a handshake; a server that does not answer within 5 s gets the socket torn down. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = once(this.ws, 'close');
    this.ws.close();
    const timer = setTimeout(() => this.ws.terminate(), 5_000);
    await closed;
    clearTimeout(timer);
  }
}
