/**
 * A webinar over two nodes sharing a real redis-server: a panelist bot on
 * each node publishes audio and video, the host turns webinar mode on, and
 * 30 attendee bots join, half on each node. They enter as attendees, the
 * panel hears of each and the attendees of none; every attendee gets both panelists' audio
 * and video with little loss, and each node's metrics show the panel's
 * media crossing between the nodes once: its own panelist's two streams
 * leave on one pipe, the other panelist's two arrive on it, however many
 * attendees watch.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Bot } from '../../../scripts/load/bot.js';
import { createWebinarRoom, joinAttendee, joinPanelist, turnWebinarOn } from '../../../scripts/load/webinar.js';
import type { Parley } from '../../src/server.js';
import { startTestParley } from '../../testkit/parley.js';
import { TestRedis } from '../../testkit/redis.js';
import { waitUntil } from '../../testkit/wait.js';
import { HOOK, SERVER } from '../helpers/timeouts.js';

const ATTENDEES = 30;
/** Joins at once: enough to be quick, few enough for a loaded 2-core machine. */
const JOIN_BATCH = 10;
/** Loss allowed per attendee over the measured stretch: loopback loses nothing unless the machine stalls. */
const MAX_LOSS_RATIO = 0.02;
/** Packets every stream of every attendee must gain in the measured stretch: ~2 s of audio (50/s), 1 s of video (100/s). */
const PACKETS_PER_STREAM = 100;

let redis: TestRedis;
let nodes: Parley[] = [];
const bots: Bot[] = [];

before(async () => {
  redis = await TestRedis.start();
  const shared = { PARLEY_REDIS_URL: redis.url, PARLEY_SECRET: 'webinar-scale-test-secret-of-32-chars!', PARLEY_MAX_CONNECTIONS_PER_IP: '100', PARLEY_MAX_PEERS_PER_ROOM: '100' };
  nodes = [await startTestParley({ ...shared, PARLEY_NODE_ID: 'node-a' }), await startTestParley({ ...shared, PARLEY_NODE_ID: 'node-b' })];
}, HOOK);

after(async () => {
  for (const bot of bots) bot.close();
  await Promise.all(nodes.map((node) => node.close()));
  await redis?.stop();
}, HOOK);

/** The gauges of one node's /metrics, by name with labels. */
async function scrape(node: Parley): Promise<Map<string, number>> {
  const text = await (await fetch(`${node.url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  return new Map([...text.matchAll(/^([a-z_]+(?:\{[^}]*\})?) (\S+)$/gm)].map((match) => [match[1]!, Number(match[2])]));
}

const streamsFlowing = (bot: Bot) => [...bot.received.values()].filter((stream) => stream.packets > 0).length;

test('30 attendees over two nodes get both panelists with little loss; the panel crosses between the nodes once', SERVER, async () => {
  const room = await createWebinarRoom(nodes[0]!.url);
  // Attendees' arrivals as the panelists hear them (each one), and as the attendees hear them (none).
  const heardByPanelists = [0, 0];
  let heardByAttendees = 0;
  const isAttendeeJoin = (method: string, data: any) => method === 'peerJoined' && data.peer.role === 'attendee';
  const countForPanelist = (i: number) => (method: string, data: any) => {
    if (isAttendeeJoin(method, data)) heardByPanelists[i]!++;
  };
  // Attendees hear of no other attendee, not even while they are joining.
  const attendeeListener = () => (method: string, data: any) => {
    if (isAttendeeJoin(method, data)) heardByAttendees++;
  };
  const panelists = await Promise.all(nodes.map((node, i) => joinPanelist(node.url, room, `panelist-${i}`, { host: i === 0, onNotification: countForPanelist(i) })));
  bots.push(...panelists);
  await turnWebinarOn(panelists[0]!);
  const attendees: Bot[] = [];
  for (let joined = 0; joined < ATTENDEES; joined += JOIN_BATCH) {
    const batch = Array.from({ length: JOIN_BATCH }, (_, i) => joined + i);
    const group = await Promise.all(batch.map((index) => joinAttendee(nodes[index % 2]!.url, room, `attendee-${index}`, 'headers', attendeeListener())));
    bots.push(...group);
    attendees.push(...group);
  }
  assert.deepEqual(panelists.map((bot) => bot.role), ['host', 'participant'], 'the panelists keep their roles');
  const notAttendees = attendees.filter((bot) => bot.role !== 'attendee').map((bot) => `${bot.name}: ${bot.role}`);
  assert.deepEqual(notAttendees, [], 'everyone who joined after webinar mode went on is an attendee');
  // Each attendee consumes two panelists' audio and video; each panelist the other's.
  await waitUntil(async () => attendees.filter((bot) => streamsFlowing(bot) < 4).length, (silent) => silent === 0, 30_000, 'all four streams to reach every attendee');
  await waitUntil(async () => panelists.filter((bot) => streamsFlowing(bot) < 2).length, (silent) => silent === 0, 10_000, 'each panelist to get the other');

  const start = attendees.map((bot) => [...bot.received.values()].map((stream) => ({ packets: stream.packets, lost: stream.lost })));
  const gains = () => attendees.map((bot, i) => [...bot.received.values()].map((stream, s) => ({ packets: stream.packets - start[i]![s]!.packets, lost: stream.lost - start[i]![s]!.lost })));
  await waitUntil(async () => gains().flat(), (streams) => streams.every((stream) => stream.packets >= PACKETS_PER_STREAM), 20_000, `${PACKETS_PER_STREAM} more packets on every stream`);
  const perAttendee = gains().map((streams) => streams.reduce((sum, stream) => ({ packets: sum.packets + stream.packets, lost: sum.lost + stream.lost }), { packets: 0, lost: 0 }));
  const lossRatios = perAttendee.map(({ packets, lost }) => lost / (packets + lost));
  const worst = Math.max(...lossRatios);
  console.log(`# webinar: ${ATTENDEES} attendees, worst loss ${(worst * 100).toFixed(2)} %, ${perAttendee.reduce((sum, { packets }) => sum + packets, 0)} packets counted`);
  assert.ok(worst <= MAX_LOSS_RATIO, `an attendee lost ${(worst * 100).toFixed(2)} % of its packets`);
  for (const bot of attendees) {
    const kinds = [...bot.received.values()].map((stream) => stream.kind).sort();
    assert.deepEqual(kinds, ['audio', 'audio', 'video', 'video'], `${bot.name} receives two panelists' audio and video`);
    assert.equal(new Set([...bot.received.values()].map((stream) => stream.producerId)).size, 4, `${bot.name} receives four distinct producers`);
  }

  // By now every attendee's join has reached both nodes (their media flows, their streams were counted).
  assert.equal(heardByAttendees, 0, 'attendees get no peerJoined for each other');
  assert.deepEqual(heardByPanelists, [ATTENDEES, ATTENDEES], 'each panelist hears of each attendee once');
  for (const [i, node] of nodes.entries()) {
    const figures = await scrape(node);
    const name = `node ${'AB'[i]}`;
    assert.equal(figures.get('parley_transports{type="pipe"}'), 1, `${name}: one pipe, to the other node`);
    assert.equal(figures.get('parley_transport_consumers{type="pipe"}'), 2, `${name}: its panelist's audio and video leave once`);
    assert.equal(figures.get('parley_transport_producers{type="pipe"}'), 2, `${name}: the other panelist's audio and video arrive once`);
    // Its attendees' four streams each, and its panelist's two from the other panelist.
    assert.equal(figures.get('parley_transport_consumers{type="webrtc"}'), (ATTENDEES / 2) * 4 + 2, `${name}: consumers of participants`);
  }
});
