/**
 * The phone bridge under attack, with SIPp: malformed and unsupported
 * requests get RFC 3261's answers, a BYE without a dialog 481, wrong PINs
 * lock the source out (even for the right PIN), sources outside the allowed
 * networks get 403, and a flood is absorbed without answering it in kind.
 * After all that, the server still takes a call.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import type { Parley } from '../../src/server.js';
import { createRoom, startTestParley } from '../../testkit/parley.js';
import { runSipp, scenario } from '../../testkit/sipp.js';
import { HOOK, SERVER } from '../helpers/timeouts.js';

describe('the SIP user agent under attack', SERVER, () => {
  let parley: Parley;
  let target: string;
  let pin: string;

  before(async () => {
    parley = await startTestParley({
      PARLEY_SIP_ENABLED: 'true',
      PARLEY_SIP_PORT: '0',
      PARLEY_SIP_LISTEN_IP: '127.0.0.1',
      PARLEY_SIP_ANNOUNCED_ADDRESS: '127.0.0.1',
      // 127.0.0.9 plays an outside network.
      PARLEY_SIP_ALLOWED_NETWORKS: '127.0.0.1/32,127.0.0.2/32,127.0.0.3/32,127.0.0.4/32',
    });
    target = `127.0.0.1:${parley.telephony!.port}`;
    const room = await createRoom(parley, { lobby: true });
    pin = (await parley.store.getRoom(room.id))!.dialInPin!;
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
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.3', resolve));
    let answers = 0;
    socket.on('message', () => answers++);
    const [host, port] = target.split(':');
    const sent = 2_000;
    const sending: Promise<unknown>[] = [];
    for (let i = 0; i < sent; i++) {
      const junk = i % 4 === 0 ? Buffer.alloc(20_000, 'A') : Buffer.from(floodInvite(i, '127.0.0.3', socket.address().port));
      sending.push(new Promise((resolve) => socket.send(junk, Number(port), host, resolve)));
      if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(sending);
    await runSipp(scenario({ user: 'anyone', method: 'OPTIONS', expect: 200 }), { target, from: '127.0.0.4' });
    socket.close();
    // 60 messages of burst plus 30 a second, each answered at most with 100 Trying and a final answer.
    assert.ok(answers < 400, `the flood got ${answers} answers to ${sent} datagrams`);
    assert.ok(answers > 0, 'the first of them were answered');
    await runSipp(scenario({ user: pin, expect: 200 }).replace('<recv response="200"/>', '<recv response="200"/>\n<send><![CDATA[\nACK sip:caller@[remote_ip]:[remote_port] SIP/2.0\nVia: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n[last_From:]\n[last_To:]\n[last_Call-ID:]\nCSeq: 1 ACK\nMax-Forwards: 70\nContent-Length: 0\n\n]]></send>'), { target, from: '127.0.0.4' });
    const meeting = (await parley.meetings.list()).find((candidate) => candidate.roster.waiting().some((peer) => peer.phone));
    assert.ok(meeting, 'the phone that called after the flood waits in the lobby');
  });
});

function floodInvite(n: number, address: string, port: number): string {
  return [
    `INVITE sip:12345678${n % 10}@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/UDP ${address}:${port};branch=z9hG4bKflood${n}`,
    `From: <sip:flood@${address}>;tag=f${n}`,
    'To: <sip:123456789@127.0.0.1>',
    `Call-ID: flood-${n}`,
    'CSeq: 1 INVITE',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
