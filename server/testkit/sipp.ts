/**
 * SIPp (Debian's sip-tester), a SIP tool nobody here wrote, driven with
 * scenarios the tests build: one INVITE or one in-dialog request, and the
 * one answer the test expects. `runSipp` resolves when every call got its
 * answer and rejects with SIPp's error log when not.
 */
import dgram from 'node:dgram';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';
import { runTool } from './processes.js';

const SDP = `v=0
o=sipp 53655765 2353687637 IN IP4 [local_ip]
s=-
c=IN IP4 [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
`;

export interface RequestOptions {
  /** The Request-URI's user part (a PIN, or anything). */
  user: string;
  method?: 'INVITE' | 'OPTIONS' | 'BYE';
  /** The body, SDP by default for INVITE; '' for none. */
  body?: string;
  /** Headers added as they are, e.g. 'Max-Forwards: 0'. */
  headers?: string[];
  /** The final answer expected; the scenario fails on any other. */
  expect: number;
  /** After a 2xx: wait (at most 20 s) for the server's BYE, and answer it. */
  awaitBye?: boolean;
}

/** One request and its expected final answer (an INVITE's answer is ACKed; a 2xx leaves the call up). */
export function scenario({ user, method = 'INVITE', body, headers = [], expect, awaitBye = false }: RequestOptions): string {
  const content = body ?? (method === 'INVITE' ? SDP : '');
  const defaults = headers.some((header) => /^max-forwards:/i.test(header)) ? [] : ['Max-Forwards: 70'];
  const extra = [...defaults, ...headers, ...(content ? ['Content-Type: application/sdp'] : [])].join('\n');
  // A non-2xx's ACK belongs to the INVITE's transaction (its Via); a 2xx's starts a new one.
  const via = expect >= 300 ? '[last_Via:]' : 'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]';
  const ack =
    method === 'INVITE'
      ? `<send><![CDATA[
ACK sip:${user}@[remote_ip]:[remote_port] SIP/2.0
${via}
[last_From:]
[last_To:]
[last_Call-ID:]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>`
      : '';
  const bye = awaitBye
    ? `<recv request="BYE" timeout="20000"/>
<send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>`
    : '';
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="parley test">
<send retrans="500"><![CDATA[
${method} sip:${user}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "caller" <sip:4930555${'[call_number]'}@[local_ip]:[local_port]>;tag=[pid]tag[call_number]
To: <sip:${user}@[remote_ip]:[remote_port]>${method === 'BYE' ? ';tag=nodialog' : ''}
Call-ID: [call_id]
CSeq: 1 ${method}
Contact: <sip:caller@[local_ip]:[local_port]>
${extra}
Content-Length: [len]

${content}]]></send>
<recv response="100" optional="true"/>
<recv response="180" optional="true"/>
<recv response="${expect}"/>
${ack}
${bye}
</scenario>
`;
}

export interface SippRun {
  target: string;
  /** Calls to make, one after another at `rate` per second. */
  calls?: number;
  rate?: number;
  /** Source address (any of 127.0.0.0/8 in the tests' namespace). */
  from?: string;
  transport?: 'udp' | 'tcp';
  /** The [service] keyword of a scenario (sipp -s): the Request-URI's user. */
  service?: string;
}

export async function runSipp(xml: string, { target, calls = 1, rate = 10, from = '127.0.0.1', transport = 'udp', service }: SippRun): Promise<void> {
  const directory = await mkdtemp(path.join(tmpdir(), 'parley-sipp-'));
  const file = path.join(directory, 'scenario.xml');
  const errors = path.join(directory, 'errors.log');
  await writeFile(file, xml);
  try {
    await runTool(
      'sipp',
      [target, '-sf', file, '-m', String(calls), '-r', String(rate), '-i', from, '-p', '0', '-mp', String(await freePort()), '-t', transport === 'udp' ? 'u1' : 't1',
        ...(service ? ['-s', service] : []), '-timeout', '20', '-timeout_error', '-recv_timeout', '8000', '-trace_err', '-error_file', errors, '-nostdin'],
      { timeoutMs: 40_000 },
    );
  } catch (error) {
    const log = await readFile(errors, 'utf8').catch(() => '(no error log)');
    throw new Error(`SIPp's calls did not all get the expected answer:\n${log.slice(-3_000)}\n${(error as Error).message.slice(0, 1_000)}`);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/**
 * A scanner's flood from `from`: `count` datagrams at `target`, every
 * fourth a 20 kB blob and the rest INVITEs to made-up PINs, then runs
 * `meanwhile`. Resolves with how many answers came back by then.
 */
export async function sipFlood(target: string, from: string, count: number, meanwhile: () => Promise<void>): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, from, resolve));
  let answers = 0;
  socket.on('message', () => answers++);
  const [host, port] = target.split(':');
  const sending: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const datagram = i % 4 === 0 ? Buffer.alloc(20_000, 'A') : Buffer.from(floodInvite(i, from, socket.address().port));
    sending.push(new Promise((resolve) => socket.send(datagram, Number(port), host, resolve)));
    if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(sending);
  // Answers to the last of them are still in flight while `meanwhile` runs.
  await meanwhile();
  return new Promise((resolve) => socket.close(() => resolve(answers)));
}

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
