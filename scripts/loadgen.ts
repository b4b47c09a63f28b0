/**
 * Load generator: N bot participants that join a room through Parley's real
 * HTTP and WebSocket protocol and send and receive media without a browser.
 *
 *   npx tsx scripts/loadgen.ts --url http://127.0.0.1:8080 --publishers 2 --subscribers 10 --seconds 30
 *
 * Options: --url (a running Parley), --room (an existing room without a
 * lobby; default: a new one), --publishers, --subscribers (bots that only
 * receive), --seconds, --api-key, --json FILE, --receive decrypt|headers
 * (how subscribers count media: decrypt every packet as a client does, the
 * default, or read only the clear-text RTP headers, which lets one process
 * drive many more receivers). Each publisher sends ~800
 * kbit/s of VP8-shaped video and ~32 kbit/s of Opus-shaped audio. Prints one
 * line per receiving bot (streams, packets, loss, bitrate) and the totals.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runLoad } from './load/run-load.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8080' },
    room: { type: 'string' },
    publishers: { type: 'string', default: '2' },
    subscribers: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '20' },
    'api-key': { type: 'string' },
    json: { type: 'string' },
    receive: { type: 'string', default: 'decrypt' },
  },
});
if (values.receive !== 'decrypt' && values.receive !== 'headers') throw new Error(`--receive must be decrypt or headers, not ${values.receive}`);

const report = await runLoad({
  baseUrl: values.url,
  roomId: values.room,
  apiKey: values['api-key'],
  publishers: Number(values.publishers),
  subscribers: Number(values.subscribers),
  seconds: Number(values.seconds),
  receive: values.receive,
});
for (const bot of report.bots) {
  console.log(`${bot.name.padEnd(14)} streams ${bot.streams}  packets ${bot.packets}  lost ${bot.lost} (${(bot.lossRatio * 100).toFixed(2)} %)  ${bot.kbps} kbit/s`);
}
console.log(`total: ${report.receivers} receiving bots, ${report.streams} streams, loss ${(report.lossRatio * 100).toFixed(2)} %, ${report.kbps} kbit/s received, joined in ${report.joinMs} ms`);
if (values.json) await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
process.exit(0);
