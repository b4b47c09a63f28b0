/**
 * The baseline for the forwarding benchmark: bare mediasoup (one worker, one
 * router, WebRTC transports) behind the smallest server that speaks the part
 * of Parley's protocol the bots use: no validation, no rooms, no lobby.
 * With BARE_AUDIO_LEVEL=1 it also runs an AudioLevelObserver on every audio
 * producer, configured as Parley's speaker detection is, so the benchmark can
 * show that feature's cost apart from the rest of Parley.
 * Run as its own process: BARE_PORT=... [BARE_AUDIO_LEVEL=1] node --import tsx scripts/bench/bare-sfu.ts
 */
import { createServer } from 'node:http';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { WebSocketServer, type WebSocket } from 'ws';
import { AUDIO_LEVEL_OPTIONS } from '../../server/src/media/speaker-detector.js';
import { mediaCodecs } from '../../server/src/rtc/media-codecs.js';

interface Client {
  ws: WebSocket;
  caps?: types.RtpCapabilities;
  transports: Map<string, types.WebRtcTransport>;
  recv?: types.WebRtcTransport;
  consumers: Map<string, types.Consumer>;
}

const worker = await mediasoup.createWorker({ logLevel: 'error' });
const router = await worker.createRouter({ mediaCodecs });
const audioLevels = process.env['BARE_AUDIO_LEVEL'] === '1' ? await router.createAudioLevelObserver(AUDIO_LEVEL_OPTIONS) : undefined;
const clients = new Set<Client>();
const producers: types.Producer[] = [];

async function consume(client: Client, producer: types.Producer): Promise<void> {
  if (!client.recv || !client.caps) return;
  const consumer = await client.recv.consume({ producerId: producer.id, rtpCapabilities: client.caps, paused: true });
  client.consumers.set(consumer.id, consumer);
  const data = { consumerId: consumer.id, producerId: producer.id, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
  client.ws.send(JSON.stringify({ type: 'notification', method: 'newConsumer', data }));
}

const http = createServer((_request, response) => {
  // The bots create a room first; any id will do here.
  response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'AAAAAAAAAAAAAAAAAAAAAA' }));
});
new WebSocketServer({ server: http }).on('connection', (ws) => {
  const client: Client = { ws, transports: new Map(), consumers: new Map() };
  clients.add(client);
  ws.on('close', () => {
    clients.delete(client);
    for (const transport of client.transports.values()) transport.close();
  });
  ws.on('message', async (raw) => {
    const { id, method, data } = JSON.parse(raw.toString());
    const answer = (result: object) => ws.send(JSON.stringify({ type: 'response', id, ok: true, data: result }));
    // A client that leaves mid-request closes its transports under it: that request fails, the server goes on.
    await handle(method, data, answer).catch((error: Error) => ws.send(JSON.stringify({ type: 'response', id, ok: false, error: { code: 'failed', message: error.message } })));
  });

  async function handle(method: string, data: any, answer: (result: object) => void): Promise<void> {
    switch (method) {
      case 'getRouterRtpCapabilities':
        return answer({ rtpCapabilities: router.rtpCapabilities });
      case 'join':
        client.caps = data.rtpCapabilities;
        return answer({ peerId: 'bare', status: 'joined', credential: 'bare' });
      case 'createWebRtcTransport': {
        const transport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
        client.transports.set(transport.id, transport);
        answer({ id: transport.id, iceParameters: transport.iceParameters, iceCandidates: transport.iceCandidates, dtlsParameters: transport.dtlsParameters });
        if (data.direction === 'recv') {
          client.recv = transport;
          for (const producer of producers) await consume(client, producer);
        }
        return;
      }
      case 'connectWebRtcTransport':
        await client.transports.get(data.transportId)!.connect({ dtlsParameters: data.dtlsParameters });
        return answer({});
      case 'produce': {
        const producer = await client.transports.get(data.transportId)!.produce({ kind: data.kind, rtpParameters: data.rtpParameters });
        producers.push(producer);
        if (producer.kind === 'audio') await audioLevels?.addProducer({ producerId: producer.id });
        answer({ producerId: producer.id });
        for (const other of clients) if (other !== client) await consume(other, producer).catch(() => {}); // it left meanwhile
        return;
      }
      case 'resumeConsumer':
        await client.consumers.get(data.consumerId)?.resume();
        return answer({});
      default:
        return answer({});
    }
  }
});
// A clean exit, so a CPU profile (node --cpu-prof) gets written.
process.once('SIGTERM', () => process.exit(0));
http.listen(Number(process.env['BARE_PORT'] ?? 0), '127.0.0.1', () => {
  const address = http.address();
  console.log(`bare SFU listening on ${typeof address === 'object' && address ? address.port : ''}`);
});
