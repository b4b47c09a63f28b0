/**
 * GET /metrics: the gauges follow peers joining and leaving, the transport
 * gauges follow their transports and what those send, and the counters and
 * histograms move.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Bot } from '../../../scripts/load/bot.js';
import { createRoom } from '../../testkit/parley.js';
import { waitUntil } from '../../testkit/wait.js';
import { TestSocket } from '../../testkit/ws-client.js';
import { serverFixture } from '../helpers/meeting-fixture.js';
import { SERVER } from '../helpers/timeouts.js';

const server = serverFixture();

async function scrape(): Promise<Map<string, number>> {
  const response = await fetch(`${server.parley.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
  const values = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) values.set(match[1]!, Number(match[2]));
  }
  return values;
}

test('the counters move when a peer joins and leaves', SERVER, async () => {
  const room = await createRoom(server.parley, { lobby: false });
  const before = await scrape();
  assert.equal(before.get('parley_peers'), 0);

  const socket = await TestSocket.open(server.parley.url, room.id);
  const caps = await socket.request('getRouterRtpCapabilities');
  await socket.request('join', { displayName: 'Ann', rtpCapabilities: caps.data.rtpCapabilities });
  await socket.request('reportTimeToFirstMedia', { milliseconds: 1500, stages: { socketOpen: 200, joined: 700, firstFrame: 1500 } });
  // Only the first report of a session counts.
  await socket.request('reportTimeToFirstMedia', { milliseconds: 9000, stages: { joined: 9000 } });
  await socket.request('no-such-method');
  const during = await scrape();
  assert.equal(during.get('parley_peers'), 1);
  assert.equal(during.get('parley_rooms'), 1);
  assert.equal(during.get('parley_join_duration_seconds_count'), (before.get('parley_join_duration_seconds_count') ?? 0) + 1);
  assert.equal(during.get('parley_time_to_first_media_seconds_count'), 1);
  assert.equal(during.get('parley_time_to_first_media_seconds_sum'), 1.5);
  assert.equal(during.get('parley_first_media_stage_seconds_sum{stage="joined"}'), 0.7);
  assert.equal(during.get('parley_first_media_stage_seconds_count{stage="firstFrame"}'), 1);
  assert.equal(during.has('parley_first_media_stage_seconds_count{stage="cameraStarted"}'), false, 'a stage not reported is not counted');
  assert.equal(during.get('parley_signalling_errors_total{code="unknown_method"}'), 1);
  const [pid] = server.parley.pool.pids();
  assert.ok((during.get(`parley_worker_max_rss_bytes{pid="${pid}"}`) ?? 0) > 0);
  assert.ok(during.has(`parley_worker_cpu_seconds{pid="${pid}"}`));

  await socket.close();
  // The server counts the peer out when it handles the close, a moment after the client sees it.
  const after = await waitUntil(scrape, (values) => values.get('parley_peers') === 0, 10_000, 'the peer to be counted out');
  assert.equal(after.get('parley_peers'), 0);
  assert.equal(after.get('parley_rooms'), 0);
});

test('the transport gauges count the participants’ transports, producers and consumers, and the bytes sent', SERVER, async (t) => {
  const room = await createRoom(server.parley, { lobby: false });
  const join = (name: string, publish: boolean) => Bot.join({ baseUrl: server.parley.url, roomId: room.id, name, publish, subscribe: !publish, receive: 'headers' });
  const publisher = await join('publisher', true);
  const receiver = await join('receiver', false);
  t.after(() => [publisher, receiver].forEach((bot) => bot.close()));
  await waitUntil(async () => [...receiver.received.values()].filter((stream) => stream.packets > 0).length, (streams) => streams === 2, 20_000, 'audio and video to reach the receiver');
  const first = await scrape();
  assert.ok((first.get('parley_transports{type="webrtc"}') ?? 0) >= 2, 'a transport each at least');
  assert.equal(first.get('parley_transport_producers{type="webrtc"}'), 2);
  assert.equal(first.get('parley_transport_consumers{type="webrtc"}'), 2);
  assert.equal(first.has('parley_transports{type="pipe"}'), false, 'one node has no pipes');
  const sentBefore = first.get('parley_transport_sent_bytes{type="webrtc"}') ?? 0;
  // The receiver gets ~100 video packets a second of 1,000 bytes: 20 kB is a fraction of a second of it.
  await waitUntil(scrape, (values) => (values.get('parley_transport_sent_bytes{type="webrtc"}') ?? 0) > sentBefore + 20_000, 10_000, 'the bytes sent to grow');
  publisher.close();
  receiver.close();
  const after = await waitUntil(scrape, (values) => !values.has('parley_transports{type="webrtc"}'), 10_000, 'the transports to be counted out');
  assert.equal(after.has('parley_transport_sent_bytes{type="webrtc"}'), false);
});
