/**
 * Sends random and mutated signalling messages over several connections:
 * wrong types, huge numbers, deep nesting, unknown ids, and valid messages
 * in the wrong state. Seeded, so a failing run can be replayed.
 */
import { once } from 'node:events';
import WebSocket from 'ws';
import { MAX_MESSAGE_BYTES } from '../../src/protocol/limits.js';
import { Requests } from '../../src/protocol/messages.js';

export interface FuzzOptions {
  baseUrl: string;
  roomId: string;
  /** Router RTP capabilities, so some connections can really join. */
  rtpCapabilities: unknown;
  messages: number;
  connections: number;
  seed: number;
}

export interface FuzzReport {
  sent: number;
  answered: number;
  errorsByCode: Record<string, number>;
  closeCodes: Record<string, number>;
  reconnects: number;
  durationMs: number;
}

/** mulberry32: small, fast, seedable. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const METHODS = Object.keys(Requests);

export class MessageGenerator {
  private readonly next: () => number;
  private id = 1;

  constructor(seed: number) {
    this.next = random(seed);
  }

  private int(max: number): number {
    return Math.floor(this.next() * max);
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  private uuid(): string {
    return `${this.int(0xffffffff).toString(16).padStart(8, '0')}-0000-4000-8000-${this.int(0xffffffff).toString(16).padStart(12, '0')}`;
  }

  /** Any JSON value, sometimes nasty. */
  value(depth = 0): unknown {
    switch (this.int(depth > 3 ? 6 : 9)) {
      case 0:
        return this.pick([0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.5, -0, 4294967296, 128, 65536]);
      case 1:
        return 'x'.repeat(this.pick([0, 1, 64, 65, 1000, 1001, 5000]));
      case 2:
        return this.pick([null, true, false, '__proto__', 'constructor', '<img src=x onerror=alert(1)>', '\u0000', '\ud800']);
      case 3:
        return this.uuid();
      case 4:
        return this.pick(['mic', 'camera', 'screen', 'send', 'recv', 'audio', 'video', 'host', 'sha-256']);
      case 5:
        return this.int(1000);
      case 6:
        return Array.from({ length: this.int(4) }, () => this.value(depth + 1));
      default: {
        const object: Record<string, unknown> = {};
        for (let i = this.int(5); i > 0; i--) object[this.pick(['kind', 'id', 'data', 'codecs', 'rtpParameters', 'peerId', 'transportId', 'text', 'direction', 'x'])] = this.value(depth + 1);
        return object;
      }
    }
  }

  /** A well-formed request for `method` with plausible data, then mutated now and then. */
  request(method: string): Record<string, unknown> {
    const data: Record<string, unknown> = {
      join: { displayName: 'Fuzz', rtpCapabilities: {} },
      createWebRtcTransport: { direction: this.pick(['send', 'recv']) },
      connectWebRtcTransport: { transportId: this.uuid(), dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] } },
      produce: {
        transportId: this.uuid(),
        kind: 'video',
        source: 'camera',
        rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc: this.int(1e9) }] },
      },
      sendChat: { text: 'hello' },
      setHandRaised: { raised: true },
      restartIce: { transportId: this.uuid() },
      setConsumerPreferredLayers: { consumerId: this.uuid(), spatialLayer: this.int(4) },
      setRoomLocked: { locked: true },
      setLobbyEnabled: { enabled: false },
    }[method] ?? { peerId: this.uuid(), producerId: this.uuid(), consumerId: this.uuid() };
    const message: Record<string, unknown> = { type: 'request', id: this.id++, method, data };
    if (this.int(3) === 0) {
      const target = this.int(2) === 0 ? message : (data as Record<string, unknown>);
      const keys = Object.keys(target);
      const key = keys.length ? this.pick(keys) : 'x';
      if (this.int(2) === 0) delete target[key];
      else target[key] = this.value();
    }
    return message;
  }

  /** One frame to send. */
  frame(): string | Buffer {
    switch (this.int(10)) {
      case 0:
        return Buffer.from(Array.from({ length: this.int(64) }, () => this.int(256)));
      case 1:
        return JSON.stringify(this.value());
      case 2: {
        const depth = 1 + this.int(20_000);
        return `{"type":"request","id":${this.id++},"method":"join","data":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      }
      case 3:
        return '{"type":"request","id":' + '9'.repeat(this.int(400)) + ',"method":"leave","data":{}}';
      case 4:
        return JSON.stringify({ type: 'request', id: this.id++, method: 'sendChat', data: { text: 'y'.repeat(MAX_MESSAGE_BYTES) } });
      case 5:
        return JSON.stringify({ type: 'request', id: this.id++, method: this.uuid(), data: this.value() });
      default:
        return JSON.stringify(this.request(this.pick(METHODS.filter((method) => method !== 'leave' && method !== 'endMeeting'))));
    }
  }
}

/** Resolves when a ping is answered (or the socket closes), removing its listeners either way. */
function caughtUp(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      ws.off('pong', done);
      ws.off('close', done);
      resolve();
    };
    ws.on('pong', done);
    ws.on('close', done);
    ws.ping();
  });
}

/** Sends `messages` frames spread over `connections` sockets; reopens any the server closes. */
export async function fuzzSignalling(options: FuzzOptions): Promise<FuzzReport> {
  const generator = new MessageGenerator(options.seed);
  const report: FuzzReport = { sent: 0, answered: 0, errorsByCode: {}, closeCodes: {}, reconnects: 0, durationMs: 0 };
  const started = Date.now();
  const wsUrl = `${options.baseUrl.replace(/^http/, 'ws')}/ws?room=${options.roomId}`;

  const open = async (index: number): Promise<WebSocket> => {
    const ws = new WebSocket(wsUrl);
    ws.on('message', (raw) => {
      report.answered++;
      const message = JSON.parse(raw.toString()) as { ok?: boolean; error?: { code: string } };
      if (message.ok === false && message.error) report.errorsByCode[message.error.code] = (report.errorsByCode[message.error.code] ?? 0) + 1;
    });
    ws.on('close', (code) => (report.closeCodes[code] = (report.closeCodes[code] ?? 0) + 1));
    ws.on('error', () => {});
    await once(ws, 'open');
    // Half the connections really join, so their garbage meets the `joined` state.
    if (index % 2 === 0) {
      ws.send(JSON.stringify({ type: 'request', id: 0, method: 'getRouterRtpCapabilities', data: {} }));
      ws.send(JSON.stringify({ type: 'request', id: 0, method: 'join', data: { displayName: `fuzz-${index}`, rtpCapabilities: options.rtpCapabilities } }));
    }
    return ws;
  };

  const perConnection = Math.ceil(options.messages / options.connections);
  await Promise.all(
    Array.from({ length: options.connections }, async (_, index) => {
      let ws = await open(index);
      for (let sent = 0; sent < perConnection && report.sent < options.messages; sent++) {
        if (ws.readyState !== WebSocket.OPEN) {
          report.reconnects++;
          ws = await open(index);
        }
        ws.send(generator.frame());
        report.sent++;
        // Every 100 frames, wait for the server to catch up (a pong follows everything sent before it).
        if (sent % 100 === 99 && ws.readyState === WebSocket.OPEN) await caughtUp(ws);
      }
      if (ws.readyState === WebSocket.OPEN) {
        const closed = once(ws, 'close');
        ws.close();
        await closed;
      }
    }),
  );
  report.durationMs = Date.now() - started;
  return report;
}
