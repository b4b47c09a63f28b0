/**
 * The load generator, with a handful of bots against a real worker: every
 * receiving bot gets every publisher's audio and video, with little loss,
 * whether it decrypts the media or counts clear-text RTP headers only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReceiveMode } from '../../../scripts/load/bot.js';
import { runLoad } from '../../../scripts/load/run-load.js';
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
