/**
 * Sends random and mutated signalling messages over several connections:
 * wrong types, huge numbers, deep nesting, unknown ids, valid messages in
 * the wrong state, and SDP- or screen-dangerous strings (CR, LF, NUL, other
 * controls, bidi overrides, injected `a=` lines) in every string field that
 * reaches another peer. Then concurrent interleavings of the state-changing
 * methods on one socket, sent in one burst without waiting. Seeded, so a
 * failing run can be replayed. Every wait is bounded.
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
  /** Rounds of concurrent state-changing bursts after the random messages (default 20). */
  interleavingRounds?: number;
}

export interface FuzzReport {
  sent: number;
  answered: number;
  errorsByCode: Record<string, number>;
  closeCodes: Record<string, number>;
  reconnects: number;
  /** Requests carrying an SDP- or screen-dangerous string, and how many of those were accepted (must be 0), with a few examples. */
  dangerousSent: number;
  dangerousAccepted: number;
  dangerousAcceptedExamples: string[];
  /** Concurrent bursts of state-changing requests, and the requests in them never answered (stalled) in time. */
  interleavings: number;
  interleavedRequests: number;
  stalledRequests: number;
  durationMs: number;
}

/** How long anything the fuzzer waits for may take before it counts as stalled. */
const WAIT_MS = 10_000;

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

/** Characters that break SDP lines or the text shown to people. */
const DANGEROUS_CHARACTERS = ['\r', '\n', '\r\n', '\u0000', '\u0001', '\u0008', '\u000b', '\u000c', '\u001b', '\u007f', '\u0085', '\u009b', '\u2028', '\u2029', '\u202a', '\u202e', '\u2066', '\u2069', '\ud800'];
/** Whole SDP lines an attacker would like in someone else's session. */
const INJECTIONS = [
  '\r\na=candidate:1 1 udp 2122260223 192.0.2.66 54400 typ host',
  '\r\na=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF',
  '\na=ice-ufrag:evil\na=ice-pwd:evilevilevilevilevilevil',
  '\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n',
  '\u0000a=setup:active',
];

/** The string fields of each method that reach another peer's SDP or screen, with a valid value each. */
const DANGEROUS_FIELDS: Record<string, [path: (string | number)[], valid: string][]> = {
  produce: [
    [['rtpParameters', 'codecs', 0, 'mimeType'], 'audio/opus'],
    [['rtpParameters', 'codecs', 0, 'parameters', 'useinbandfec'], '1'],
    [['rtpParameters', 'codecs', 0, 'rtcpFeedback', 0, 'type'], 'transport-cc'],
    [['rtpParameters', 'codecs', 0, 'rtcpFeedback', 0, 'parameter'], 'pli'],
    [['rtpParameters', 'headerExtensions', 0, 'uri'], 'urn:ietf:params:rtp-hdrext:sdes:mid'],
    [['rtpParameters', 'encodings', 0, 'rid'], 'r0'],
    [['rtpParameters', 'encodings', 0, 'scalabilityMode'], 'L1T3'],
    [['rtpParameters', 'mid'], '0'],
    [['rtpParameters', 'rtcp', 'cname'], 'Hk3+0Jb/8yQ2nX4m'],
    [['rtpParameters', 'msid'], 'stream-1 track-1'],
  ],
  join: [
    [['displayName'], 'Fuzz'],
    [['rtpCapabilities', 'codecs', 0, 'mimeType'], 'audio/opus'],
    [['rtpCapabilities', 'codecs', 0, 'parameters', 'minptime'], '10'],
    [['rtpCapabilities', 'headerExtensions', 0, 'uri'], 'urn:ietf:params:rtp-hdrext:ssrc-audio-level'],
  ],
  sendChat: [[['text'], 'hello']],
  connectWebRtcTransport: [[['dtlsParameters', 'fingerprints', 0, 'value'], 'AB:CD']],
};

/** A produce that mediasoup accepts (Opus, as every router offers it). */
export const validOpusProduce = (transportId: string, ssrc: number) => ({
  transportId,
  kind: 'audio',
  source: 'mic',
  rtpParameters: {
    mid: '0',
    codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { minptime: 10, useinbandfec: '1' }, rtcpFeedback: [{ type: 'transport-cc', parameter: 'pli' }] }],
    headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4, parameters: {} }],
    encodings: [{ ssrc, rid: 'r0', scalabilityMode: 'L1T3' }],
    rtcp: { cname: 'Hk3+0Jb/8yQ2nX4m', reducedSize: true },
    msid: 'stream-1 track-1',
  },
});

function setPath(target: unknown, path: (string | number)[], value: unknown): void {
  let node = target as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
}

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

  /** A valid value with a dangerous character or a whole injected SDP line put in anywhere (chat text may hold newlines and tabs). */
  dangerous(valid: string, textWithLines = false): string {
    const harmless = (text: string) => textWithLines && /^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ud800-\udfff]*$/.test(text);
    const bad = this.int(3) === 0 ? this.pick(INJECTIONS.filter((line) => !harmless(line))) : this.pick(DANGEROUS_CHARACTERS.filter((c) => !harmless(c)));
    const at = this.int(valid.length + 1);
    return valid.slice(0, at) + bad + valid.slice(at);
  }

  /** Whether the last request() carried a dangerous string (so accepting it would be a finding), and where. */
  lastWasDangerous = false;
  lastDangerousField = '';

  /** A well-formed request for `method` with plausible data, then mutated now and then. */
  request(method: string): Record<string, unknown> {
    this.lastWasDangerous = false;
    const data: Record<string, unknown> = {
      join: {
        displayName: 'Fuzz',
        rtpCapabilities: {
          codecs: [{ kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2, parameters: { minptime: '10' } }],
          headerExtensions: [{ kind: 'audio', uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', preferredId: 1 }],
        },
      },
      createWebRtcTransport: { direction: this.pick(['send', 'recv']) },
      connectWebRtcTransport: { transportId: this.uuid(), dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] } },
      produce: validOpusProduce(this.uuid(), this.int(1e9)),
      sendChat: { text: 'hello' },
      setHandRaised: { raised: true },
      restartIce: { transportId: this.uuid() },
      setConsumerPreferredLayers: { consumerId: this.uuid(), spatialLayer: this.int(4) },
      setRoomLocked: { locked: true },
      setLobbyEnabled: { enabled: false },
    }[method] ?? { peerId: this.uuid(), producerId: this.uuid(), consumerId: this.uuid() };
    const message: Record<string, unknown> = { type: 'request', id: this.id++, method, data };
    const fields = DANGEROUS_FIELDS[method];
    if (fields && this.int(2) === 0) {
      // An SDP- or screen-dangerous string in one of the fields that reach other peers.
      const [path, valid] = this.pick(fields);
      if (path.at(-2) === 'parameters' && this.int(2) === 0) {
        // ... or in a parameter name.
        const parameters = {} as Record<string, unknown>;
        parameters[this.dangerous(String(path.at(-1)))] = 1;
        setPath(data, path.slice(0, -1), parameters);
        this.lastDangerousField = `${method} ${path.slice(0, -1).join('/')}/<name> ${JSON.stringify(Object.keys(parameters)[0])}`;
      } else {
        const value = this.dangerous(valid, method === 'sendChat');
        setPath(data, path, value);
        this.lastDangerousField = `${method} ${path.join('/')} ${JSON.stringify(value)}`;
      }
      this.lastWasDangerous = true;
      return message;
    }
    if (this.int(3) === 0) {
      const target = this.int(2) === 0 ? message : (data as Record<string, unknown>);
      const keys = Object.keys(target);
      const key = keys.length ? this.pick(keys) : 'x';
      if (this.int(2) === 0) delete target[key];
      else target[key] = this.value();
    }
    return message;
  }

  /** The id of the last request() (for matching its answer). */
  get lastId(): number {
    return this.id - 1;
  }

  /** One frame to send. */
  frame(): string | Buffer {
    this.lastWasDangerous = false;
    switch (this.int(12)) {
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
      case 10:
      case 11: {
        // A request to one of the methods whose strings reach other peers, with a dangerous string in it (mostly).
        let message = this.request(this.pick(Object.keys(DANGEROUS_FIELDS)));
        for (let tries = 0; !this.lastWasDangerous && tries < 4; tries++) message = this.request(this.pick(Object.keys(DANGEROUS_FIELDS)));
        return JSON.stringify(message);
      }
      default:
        return JSON.stringify(this.request(this.pick(METHODS.filter((method) => method !== 'leave' && method !== 'endMeeting'))));
    }
  }
}

/** Resolves when a ping is answered (or the socket closes, or WAIT_MS pass: false), removing its listeners either way. */
function caughtUp(ws: WebSocket): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (answered: boolean) => () => {
      clearTimeout(timer);
      ws.off('pong', onPong);
      ws.off('close', onClose);
      resolve(answered);
    };
    const onPong = done(true);
    const onClose = done(true);
    const timer = setTimeout(done(false), WAIT_MS);
    ws.on('pong', onPong);
    ws.on('close', onClose);
    ws.ping();
  });
}

/** A WebSocket that is open, or an error after WAIT_MS. */
async function openSocket(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  ws.on('error', () => {});
  try {
    await once(ws, 'open', { signal: AbortSignal.timeout(WAIT_MS) });
  } catch (error) {
    ws.terminate();
    throw error;
  }
  return ws;
}

/** Sends requests and collects their answers by id, each wait bounded. */
class Prober {
  private nextId = 1_000_000;
  private readonly answers = new Map<number, { ok: boolean; data?: any; error?: { code: string } }>();
  private readonly waiters = new Map<number, () => void>();

  constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as { type: string; id?: number; ok: boolean; data?: unknown; error?: { code: string } };
      if (message.type !== 'response' || typeof message.id !== 'number') return;
      this.answers.set(message.id, message);
      this.waiters.get(message.id)?.();
    });
  }

  /** Sends them all at once, without waiting in between; resolves with each answer or `undefined` if none came within WAIT_MS. */
  async burst(requests: [method: string, data: unknown][]): Promise<({ ok: boolean; data?: any; error?: { code: string } } | undefined)[]> {
    const ids = requests.map(([method, data]) => {
      const id = this.nextId++;
      this.ws.send(JSON.stringify({ type: 'request', id, method, data }));
      return id;
    });
    return Promise.all(ids.map((id) => this.answer(id)));
  }

  private answer(id: number): Promise<{ ok: boolean; data?: any; error?: { code: string } } | undefined> {
    const known = this.answers.get(id);
    if (known || this.ws.readyState !== WebSocket.OPEN) return Promise.resolve(known);
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(id);
        this.ws.off('close', finish);
        resolve(this.answers.get(id));
      };
      const timer = setTimeout(finish, WAIT_MS);
      this.waiters.set(id, finish);
      this.ws.on('close', finish);
    });
  }
}

/**
 * Concurrent interleavings of the state-changing methods on one socket,
 * each burst sent without waiting: join/join, join/resume, transports x2,
 * produce/produce, produce/closeProducer, leave/join. Every request must be
 * answered (exactly once, in time) and the server must stay sane.
 */
export async function fuzzInterleavings(options: { baseUrl: string; roomId: string; rtpCapabilities: unknown; rounds: number }, report: FuzzReport): Promise<void> {
  const wsUrl = `${options.baseUrl.replace(/^http/, 'ws')}/ws?room=${options.roomId}`;
  const join = (name: string) => ['join', { displayName: name, rtpCapabilities: options.rtpCapabilities }] as [string, unknown];
  const tally = (answers: unknown[]) => {
    report.interleavings++;
    report.interleavedRequests += answers.length;
    report.stalledRequests += answers.filter((answer) => answer === undefined).length;
  };
  for (let round = 0; round < options.rounds; round++) {
    const prober = new Prober(await openSocket(wsUrl));
    try {
      const joins = await prober.burst([join(`race-${round}-a`), join(`race-${round}-b`)]);
      tally(joins);
      const credential = joins.find((answer) => answer?.ok)?.data?.credential as string | undefined;
      const peerId = joins.find((answer) => answer?.ok)?.data?.peerId as string | undefined;
      const transports = await prober.burst([
        ['createWebRtcTransport', { direction: 'send' }],
        ['createWebRtcTransport', { direction: 'send' }],
        ['createWebRtcTransport', { direction: 'recv' }],
        ['createWebRtcTransport', { direction: 'recv' }],
      ]);
      tally(transports);
      const sendId = transports.slice(0, 2).find((answer) => answer?.ok)?.data?.id as string | undefined;
      if (sendId) {
        const produced = await prober.burst([['produce', validOpusProduce(sendId, 1000 + round)], ['produce', validOpusProduce(sendId, 2000 + round)]]);
        tally(produced);
        const producerId = produced.find((answer) => answer?.ok)?.data?.producerId as string | undefined;
        tally(
          await prober.burst([
            ['closeProducer', { producerId: producerId ?? 'none' }],
            ['produce', validOpusProduce(sendId, 3000 + round)],
            ['pauseProducer', { producerId: producerId ?? 'none' }],
            ['closeProducer', { producerId: producerId ?? 'none' }],
          ]),
        );
      }
      tally(await prober.burst([['leave', {}], join(`race-${round}-again`), ['createWebRtcTransport', { direction: 'send' }]]));
      // join/resume on a fresh socket, racing for the session left behind.
      if (credential && peerId) {
        const other = new Prober(await openSocket(wsUrl));
        tally(await other.burst([join(`race-${round}-c`), ['resume', { peerId, credential }], ['leave', {}]]));
        other.ws.close();
      }
    } finally {
      prober.ws.close();
    }
  }
}

/** Sends `messages` frames spread over `connections` sockets; reopens any the server closes. */
export async function fuzzSignalling(options: FuzzOptions): Promise<FuzzReport> {
  const generator = new MessageGenerator(options.seed);
  const report: FuzzReport = {
    sent: 0,
    answered: 0,
    errorsByCode: {},
    closeCodes: {},
    reconnects: 0,
    dangerousSent: 0,
    dangerousAccepted: 0,
    dangerousAcceptedExamples: [],
    interleavings: 0,
    interleavedRequests: 0,
    stalledRequests: 0,
    durationMs: 0,
  };
  /** Dangerous requests awaiting their answer: id -> what was dangerous in it. */
  const dangerousIds = new Map<number, string>();
  const started = Date.now();
  const wsUrl = `${options.baseUrl.replace(/^http/, 'ws')}/ws?room=${options.roomId}`;

  const open = async (index: number): Promise<WebSocket> => {
    const ws = await openSocket(wsUrl);
    ws.on('message', (raw) => {
      report.answered++;
      const message = JSON.parse(raw.toString()) as { id?: number; ok?: boolean; error?: { code: string } };
      if (message.ok === false && message.error) report.errorsByCode[message.error.code] = (report.errorsByCode[message.error.code] ?? 0) + 1;
      if (typeof message.id === 'number' && dangerousIds.has(message.id)) {
        if (message.ok === true) {
          report.dangerousAccepted++;
          if (report.dangerousAcceptedExamples.length < 5) report.dangerousAcceptedExamples.push(dangerousIds.get(message.id)!);
        }
        dangerousIds.delete(message.id);
      }
    });
    ws.on('close', (code) => (report.closeCodes[code] = (report.closeCodes[code] ?? 0) + 1));
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
        const frame = generator.frame();
        if (generator.lastWasDangerous) {
          report.dangerousSent++;
          dangerousIds.set(generator.lastId, generator.lastDangerousField);
        }
        ws.send(frame);
        report.sent++;
        // Every 100 frames, wait for the server to catch up (a pong follows everything sent before it).
        if (sent % 100 === 99 && ws.readyState === WebSocket.OPEN && !(await caughtUp(ws))) report.stalledRequests++;
      }
      if (ws.readyState === WebSocket.OPEN) {
        const closed = once(ws, 'close', { signal: AbortSignal.timeout(WAIT_MS) }).catch(() => ws.terminate());
        ws.close();
        await closed;
      }
    }),
  );
  await fuzzInterleavings({ ...options, rounds: options.interleavingRounds ?? 20 }, report);
  report.durationMs = Date.now() - started;
  return report;
}
