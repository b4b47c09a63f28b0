/**
 * The phone bridge under attack, with SIPp: malformed and unsupported
 * requests get RFC 3261's answers, a BYE without a dialog 481, wrong PINs
 * lock the source out (even for the right PIN), sources outside the allowed
 * networks get 403, and a flood is absorbed without answering it in kind.
 * After all that, the server still takes a call.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import type { Parley } from '../../src/server.js';
import { createRoom, SIP_ON, startTestParley } from '../../testkit/parley.js';
import { runTool } from '../../testkit/processes.js';
import { Baresip } from '../../testkit/baresip.js';
import { runSipp, scenario, sipFlood } from '../../testkit/sipp.js';
import { waitUntil } from '../../testkit/wait.js';
import { HOOK, SERVER } from '../helpers/timeouts.js';

describe('the SIP user agent under attack', SERVER, () => {
  let parley: Parley;
  let target: string;
  let pin: string;

  before(async () => {
    parley = await startTestParley({
      ...SIP_ON,
      // 127.0.0.9 plays an outside network.
      PARLEY_SIP_ALLOWED_NETWORKS: '127.0.0.1/32,127.0.0.2/32,127.0.0.3/32,127.0.0.4/32,127.0.0.5/32,127.0.0.6/32',
    });
    target = `127.0.0.1:${parley.telephony!.port}`;
    const room = await createRoom(parley, { lobby: true });
    pin = room.dialIn!.pin;
    // The API's answer carries the PIN the store keeps, and the address that reaches it.
    assert.equal(pin, (await parley.store.getRoom(room.id))!.dialInPin);
    assert.equal(room.dialIn!.uri, `sip:${pin}@${target}`);
  }, HOOK);
  after(() => parley?.close(), HOOK);

  test('unsupported and malformed requests get the answer RFC 3261 gives', SERVER, async () => {
    await runSipp(scenario({ user: pin, body: 'v=0\r\nthis is not SDP', expect: 400 }), { target });
    await runSipp(scenario({ user: pin, body: 'v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 4000 RTP/AVP 18\na=rtpmap:18 G729/8000\n', expect: 488 }), { target });
    await runSipp(scenario({ user: pin, headers: ['Require: 100rel-made-up'], expect: 420 }), { target });
    await runSipp(scenario({ user: 'anyone', method: 'OPTIONS', headers: ['Max-Forwards: 0'], expect: 483 }), { target });
    await runSipp(scenario({ user: 'anyone', method: 'BYE', expect: 481 }), { target });
    await runSipp(scenario({ user: 'anyone', method: 'OPTIONS', expect: 200 }), { target, transport: 'tcp' });
  });

  test('three wrong PINs, and the fourth attempt is refused even with the right PIN', SERVER, async () => {
    const from = '127.0.0.2';
    await runSipp(scenario({ user: '000000000', expect: 404 }), { target, from, calls: 3 });
    await runSipp(scenario({ user: pin, expect: 403 }), { target, from });
  });

  test('a source outside the allowed networks cannot call or probe', SERVER, async () => {
    await runSipp(scenario({ user: pin, expect: 403 }), { target, from: '127.0.0.9' });
    await runSipp(scenario({ user: 'anyone', method: 'OPTIONS', expect: 403 }), { target, from: '127.0.0.9' });
  });

  test('a flood of INVITEs and garbage is absorbed: few answers, and others still get through', SERVER, async () => {
    const sent = 2_000;
    const answers = await sipFlood(target, '127.0.0.3', sent, () => runSipp(scenario({ user: 'anyone', method: 'OPTIONS', expect: 200 }), { target, from: '127.0.0.4' }));
    // 60 messages of burst plus 30 a second, each answered at most with 100 Trying and a final answer.
    assert.ok(answers < 400, `the flood got ${answers} answers to ${sent} datagrams`);
    assert.ok(answers > 0, 'the first of them were answered');
    await runSipp(scenario({ user: pin, expect: 200 }), { target, from: '127.0.0.4' });
    const meeting = (await parley.meetings.list()).find((candidate) => candidate.roster.waiting().some((peer) => peer.phone));
    assert.ok(meeting, 'the phone that called after the flood waits in the lobby');
  });

  test('a re-INVITE that holds the call is answered recvonly, its resume sendrecv, and a codec change 488', SERVER, async () => {
    await runSipp(holdScenario(pin), { target, from: '127.0.0.6' });
  });

  test('a CANCEL racing the answer ends the call either way, and leaves nobody behind', SERVER, async () => {
    const xml = await readFile(new URL('../sip/cancel-race.xml', import.meta.url), 'utf8');
    await runSipp(xml, { target, service: pin, from: '127.0.0.5', calls: 10, rate: 5 });
    const room = (await parley.meetings.list()).flatMap((meeting) => meeting.roster.waiting());
    assert.equal(room.filter((peer) => peer.phone).length, 1, 'only the earlier test\'s phone waits; every raced call left');
  });
});

/** A call that goes on hold, comes back, then asks for another codec, and ends; each answer's direction is checked. */
function holdScenario(pin: string): string {
  const sdp = (payload: string, direction: string) =>
    `v=0\no=sipp 1 2 IN IP4 [local_ip]\ns=-\nc=IN IP4 [media_ip]\nt=0 0\nm=audio [media_port] RTP/AVP ${payload}\na=rtpmap:${payload} ${payload === '0' ? 'PCMU' : 'PCMA'}/8000\na=${direction}\n`;
  const request = (method: string, seq: number, body?: string) => `<send retrans="500"><![CDATA[
${method} sip:${pin}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:4930555666@[local_ip]:[local_port]>;tag=[pid]hold[call_number]
To: <sip:${pin}@[remote_ip]:[remote_port]>${seq > 1 ? '[peer_tag_param]' : ''}
Call-ID: [call_id]
CSeq: ${seq} ${method}
Contact: <sip:caller@[local_ip]:[local_port]>
Max-Forwards: 70
${body ? 'Content-Type: application/sdp\n' : ''}Content-Length: [len]

${body ?? ''}]]></send>`;
  const ack = (seq: number) => `<send><![CDATA[
ACK sip:${pin}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:4930555666@[local_ip]:[local_port]>;tag=[pid]hold[call_number]
To: <sip:${pin}@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: ${seq} ACK
Max-Forwards: 70
Content-Length: 0

]]></send>`;
  const answered = (direction: string) => `<recv response="200" rrs="true"><action><ereg regexp="a=${direction}" search_in="body" check_it="true" assign_to="direction"/></action></recv>`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="hold and resume">
${request('INVITE', 1, sdp('0', 'sendrecv'))}
<recv response="100" optional="true"/>
${answered('sendrecv')}
${ack(1)}
${request('INVITE', 2, sdp('0', 'sendonly'))}
<recv response="100" optional="true"/>
${answered('recvonly')}
${ack(2)}
${request('INVITE', 3, sdp('0', 'sendrecv'))}
<recv response="100" optional="true"/>
${answered('sendrecv')}
${ack(3)}
${request('INVITE', 4, sdp('8', 'sendrecv'))}
<recv response="100" optional="true"/>
<recv response="488"/>
${ack(4)}
${request('BYE', 5)}
<recv response="200"/>
</scenario>
`;
}

describe('callers outside the allowed networks, with digest accounts', SERVER, () => {
  let parley: Parley;
  let target: string;
  let pin: string;
  const phones: Baresip[] = [];

  before(async () => {
    parley = await startTestParley({
      ...SIP_ON,
      // Nothing on this machine is in the allowed network: every caller must log in.
      PARLEY_SIP_ALLOWED_NETWORKS: '192.0.2.0/24',
      PARLEY_SIP_ACCOUNTS: 'branch-pbx:correct-horse-battery',
    });
    target = `127.0.0.1:${parley.telephony!.port}`;
    pin = (await createRoom(parley, { lobby: true })).dialIn!.pin;
  }, HOOK);
  after(async () => {
    for (const phone of phones) await phone.stop();
    await parley?.close();
  }, HOOK);

  test('an INVITE without credentials is challenged (401)', SERVER, async () => {
    await runSipp(scenario({ user: pin, expect: 401 }), { target });
  });

  test('baresip with the right account gets in; with a wrong password it is refused', SERVER, async () => {
    const right = await Baresip.start({ user: '4930555001', auth: { user: 'branch-pbx', password: 'correct-horse-battery' } });
    phones.push(right);
    await right.dial(`sip:${pin}@${target}`);
    await right.waitFor('CALL_ESTABLISHED', 20_000);
    const waiting = (await parley.meetings.list()).flatMap((meeting) => meeting.roster.waiting());
    assert.deepEqual(waiting.map((peer) => peer.displayName), ['Phone ···5001']);

    const wrong = await Baresip.start({ user: '4930555002', auth: { user: 'branch-pbx', password: 'wrong-horse-battery' } });
    phones.push(wrong);
    await wrong.dial(`sip:${pin}@${target}`);
    const closed = await wrong.waitFor('CALL_CLOSED', 20_000);
    assert.match(String(closed.param), /^40[13] /, `refused, not ${closed.param}`);
  });
});

describe('SIP over TLS', SERVER, () => {
  let parley: Parley;
  let certificate: string;
  let phone: Baresip | undefined;

  before(async () => {
    // A self-signed certificate for 127.0.0.1 (baresip 1.0.0 does not check it; the test does).
    const directory = await mkdtemp(path.join(tmpdir(), 'parley-sip-tls-'));
    certificate = path.join(directory, 'cert.pem');
    const key = path.join(directory, 'key.pem');
    await runTool('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', certificate]);
    parley = await startTestParley({
      ...SIP_ON,
      PARLEY_SIP_TLS_PORT: '0',
      PARLEY_SIP_TLS_CERT_FILE: certificate,
      PARLEY_SIP_TLS_KEY_FILE: key,
    });
  }, HOOK);
  after(async () => {
    await phone?.stop();
    await parley?.close();
  }, HOOK);

  test('the TLS port serves the configured certificate; baresip calls in over it and hangs up', SERVER, async () => {
    const served = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port: parley.telephony!.tlsPort!, ca: [readFileSync(certificate)], servername: '' }, () => {
        resolve(socket.getPeerX509Certificate()!.fingerprint256);
        socket.end();
      });
      socket.once('error', reject);
    });
    assert.equal(served, new X509Certificate(readFileSync(certificate)).fingerprint256);
    const room = await createRoom(parley, { lobby: false });
    phone = await Baresip.start({ user: '4930555443' });
    await phone.dial(`sip:${room.dialIn!.pin}@127.0.0.1:${parley.telephony!.tlsPort};transport=tls`);
    await phone.waitFor('CALL_ESTABLISHED', 20_000);
    const joined = (await parley.meetings.list()).flatMap((meeting) => meeting.roster.joined());
    assert.deepEqual(joined.map((peer) => peer.displayName), ['Phone ···5443']);
    await phone.hangup();
    await phone.waitFor('CALL_CLOSED', 10_000);
    await waitUntil(async () => (await parley.meetings.list()).length, (live) => live === 0, 10_000, 'the phone to leave over TLS (BYE)');
  });
});

describe('a phone that goes away without a BYE', SERVER, () => {
  let parley: Parley;

  before(async () => {
    parley = await startTestParley({
      ...SIP_ON,
      PARLEY_SIP_MEDIA_TIMEOUT_SECONDS: '2',
    });
  }, HOOK);
  after(() => parley?.close(), HOOK);

  test('is hung up on (BYE) once its RTP has been missing for the media timeout, and leaves the lobby', SERVER, async () => {
    const room = await createRoom(parley, { lobby: true });
    // SIPp sends no RTP at all: it answers Parley's BYE, or fails after 20 s.
    await runSipp(scenario({ user: room.dialIn!.pin, expect: 200, awaitBye: true }), { target: `127.0.0.1:${parley.telephony!.port}` });
    await waitUntil(async () => (await parley.meetings.list()).flatMap((meeting) => meeting.roster.waiting()).length, (waiting) => waiting === 0, 10_000, 'the silent phone to leave the lobby');
  });
});
