/**
 * Benchmark 4, signalling: (a) joins per second on one node: clients run the
 * whole signalling of a join (connect, capabilities, join, two transports)
 * with CONCURRENCY at a time, no media; (b) RECONNECT_BOTS receiving bots
 * (default 200) in a room with one publisher reconnect at once, and we time
 * until every one of them receives media again.
 *   scripts/bench.sh signalling
 */
import { waitUntil } from '../../server/testkit/wait.js';
import { TestSocket } from '../../server/testkit/ws-client.js';
import { Bot } from '../load/bot.js';
import { createLoadRoom } from '../load/run-load.js';
import { saveResults } from './results.js';
import { startParleyServer } from './servers.js';

const JOINS = Number(process.env['SIGNALLING_JOINS'] ?? 400);
const CONCURRENCY = Number(process.env['CONCURRENCY'] ?? 20);
const RECONNECT_BOTS = Number(process.env['RECONNECT_BOTS'] ?? 200);

async function signalOnlyJoin(baseUrl: string, roomId: string, rtpCapabilities: unknown): Promise<TestSocket> {
  const socket = await TestSocket.open(baseUrl, roomId);
  const request = async (method: string, data: object) => {
    const answer = await socket.request(method, data);
    if (!answer.ok) throw new Error(`${method}: ${answer.error?.message}`);
  };
  await request('getRouterRtpCapabilities', {});
  await request('join', { displayName: 'load', rtpCapabilities });
  await request('createWebRtcTransport', { direction: 'recv' });
  await request('createWebRtcTransport', { direction: 'send' });
  return socket;
}

const server = await startParleyServer({ PARLEY_MAX_PEERS_PER_ROOM: '1000' });
try {
  // (a) Joins per second, 50 per room.
  const joinRooms = await Promise.all(Array.from({ length: Math.ceil(JOINS / 50) }, () => createLoadRoom(server.url)));
  const capabilitiesSocket = await TestSocket.open(server.url, joinRooms[0]!);
  const { rtpCapabilities } = (await capabilitiesSocket.request('getRouterRtpCapabilities')).data;
  await capabilitiesSocket.close();
  const sockets: TestSocket[] = [];
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < JOINS) {
        const index = next++;
        sockets.push(await signalOnlyJoin(server.url, joinRooms[Math.floor(index / 50)]!, rtpCapabilities));
      }
    }),
  );
  const joinSeconds = (Date.now() - started) / 1000;
  const joinsPerSecond = JOINS / joinSeconds;
  console.log(`joins: ${JOINS} in ${joinSeconds.toFixed(1)} s = ${joinsPerSecond.toFixed(0)} joins/s (${CONCURRENCY} at a time, signalling only)`);
  await Promise.all(sockets.map((socket) => socket.close()));
  // (b) starts on a server that has let go of every peer of (a).
  const peers = async () => /^parley_peers (\d+)$/m.exec(await (await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text())?.[1];
  await waitUntil(peers, (count) => count === '0', 60_000, 'the server to count out the peers of the join test');

  // (b) Reconnection storm.
  const roomId = await createLoadRoom(server.url);
  const publisher = await Bot.join({ baseUrl: server.url, roomId, name: 'publisher', publish: true, subscribe: false });
  const joinBots = async () =>
    Promise.all(Array.from({ length: RECONNECT_BOTS }, (_, i) => Bot.join({ baseUrl: server.url, roomId, name: `bot-${i}`, publish: false, subscribe: true })));
  // Each bot's own firstMediaAt is the figure; the polling only decides when to read them.
  const waitForMedia = (bots: Bot[], timeoutMs: number) =>
    waitUntil(async () => bots.filter((bot) => bot.firstMediaAt === undefined).length, (waiting) => waiting === 0, timeoutMs, 'every bot to receive media (the value: how many have none yet)');
  let bots = await joinBots();
  await waitForMedia(bots, 120_000);
  console.log(`${RECONNECT_BOTS} bots receiving; now all reconnect at once`);
  for (const bot of bots) bot.close();
  const reconnectStarted = Date.now();
  bots = await joinBots();
  await waitForMedia(bots, 300_000);
  const lastMedia = Math.max(...bots.map((bot) => bot.firstMediaAt!));
  const reconnectSeconds = (lastMedia - reconnectStarted) / 1000;
  console.log(`reconnect storm: all ${RECONNECT_BOTS} bots had media again ${reconnectSeconds.toFixed(1)} s after reconnecting at once`);
  for (const bot of bots) bot.close();
  publisher.close();
  await saveResults('signalling', { joins: JOINS, concurrency: CONCURRENCY, joinSeconds, joinsPerSecond, reconnectBots: RECONNECT_BOTS, reconnectSeconds });
} finally {
  await server.stop();
}
process.exit(0);
