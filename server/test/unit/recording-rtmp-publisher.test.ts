/**
 * The live stream's connection to its RTMP(S) server
 * (recording/rtmp-publisher.ts), against servers that misbehave: an RTMPS
 * server whose certificate nobody vouches for is sent nothing over TLS (so
 * never sees the stream key), a refused connection is logged
 * without the key, and a server that accepts and then says nothing is left
 * and connected to again.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import tls from 'node:tls';
import pino from 'pino';
import { RtmpPublisher } from '../../src/recording/rtmp-publisher.js';
import { freePort } from '../../testkit/ports.js';
import { runTool } from '../../testkit/processes.js';
import { nextEvent } from '../../testkit/wait.js';
import { QUICK } from '../helpers/timeouts.js';

const KEY = 'SECRET-STREAM-KEY-0123';
let dir: string;
/** 10 s of tiny H.264 and AAC in MPEG-TS, as the composer hands it over. */
let media: Buffer;
const stops: (() => Promise<void>)[] = [];

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parley-rtmp-'));
  const ts = path.join(dir, 'media.ts');
  await runTool('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=s=64x64:r=10:d=10', '-f', 'lavfi', '-i', 'sine=d=10', '-c:v', 'libx264', '-g', '20', '-c:a', 'aac', '-f', 'mpegts', ts], {
    timeoutMs: 20_000,
  });
  media = await readFile(ts);
  await runTool('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], {
    timeoutMs: 10_000,
  });
}, QUICK);
after(async () => {
  for (const stop of stops.reverse()) await stop();
  await rm(dir, { recursive: true, force: true });
}, QUICK);

/** A publisher fed the media every half second, its log lines emitted as 'line' events. */
function publish(url: string): { log: EventEmitter; lines: string[] } {
  const log = new EventEmitter();
  const lines: string[] = [];
  const stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      lines.push(chunk.toString());
      log.emit('line', chunk.toString());
      done();
    },
  });
  const publisher = new RtmpPublisher(url, pino({ level: 'warn' }, stream));
  publisher.start();
  publisher.write(media);
  const feeding = setInterval(() => publisher.write(media), 500);
  stops.push(async () => {
    clearInterval(feeding);
    await publisher.stop();
  });
  return { log, lines };
}

/** Listens on a free port; at the end its connections are cut and it closes. */
function listen(server: net.Server): Promise<number> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => sockets.add(socket));
  stops.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return freePort().then((port) => new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(port))));
}

test('an RTMPS server whose certificate is not trusted is sent nothing, and the key stays out of the log', QUICK, async () => {
  let received = 0;
  const server = tls.createServer({ key: await readFile(path.join(dir, 'key.pem')), cert: await readFile(path.join(dir, 'cert.pem')) }, (socket) => {
    socket.on('data', (data: Buffer) => {
      received += data.length;
      socket.destroy();
    });
  });
  server.on('tlsClientError', () => {});
  const port = await listen(server);
  const connected = nextEvent(server, 'connection', 15_000, 'ffmpeg to connect');
  const { log } = publish(`rtmps://localhost:${port}/live/${KEY}`);
  await connected;
  const [line] = (await nextEvent(log, 'line', 15_000, 'the publisher to give up on the server')) as [string];
  assert.equal(received, 0, 'RTMP went to a server with an untrusted certificate');
  assert.ok(!line.includes(KEY), `the log holds the stream key: ${line}`);
});

test('a refused connection is logged without the stream key', QUICK, async () => {
  const port = await freePort();
  const { log } = publish(`rtmp://127.0.0.1:${port}/live/${KEY}`);
  const [line] = (await nextEvent(log, 'line', 15_000, 'the publisher to report the refusal')) as [string];
  assert.match(line, /lost its server/);
  assert.match(line, /refused/i);
  assert.ok(!line.includes(KEY), `the log holds the stream key: ${line}`);
  assert.ok(line.includes(`rtmp://127.0.0.1:${port}/…`), `the server is named: ${line}`);
});

test('a server that accepts and then says nothing is left, and connected to again', QUICK, async () => {
  let connections = 0;
  const server = net.createServer(() => connections++);
  const port = await listen(server);
  const first = nextEvent(server, 'connection', 15_000, 'the first connection');
  publish(`rtmp://127.0.0.1:${port}/live/${KEY}`);
  await first;
  await nextEvent(server, 'connection', 25_000, 'a second connection after the silent one');
  assert.equal(connections, 2);
});
