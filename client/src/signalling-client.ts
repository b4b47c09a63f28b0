/**
 * Request/response and notifications over the signalling WebSocket. Every
 * message from the server is validated against the same schemas the server
 * validates requests with (server/src/protocol).
 */
import type { TSchema } from '@sinclair/typebox';
import {
  isNotificationMethod,
  Notifications,
  Requests,
  ServerEnvelope,
  type ErrorBody,
  type RequestData,
  type RequestMethod,
  type ResponseData,
  type ServerNotification,
} from '@protocol/messages';
import { describeFirstError, interpretedChecker, type Checker } from '@protocol/validation';
import { PlainError, plainServerError } from './plain-errors.js';
import { t } from './strings/index.js';

/** The server refused a request: `body` has its code (to act on) and its own text; the message is for people. */
export class RequestError extends PlainError {
  constructor(readonly body: ErrorBody) {
    super(plainServerError(body));
    this.name = 'RequestError';
  }
}

/** The server did not answer, or the connection went: said in words a person can act on. */
export class ConnectionError extends PlainError {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionError';
  }
}

const REQUEST_TIMEOUT_MS = 15_000;
const envelopeChecker = interpretedChecker(ServerEnvelope);
const checkers = new Map<TSchema, Checker<TSchema>>();
const checkerFor = (schema: TSchema) => {
  let checker = checkers.get(schema);
  if (!checker) checkers.set(schema, (checker = interpretedChecker(schema)));
  return checker;
};

interface Pending {
  method: RequestMethod;
  resolve(data: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class SignallingClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private notificationHandler: (notification: ServerNotification) => void = () => {};
  private closeHandler: (event: CloseEvent) => void = () => {};

  private constructor(private readonly ws: WebSocket) {
    ws.addEventListener('message', (event) => this.receive(event.data));
    ws.addEventListener('close', (event) => {
      for (const { reject, timer } of this.pending.values()) {
        clearTimeout(timer);
        reject(new ConnectionError(t.errors.connectionLost));
      }
      this.pending.clear();
      this.closeHandler(event);
    });
  }

  static connect(roomId: string): Promise<SignallingClient> {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/ws?room=${encodeURIComponent(roomId)}`);
    return new Promise((resolve, reject) => {
      ws.addEventListener('open', () => resolve(new SignallingClient(ws)), { once: true });
      ws.addEventListener('error', () => reject(new ConnectionError(t.errors.unreachable)), { once: true });
    });
  }

  onNotification(handler: (notification: ServerNotification) => void): void {
    this.notificationHandler = handler;
  }

  onClose(handler: (event: CloseEvent) => void): void {
    this.closeHandler = handler;
  }

  request<M extends RequestMethod>(method: M, data: RequestData<M>): Promise<ResponseData<M>> {
    const id = this.nextId++;
    if (this.ws.readyState !== WebSocket.OPEN) return Promise.reject(new ConnectionError(t.errors.notConnected));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ConnectionError(t.errors.noAnswer));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { method, resolve: resolve as (data: unknown) => void, reject, timer });
      this.ws.send(JSON.stringify({ type: 'request', id, method, data }));
    });
  }

  close(): void {
    this.ws.close(1000, 'left');
  }

  private receive(raw: unknown): void {
    let message: unknown;
    try {
      message = JSON.parse(String(raw));
    } catch {
      console.error('signalling: ignoring a message that is not JSON');
      return;
    }
    if (!envelopeChecker.Check(message)) {
      console.error('signalling: ignoring a malformed message:', describeFirstError(envelopeChecker, message));
      return;
    }
    if (message.type === 'notification') {
      if (!isNotificationMethod(message.method)) return console.warn(`signalling: unknown notification ${message.method}`);
      const checker = checkerFor(Notifications[message.method]);
      if (!checker.Check(message.data)) {
        return console.error(`signalling: bad ${message.method} notification:`, describeFirstError(checker, message.data));
      }
      this.notificationHandler(message as ServerNotification);
      return;
    }
    if (message.id === null) {
      if (!message.ok) console.error('signalling: server error:', message.error.message);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (!message.ok) return pending.reject(new RequestError(message.error));
    const checker = checkerFor(Requests[pending.method].response);
    if (!checker.Check(message.data)) {
      console.error(`signalling: invalid ${pending.method} response:`, describeFirstError(checker, message.data));
      pending.reject(new ConnectionError(t.errors.notUnderstood));
      return;
    }
    pending.resolve(message.data);
  }
}
