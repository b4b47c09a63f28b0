/**
 * Phones in a meeting, with a real SIP phone (baresip) and real Chromium:
 * a caller dials the meeting's PIN, waits in the lobby, is admitted and is
 * heard by the browser (inbound audio energy), while it hears the
 * browser's microphone tone (the FFT peak of its recording); it mutes and
 * unmutes with *6. A caller of the general address keys the PIN in by DTMF.
 * A host calls baresip out, and a destination off the allow-list is refused.
 * A browser call keeps decoding while the SIP side is flooded and probed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { loudestWindow, peakFrequency, readWav, rms, writeToneWav } from '../../testkit/audio-analysis.js';
import { Baresip } from '../../testkit/baresip.js';
import { inboundTotals, joinMeeting, openParticipant } from '../../testkit/browser.js';
import { createRoom, SIP_ON } from '../../testkit/parley.js';
import { runSipp, scenario, sipFlood } from '../../testkit/sipp.js';
import { waitUntil } from '../../testkit/wait.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { BROWSER, HOOK } from '../helpers/timeouts.js';

const BROWSER_TONE_HZ = 440;
const PHONE_TONE_HZ = 1000;
const files = mkdtempSync(path.join(tmpdir(), 'parley-phone-'));
const browserTone = path.join(files, 'browser-tone.wav');
const phoneTone = path.join(files, 'phone-tone.wav');
/** baresip 1.0.0 does not convert its WAV source: an Opus call needs it at 48 kHz in stereo. */
const phoneToneWideband = path.join(files, 'phone-tone-48k.wav');

// Written before the browser starts: Chromium reads its fake microphone when it launches.
before(async () => {
  await writeToneWav(browserTone, { frequencies: [BROWSER_TONE_HZ], seconds: 30, sampleRate: 48_000, amplitude: 0.3 });
  await writeToneWav(phoneTone, { frequencies: [PHONE_TONE_HZ], seconds: 120, amplitude: 0.3 });
  await writeToneWav(phoneToneWideband, { frequencies: [PHONE_TONE_HZ], seconds: 120, sampleRate: 48_000, amplitude: 0.3, channels: 2 });
}, HOOK);
const meeting = meetingFixture(
  {
    ...SIP_ON,
    PARLEY_SIP_DIAL_OUT_ALLOW: 'sip:*@127.0.0.1:*',
  },
  [`--use-file-for-fake-audio-capture=${browserTone}`],
);
const phones: Baresip[] = [];
afterEach(async () => {
  for (const phone of phones.splice(0)) await phone.stop();
}, HOOK);

async function startPhone(options: Parameters<typeof Baresip.start>[0]): Promise<Baresip> {
  const phone = await Baresip.start(options);
  phones.push(phone);
  return phone;
}

/** The dial-in PIN as the host's page shows it ("PIN: 123 456 789"). */
async function pinOnPage(page: Page): Promise<string> {
  const text = await page.getByRole('region', { name: 'Phone' }).getByText(/^PIN: [\d ]+$/).textContent({ timeout: 30_000 });
  return text!.replace(/\D/g, '');
}

const sipAddress = () => `127.0.0.1:${meeting.parley.telephony!.port}`;

/** Seconds of what the phone heard so far (its recording grows as the call goes on). */
async function recordedSeconds(phone: Baresip): Promise<number> {
  const [recording] = await phone.recordings();
  const wav = recording && (await readWav(recording.heard).catch(() => undefined));
  return wav ? wav.samples.length / wav.sampleRate : 0;
}

describe('phones in a meeting', BROWSER, () => {
  test('a phone dials the PIN, is admitted, hears the browser and is heard, and mutes with *6', BROWSER, async () => {
    const room = await createRoom(meeting.parley, { lobby: true });
    const host = await openParticipant(meeting.browser, meeting.parley.url);
    await joinMeeting(host.page, room.hostUrl, 'Hostess');
    const pin = await pinOnPage(host.page);
    assert.equal(pin, (await meeting.parley.store.getRoom(room.id))!.dialInPin);

    const phone = await startPhone({ playWav: phoneTone, record: true, user: '4930555246' });
    await phone.dial(`sip:${pin}@${sipAddress()}`);
    await phone.waitFor('CALL_ESTABLISHED', 20_000);
    // Hosts see the caller id masked to its last four digits.
    const admit = host.page.getByRole('region', { name: 'Waiting to join' }).getByRole('button', { name: 'Admit Phone ···5246' });
    await admit.waitFor();
    const before = await inboundTotals(host.page);
    await admit.click();
    const row = host.page.getByRole('list', { name: 'Participants' }).getByRole('listitem', { name: 'Phone ···5246' });
    await row.getByRole('img', { name: 'on the phone' }).waitFor();
    const metrics = await (await fetch(`${meeting.parley.url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    assert.match(metrics, /^parley_phone_peers 1$/m, 'the phone counts in /metrics');

    // The browser decodes the phone's PCMU, and it is not silence; the phone's level lights the speaking indicator.
    await waitUntil(() => inboundTotals(host.page), (now) => now.audioEnergy > before.audioEnergy + 0.5, 30_000, "the phone's tone to reach the browser");
    await row.getByText('speaking').waitFor({ timeout: 30_000 });

    // *6 mutes: the host sees the phone's mic off; *6 again unmutes.
    await phone.sendDtmf('*6');
    await row.getByText('mic off').waitFor({ timeout: 20_000 });
    await phone.sendDtmf('*6');
    await row.getByText('mic on').waitFor({ timeout: 20_000 });
    // A host mutes the phone like anyone; the caller unmutes with *6.
    await host.page.getByRole('button', { name: 'Actions for Phone ···5246' }).click();
    await host.page.getByRole('menuitem', { name: 'Mute Phone ···5246' }).click();
    await row.getByText('mic off').waitFor({ timeout: 20_000 });
    await phone.sendDtmf('*6');
    await row.getByText('mic on').waitFor({ timeout: 20_000 });

    // The phone heard the mix: the browser's tone, through Opus, the jitter buffer, 8 kHz and PCMU.
    await phone.hangup();
    await phone.waitFor('CALL_CLOSED', 10_000);
    await row.waitFor({ state: 'detached' });
    const [recording] = await phone.recordings();
    assert.ok(recording, 'baresip recorded the call');
    const heard = await readWav(recording.heard);
    const window = loudestWindow(heard.samples, heard.sampleRate);
    const peak = peakFrequency(heard.samples, heard.sampleRate, window);
    assert.ok(Math.abs(peak - BROWSER_TONE_HZ) < 15, `the phone heard a peak at ${peak.toFixed(1)} Hz, not the browser's ${BROWSER_TONE_HZ} Hz`);
    const loudest = heard.samples.subarray(window.startSeconds * heard.sampleRate, (window.startSeconds + window.seconds) * heard.sampleRate);
    assert.ok(rms(loudest) > 0.02, `what the phone heard is nearly silent (RMS ${rms(loudest).toFixed(4)})`);
  });

  test('an Opus phone is heard by the browser and hears it, in Opus both ways', BROWSER, async () => {
    const room = await createRoom(meeting.parley, { lobby: false });
    const host = await openParticipant(meeting.browser, meeting.parley.url);
    await joinMeeting(host.page, room.hostUrl, 'Hostess');
    const phone = await startPhone({ playWav: phoneToneWideband, record: true, user: '4930555369', codecs: ['opus'] });
    const before = await inboundTotals(host.page);
    await phone.dial(`sip:${room.dialIn!.pin}@${sipAddress()}`);
    await phone.waitFor('CALL_ESTABLISHED', 20_000);
    await host.page.getByRole('list', { name: 'Participants' }).getByRole('listitem', { name: 'Phone ···5369' }).waitFor();
    await waitUntil(() => inboundTotals(host.page), (now) => now.audioEnergy > before.audioEnergy + 0.5, 30_000, "the Opus phone's tone to reach the browser");
    await waitUntil(() => recordedSeconds(phone), (seconds) => seconds >= 3, 30_000, "three seconds of the phone's recording");
    await phone.hangup();
    await phone.waitFor('CALL_CLOSED', 10_000);
    const [recording] = await phone.recordings();
    const heard = await readWav(recording!.heard);
    const peak = peakFrequency(heard.samples, heard.sampleRate, loudestWindow(heard.samples, heard.sampleRate));
    assert.ok(Math.abs(peak - BROWSER_TONE_HZ) < 15, `the Opus phone heard a peak at ${peak.toFixed(1)} Hz, not the browser's ${BROWSER_TONE_HZ} Hz`);
  });

  test('a killed worker: the phone stays in the call, is heard again and hears again', BROWSER, async () => {
    const room = await createRoom(meeting.parley, { lobby: false });
    const host = await openParticipant(meeting.browser, meeting.parley.url);
    await joinMeeting(host.page, room.hostUrl, 'Hostess');
    const phone = await startPhone({ playWav: phoneTone, record: true, user: '4930555999' });
    await phone.dial(`sip:${room.dialIn!.pin}@${sipAddress()}`);
    await phone.waitFor('CALL_ESTABLISHED', 20_000);
    const before = await inboundTotals(host.page);
    await waitUntil(() => inboundTotals(host.page), (now) => now.audioEnergy > before.audioEnergy + 0.5, 30_000, "the phone's tone to reach the browser");

    const [pid] = meeting.parley.pool.pids();
    process.kill(pid!, 'SIGKILL');
    // What arrived over the dead worker stops growing; growth from here on is the phone heard again.
    const afterKill = await inboundTotals(host.page);
    await waitUntil(() => inboundTotals(host.page), (now) => now.audioEnergy > afterKill.audioEnergy + 0.5, 30_000, "the phone's tone to reach the browser again");
    const heardBefore = await recordedSeconds(phone);
    await waitUntil(() => recordedSeconds(phone), (seconds) => seconds >= heardBefore + 3, 30_000, 'three more seconds of the call');
    await phone.hangup();
    await phone.waitFor('CALL_CLOSED', 10_000);
    assert.equal(phone.events.filter((event) => event.type === 'CALL_CLOSED').length, 1, 'the call lasted through the worker death');
    // The last three seconds the phone heard, after the worker died, hold the browser's tone.
    const heard = await readWav((await phone.recordings())[0]!.heard);
    const tail = heard.samples.subarray(heard.samples.length - 3 * heard.sampleRate);
    const peak = peakFrequency(tail, heard.sampleRate, loudestWindow(tail, heard.sampleRate));
    assert.ok(Math.abs(peak - BROWSER_TONE_HZ) < 15, `after the worker died the phone heard a peak at ${peak.toFixed(1)} Hz, not the browser's ${BROWSER_TONE_HZ} Hz`);
  });

  test('a caller of the general address keys the PIN in by DTMF and enters', BROWSER, async () => {
    const room = await createRoom(meeting.parley, { lobby: false });
    const host = await openParticipant(meeting.browser, meeting.parley.url);
    await joinMeeting(host.page, room.hostUrl, 'Hostess');
    const pin = await pinOnPage(host.page);
    const phone = await startPhone({ user: '4930555123' });
    await phone.dial(`sip:meet@${sipAddress()}`);
    await phone.waitFor('CALL_ESTABLISHED', 20_000);
    await phone.sendDtmf(`${pin}#`);
    await host.page.getByRole('listitem', { name: 'Phone ···5123' }).waitFor({ timeout: 30_000 });
  });

  test('a host calls a phone into the meeting; a destination off the allow-list is refused', BROWSER, async () => {
    const room = await createRoom(meeting.parley, { lobby: true });
    const host = await openParticipant(meeting.browser, meeting.parley.url);
    await joinMeeting(host.page, room.hostUrl, 'Hostess');
    const phone = await startPhone({ autoAnswer: true, user: '4930555777' });
    const region = host.page.getByRole('region', { name: 'Phone' });
    await region.getByRole('textbox', { name: 'Phone number or SIP address' }).fill(phone.uri);
    await region.getByRole('button', { name: 'Call', exact: true }).click();
    await phone.waitFor('CALL_ESTABLISHED', 20_000);
    // Called by a host, the phone skips the lobby.
    await host.page.getByRole('listitem', { name: /^Phone ···/ }).waitFor({ timeout: 30_000 });
    await region.getByRole('status').getByText(`${phone.uri} answered and is in the meeting.`).waitFor();

    // Removed by the host, the phone is hung up on.
    await host.page.getByRole('button', { name: 'Actions for Phone ···5777' }).click();
    await host.page.getByRole('menuitem', { name: 'Remove Phone ···5777' }).click();
    const closed = await phone.waitFor('CALL_CLOSED', 20_000);
    assert.equal(closed.param, 'Connection reset by peer', 'Parley ended the call with BYE');

    await region.getByRole('textbox', { name: 'Phone number or SIP address' }).fill('sip:premium@10.9.9.9');
    await region.getByRole('button', { name: 'Call', exact: true }).click();
    await region.getByRole('alert').getByText("that destination is not on this server's list of numbers hosts may call", { exact: false }).waitFor();
  });

  test('a browser call keeps decoding while SIP is flooded, probed and guessed at', BROWSER, async () => {
    const room = await createRoom(meeting.parley, { lobby: false });
    const host = await openParticipant(meeting.browser, meeting.parley.url);
    await joinMeeting(host.page, room.hostUrl, 'Hostess');
    const guest = await openParticipant(meeting.browser, meeting.parley.url);
    await joinMeeting(guest.page, room.url, 'Guest');
    await waitUntil(() => inboundTotals(host.page), (now) => now.framesDecoded > 30, 30_000, "the guest's video to play at the host");
    const target = sipAddress();
    const attack = async () => {
      await runSipp(scenario({ user: '000000000', expect: 404 }), { target, calls: 3, from: '127.0.0.7' });
      await runSipp(scenario({ user: 'anyone', body: 'v=0\r\nnot SDP', expect: 400 }), { target, from: '127.0.0.7' });
      await runSipp(scenario({ user: 'anyone', method: 'BYE', expect: 481 }), { target, from: '127.0.0.7' });
    };
    const during = await inboundTotals(host.page);
    await sipFlood(target, '127.0.0.6', 2_000, attack);
    // Decoding goes on: more frames and audio after the attack than before it, at both ends.
    await waitUntil(() => inboundTotals(host.page), (now) => now.framesDecoded > during.framesDecoded + 30 && now.audioEnergy > during.audioEnergy, 30_000, 'the host to keep decoding');
    const guestBefore = await inboundTotals(guest.page);
    await waitUntil(() => inboundTotals(guest.page), (now) => now.framesDecoded > guestBefore.framesDecoded + 30, 30_000, 'the guest to keep decoding');
    await runSipp(scenario({ user: 'anyone', method: 'OPTIONS', expect: 200 }), { target, from: '127.0.0.8' });
  });
});
