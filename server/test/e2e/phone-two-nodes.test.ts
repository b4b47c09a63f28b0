/**
 * A phone on one node of a room that spans two (sharing a real Redis): the
 * browser on node A hears it, and it hears the browser (the 440 Hz tone at
 * the FFT peak of baresip's recording), through the node-to-node pipes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { loudestWindow, peakFrequency, readWav, writeToneWav } from '../../testkit/audio-analysis.js';
import { Baresip } from '../../testkit/baresip.js';
import { inboundTotals, joinMeeting, launchBrowser, openParticipant } from '../../testkit/browser.js';
import { NodeProcess } from '../../testkit/node-process.js';
import { createRoom, SIP_ON } from '../../testkit/parley.js';
import { freePort } from '../../testkit/ports.js';
import { TestRedis } from '../../testkit/redis.js';
import { waitUntil } from '../../testkit/wait.js';
import { HOOK, MULTI_NODE } from '../helpers/timeouts.js';

const BROWSER_TONE_HZ = 440;
const files = mkdtempSync(path.join(tmpdir(), 'parley-phone-nodes-'));
const browserTone = path.join(files, 'browser-tone.wav');
const phoneTone = path.join(files, 'phone-tone.wav');

let redis: TestRedis;
let nodeA: NodeProcess;
let nodeB: NodeProcess;
let sipPortB: number;
let browser: Browser;
let phone: Baresip | undefined;

before(async () => {
  await writeToneWav(browserTone, { frequencies: [BROWSER_TONE_HZ], seconds: 30, sampleRate: 48_000, amplitude: 0.3 });
  await writeToneWav(phoneTone, { frequencies: [1000], seconds: 120, amplitude: 0.3 });
  redis = await TestRedis.start();
  const shared = { PARLEY_REDIS_URL: redis.url, PARLEY_SECRET: 'phone-two-nodes-test-secret-of-32-chars!' };
  // Both nodes take calls (node A's page shows the PIN); the phone calls node B.
  sipPortB = await freePort();
  nodeA = await NodeProcess.start({ ...shared, ...SIP_ON, PARLEY_NODE_ID: 'node-a', PARLEY_SIP_PORT: String(await freePort()) });
  nodeB = await NodeProcess.start({ ...shared, ...SIP_ON, PARLEY_NODE_ID: 'node-b', PARLEY_SIP_PORT: String(sipPortB) });
  browser = await launchBrowser([`--use-file-for-fake-audio-capture=${browserTone}`]);
}, HOOK);

after(async () => {
  await phone?.stop();
  await browser?.close();
  await nodeA?.kill();
  await nodeB?.kill();
  await redis?.stop();
}, HOOK);

test('a phone on node B hears and is heard by a browser on node A', MULTI_NODE, async () => {
  const room = await createRoom(nodeA, { lobby: false });
  const host = await openParticipant(browser, nodeA.url);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  const pinText = await host.page.getByRole('region', { name: 'Phone' }).getByText(/^PIN: [\d ]+$/).textContent({ timeout: 30_000 });
  const pin = pinText!.replace(/\D/g, '');

  phone = await Baresip.start({ playWav: phoneTone, record: true, user: '4930555888' });
  const before = await inboundTotals(host.page);
  await phone.dial(`sip:${pin}@127.0.0.1:${sipPortB}`);
  await phone.waitFor('CALL_ESTABLISHED', 20_000);
  await host.page.getByRole('list', { name: 'Participants' }).getByRole('listitem', { name: 'Phone ···5888' }).waitFor({ timeout: 30_000 });
  await waitUntil(() => inboundTotals(host.page), (now) => now.audioEnergy > before.audioEnergy + 0.5, 30_000, "the phone's tone to reach node A's browser");
  // Three seconds of what the phone heard, recorded as the call goes on, then the call ends.
  const recorded = async () => {
    const [recording] = await phone!.recordings();
    const wav = recording && (await readWav(recording.heard).catch(() => undefined));
    return wav ? wav.samples.length / wav.sampleRate : 0;
  };
  await waitUntil(recorded, (seconds) => seconds >= 3, 30_000, "three seconds of the phone's recording");
  await phone.hangup();
  await phone.waitFor('CALL_CLOSED', 10_000);
  const [recording] = await phone.recordings();
  assert.ok(recording, 'baresip recorded the call');
  const heard = await readWav(recording.heard);
  const peak = peakFrequency(heard.samples, heard.sampleRate, loudestWindow(heard.samples, heard.sampleRate));
  assert.ok(Math.abs(peak - BROWSER_TONE_HZ) < 15, `the phone on node B heard a peak at ${peak.toFixed(1)} Hz, not node A's browser at ${BROWSER_TONE_HZ} Hz`);
});
