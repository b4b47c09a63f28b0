/**
 * The signalling WebSocket at /ws?room=ROOM_ID. Every frame is parsed and
 * validated before it reaches a handler; failures are answered with a typed
 * error and never end the connection, the room or the process.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { FastifyBaseLogger } from 'fastify';
import { MAX_MESSAGE_BYTES, MAX_PENDING_REQUESTS } from '../protocol/limits.js';
import type { ErrorBody } from '../protocol/messages.js';
import { isRoomId } from '../rooms/room-id.js';
import { errorResponseBody } from './error-response.js';
import { parseRequest } from './request-parser.js';
import { Session, type SessionDeps } from './session.js';

/** Frames above this are not read at all: ws closes the socket with 1009. */
export const HARD_FRAME_LIMIT_BYTES = 16 * MAX_MESSAGE_BYTES;
const HEARTBEAT_MS = 15_000;

export interface SignallingEndpoint {
  readonly sessions: ReadonlySet<Session>;
  close(): Promise<void>;
}

export function attachSignalling(server: Server, deps: SessionDeps): SignallingEndpoint {
  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_FRAME_LIMIT_BYTES });
  const sessions = new Set<Session>();

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const roomId = url.searchParams.get('room') ?? '';
    if (url.pathname !== '/ws' || !isRoomId(roomId)) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const session = serve(ws, roomId, deps.logger.child({ roomId }), deps);
      sessions.add(session);
      ws.once('close', () => sessions.delete(session));
    });
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
    sessions,
    async close() {
      clearInterval(heartbeat);
      for (const ws of wss.clients) ws.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

type AliveSocket = WebSocket & { alive?: boolean };

function serve(ws: AliveSocket, roomId: string, logger: FastifyBaseLogger, deps: SessionDeps): Session {
  const send = (message: object) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const sendError = (id: number | null, error: ErrorBody) => send({ type: 'response', id, ok: false, error });
  const session = new Session(
    roomId,
    { ...deps, logger },
    (method, data) => send({ type: 'notification', method, data }),
    () => ws.close(1000, 'session ended'),
  );
  let pending = 0;

  ws.alive = true;
  ws.on('pong', () => (ws.alive = true));
  ws.on('message', (raw: RawData, isBinary: boolean) => {
    if (isBinary) return sendError(null, { code: 'bad_message', message: 'binary frames are not accepted' });
    const parsed = parseRequest(raw.toString());
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
          send({ type: 'response', id: request.id, ok: true, data: outcome.data });
          outcome.afterResponse?.().catch((error: unknown) => logger.error({ err: error }, `after ${request.method} failed`));
        },
        (error: unknown) => sendError(request.id, errorResponseBody(error, logger)),
      )
      .finally(() => pending--);
  });
  ws.on('error', (error) => logger.warn({ err: error }, 'signalling socket error'));
  ws.on('close', () => {
    session.close().catch((error: unknown) => logger.error({ err: error }, 'session cleanup failed'));
  });
  return session;
}
