/**
 * The load generator, with a handful of bots against a real worker: every
 * receiving bot gets every publisher's audio and video, with little loss,
 * whether it decrypts the media or counts clear-text RTP headers only, and
 * when a native counter process takes the counting over.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Bot, type ReceiveMode } from '../../../scripts/load/bot.js';
import { RtpCounterProcess } from '../../../scripts/load/rtp-counter-process.js';
import { createLoadRoom, runLoad } from '../../../scripts/load/run-load.js';
import { waitUntil } from '../../testkit/wait.js';
import { serverFixture } from '../helpers/meeting-fixture.js';
import { SERVER } from '../helpers/timeouts.js';

const server = serverFixture();

async function everyStreamArrives(receive: ReceiveMode, subscribers: number): Promise<void> {
  const report = await runLoad({ baseUrl: server.parley.url, publishers: 2, subscribers, seconds: 4, receive });
  console.log(`# load: ${JSON.stringify({ ...report, bots: undefined })}`);
  assert.equal(report.receivers, 2 + subscribers);
  for (const bot of report.bots) {
    // Publishers receive the other publisher (2 streams); subscribers receive both (4 streams).
    const expected = bot.name.startsWith('publisher') ? 2 : 4;
    assert.equal(bot.streams, expected, `${bot.name} streams`);
    assert.ok(bot.packets > expected * 50, `${bot.name} received ${bot.packets} packets`);
    assert.ok(bot.lossRatio < 0.05, `${bot.name} lost ${(bot.lossRatio * 100).toFixed(1)} %`);
    assert.ok(bot.kbps > 0);
  }
  await waitUntil(async () => (await server.parley.meetings.list()).length, (rooms) => rooms === 0, 10_000, 'the bots to leave and the room to close');
}

test('2 publishers and 3 subscribers: every stream arrives', SERVER, () => everyStreamArrives('decrypt', 3));

test('2 publishers and 2 subscribers that count RTP headers only: every stream arrives', SERVER, () => everyStreamArrives('headers', 2));

test('a native counter takes over two receivers: it counts their media and passes the rest back to werift', SERVER, async (t) => {
  const roomId = await createLoadRoom(server.parley.url);
  const join = (name: string, publish: boolean) => Bot.join({ baseUrl: server.parley.url, roomId, name, publish, subscribe: !publish, receive: 'headers' });
  const publisher = await join('publisher', true);
  const receivers = [await join('r1', false), await join('r2', false)];
  let counter: RtpCounterProcess | undefined;
  t.after(() => {
    counter?.stop();
    for (const bot of [publisher, ...receivers]) bot.close();
  });
  const flowing = () => receivers.every((bot) => bot.totals().streams === 2 && [...bot.received.values()].every((stream) => stream.packets > 0));
  await waitUntil(async () => flowing(), (done) => done, 20_000, 'both receivers to get audio and video');
  let passedBack = 0;
  const sockets = receivers.flatMap((bot) => bot.tapped.map((socket) => ({ ...socket, deliver: (data: Buffer, address: [string, number]) => (passedBack++, socket.deliver(data, address)) })));
  assert.ok(sockets.length >= 2, `every receiver has a socket to hand over (${sockets.length})`);
  counter = await RtpCounterProcess.start(sockets);
  const before = receivers.map((bot) => bot.totals().packets);
  // 1.5 s of one publisher is ~225 packets per receiver; RTCP sender reports come about once a second.
  const gained = await waitUntil(
    async () => {
      await counter!.report();
      return receivers.map((bot, i) => bot.totals().packets - before[i]!);
    },
    (packets) => packets.every((gain) => gain > 225) && passedBack > 0,
    15_000,
    'the counter to count 1.5 s of media for each receiver and pass RTCP back',
  );
  assert.equal(gained[0]! + gained[1]!, counter.packets, 'every packet counted since the hand-over was counted by the counter, none by Node');
  for (const bot of receivers) assert.ok(bot.totals().lossRatio < 0.05, `${bot.name} lost ${(bot.totals().lossRatio * 100).toFixed(1)} %`);
});
