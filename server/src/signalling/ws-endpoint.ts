/**
 * The signalling WebSocket at /ws?room=ROOM_ID. Every frame is parsed and
 * validated before it reaches a handler; failures are answered with a typed
 * error and never end the connection, the room or the process.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { FastifyBaseLogger } from 'fastify';
import { clientAddress, originAllowed } from '../auth/request-info.js';
import { TokenBucket } from '../meeting/token-bucket.js';
import { FLOOD_CLOSE_AFTER, FLOOD_WINDOW_MS, MAX_MESSAGE_BYTES, MAX_PENDING_REQUESTS } from '../protocol/limits.js';
import type { ErrorBody } from '../protocol/messages.js';
import type { Connection } from '../roster/peer.js';
import { isRoomId } from '../store/room-id.js';
import { errorResponseBody } from './error-response.js';
import { parseRequest } from './request-parser.js';
import type { HandlerSession } from './handler.js';
import { Session, type SessionDeps } from './session.js';
import { SlidingWindowCounter } from './sliding-window.js';

/** Frames above this are not read at all: ws closes the socket with 1009. */
export const HARD_FRAME_LIMIT_BYTES = 16 * MAX_MESSAGE_BYTES;
const HEARTBEAT_MS = 15_000;

export interface SignallingEndpoint {
  /** Open signalling connections. */
  connections(): number;
  close(): Promise<void>;
}

export interface ConnectionLimits {
  /** Further origins allowed to connect; pages of this server's own origin (scheme, host and port) always may. */
  allowedOrigins: string[];
  /** PARLEY_PUBLIC_URL: its origin counts as this server's own. */
  publicUrl?: string | undefined;
  maxConnectionsPerIp: number;
  maxMessagesPerSecond: number;
  /** The client address comes from the proxy's X-Forwarded-For. */
  trustProxy: boolean;
  /** True while shutting down: new connections are refused. */
  draining: () => boolean;
}

const refuse = (socket: Duplex, status: string) => socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);

/** Counts per address, forgetting addresses that drop to zero. */
class AddressCounts {
  private readonly counts = new Map<string, number>();
  get(address: string): number {
    return this.counts.get(address) ?? 0;
  }
  add(address: string): void {
    this.counts.set(address, this.get(address) + 1);
  }
  remove(address: string): void {
    const left = this.get(address) - 1;
    if (left > 0) this.counts.set(address, left);
    else this.counts.delete(address);
  }
}

const PENDING = Symbol('parley.pendingAddress');
type CountedSocket = Socket & { [PENDING]?: string };

export function attachSignalling(server: Server, deps: SessionDeps, limits: ConnectionLimits): SignallingEndpoint {
  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_FRAME_LIMIT_BYTES });
  const perIp = new AddressCounts();
  // Connections that have not yet sent a complete request (an upgrade or
  // plain HTTP), by socket address, from the moment they connect: without
  // this, sockets that dribble an unfinished upgrade request were neither
  // counted nor limited. The HTTP server's timeouts (http/app.ts) close
  // them; this bounds how many one address holds meanwhile. Behind a
  // trusted proxy every socket comes from the proxy, which buffers requests
  // itself, so only the timeouts apply.
  const pending = new AddressCounts();
  const settle = (socket: CountedSocket) => {
    const address = socket[PENDING];
    if (address === undefined) return;
    delete socket[PENDING];
    pending.remove(address);
  };
  if (!limits.trustProxy) {
    server.on('connection', (socket: CountedSocket) => {
      const address = socket.remoteAddress ?? 'unknown';
      if (pending.get(address) >= limits.maxConnectionsPerIp) {
        socket.destroy();
        return;
      }
      pending.add(address);
      socket[PENDING] = address;
      socket.once('close', () => settle(socket));
    });
    server.on('request', (request: IncomingMessage) => settle(request.socket as CountedSocket));
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    settle(socket as CountedSocket);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const roomId = url.searchParams.get('room') ?? '';
    if (url.pathname !== '/ws' || !isRoomId(roomId)) return refuse(socket, '400 Bad Request');
    if (limits.draining()) return refuse(socket, '503 Service Unavailable');
    if (!originAllowed(request, limits)) return refuse(socket, '403 Forbidden');
    const ip = clientAddress(request, limits.trustProxy);
    // Sessions held for resume keep their media ports: they count as connections of their address.
    if (perIp.get(ip) + deps.suspended.heldBy(ip) >= limits.maxConnectionsPerIp) return refuse(socket, '429 Too Many Requests');
    perIp.add(ip);
    socket.once('close', () => perIp.remove(ip));
    wss.handleUpgrade(request, socket, head, (ws) => serve(ws, roomId, ip, deps.logger.child({ roomId }), deps, limits));
  });

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if ((ws as AliveSocket).alive === false) {
        ws.terminate();
        continue;
      }
      (ws as AliveSocket).alive = false;
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    connections: () => wss.clients.size,
    async close() {
      clearInterval(heartbeat);
      await deps.suspended.closeAll();
      for (const ws of wss.clients) ws.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

type AliveSocket = WebSocket & { alive?: boolean };

function serve(ws: AliveSocket, roomId: string, ip: string, logger: FastifyBaseLogger, deps: SessionDeps, limits: ConnectionLimits): void {
  const messagesPerSecond = limits.maxMessagesPerSecond;
  const send = (message: object) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const sendError = (id: number | null, error: ErrorBody) => {
    deps.metrics.signallingErrors.inc({ code: error.code });
    send({ type: 'response', id, ok: false, error });
  };
  const connection: Connection = {
    notify: (method, data) => send({ type: 'notification', method, data }),
    disconnect: () => ws.close(1000, 'session ended'),
  };
  // A resume swaps in the session an earlier connection left behind.
  let session: HandlerSession = new Session(roomId, ip, { ...deps, logger }, connection);
  let pending = 0;
  const rate = new TokenBucket(2 * messagesPerSecond, 1000 / messagesPerSecond);
  // Messages over the rate are counted over a time window, not in a row: a
  // flood that lets a token refill now and then is still a flood.
  const flood = new SlidingWindowCounter(FLOOD_CLOSE_AFTER, FLOOD_WINDOW_MS);
  let overRateAnswered = false;

  ws.alive = true;
  ws.on('pong', () => (ws.alive = true));
  ws.on('message', (raw: RawData, isBinary: boolean) => {
    // Closing (a flood, the session ended): what is still queued is dropped.
    if (ws.readyState !== ws.OPEN) return;
    if (!rate.take()) {
      // Answer the first message over the rate (of each run); drop the rest; close on a flood.
      if (!overRateAnswered) sendError(null, { code: 'too_many_requests', message: `at most ${messagesPerSecond} messages per second` });
      overRateAnswered = true;
      if (flood.hit()) ws.close(1008, 'message flood');
      return;
    }
    overRateAnswered = false;
    if (isBinary) return sendError(null, { code: 'bad_message', message: 'binary frames are not accepted' });
    // ws delivers a Buffer (its default binaryType, which this server keeps).
    const parsed = parseRequest(raw as Buffer);
    if (!parsed.ok) return sendError(parsed.id, parsed.error);
    const { request } = parsed;
    if (pending >= MAX_PENDING_REQUESTS) {
      return sendError(request.id, { code: 'too_many_requests', message: `at most ${MAX_PENDING_REQUESTS} requests may be in flight` });
    }
    pending++;
    session
      .handle(request)
      .then(
        (outcome) => {
          if (outcome.adopt) {
            // This connection may have gone while the resume was checked: the
            // session goes back on hold rather than onto a dead socket.
            if (ws.readyState !== ws.OPEN) return deps.suspended.hold(outcome.adopt, ip);
            if (!outcome.adopt.peer.resume(connection)) {
              void outcome.adopt.close();
              return sendError(request.id, { code: 'not_found', message: 'that session has ended; join again' });
            }
            session = outcome.adopt;
          }
          send({ type: 'response', id: request.id, ok: true, data: outcome.data });
          outcome.afterResponse?.().catch((error: unknown) => logger.error({ err: error }, `after ${request.method} failed`));
        },
        (error: unknown) => sendError(request.id, errorResponseBody(error, logger)),
      )
      .finally(() => pending--);
  });
  ws.on('error', (error) => logger.warn({ err: error }, 'signalling socket error'));
  ws.on('close', (code: number) => {
    // A connection that vanished (1006: no closing handshake, as when a network
    // drops) leaves a peer in the meeting its media for a grace period, to be
    // resumed. A deliberate close (tab closed, limits broken) ends the session.
    const dropped = code === 1006 && !session.ended && session.peer.state === 'joined' && !limits.draining();
    if (dropped) return deps.suspended.hold(session, ip);
    session.close().catch((error: unknown) => logger.error({ err: error }, 'session cleanup failed'));
  });
}
