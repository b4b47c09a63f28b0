/**
 * docker/coturn/turnserver.conf: its denied ranges leave public addresses
 * alone, and a real coturn (Debian's package) loading it accepts TURN REST
 * credentials, relays, and refuses loopback, private and special peers.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { BlockList, isIPv4 } from 'node:net';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TestCoturn } from '../../testkit/coturn.js';
import { freePort, udpPortBound } from '../../testkit/ports.js';
import { runTool, TestProcess } from '../../testkit/processes.js';
import { HOOK, SERVER } from '../helpers/timeouts.js';

const CONFIG = fileURLToPath(new URL('../../../docker/coturn/turnserver.conf', import.meta.url));
const SECRET = 'coturn-policy-test-secret';
// Shows that relaying works at all: loopback is denied by the configuration,
// so this one address is allowed on the command line, for this test only.
const CONTROL_PEER = '127.0.0.2';
const DENIED_PEERS = ['127.0.0.1', '0.0.0.0', '10.1.2.3', '100.64.0.1', '169.254.169.254', '172.17.0.1',
  '192.168.1.1', '198.18.0.1', '224.0.0.1'];

let turnserver: TestCoturn;
let peer: TestProcess;
let peerPort: number;

before(async () => {
  const found = await runTool('turnserver', ['--version'], { timeoutMs: 10_000 }).then(() => true, () => false);
  assert.ok(found, 'turnserver is not installed (Debian package: coturn)');
  peerPort = await freePort();
  peer = await TestProcess.start('turnutils_peer', ['-L', CONTROL_PEER, '-p', String(peerPort)], {
    what: `turnutils_peer on ${CONTROL_PEER}:${peerPort}`,
    ready: () => udpPortBound(peerPort),
  });
  turnserver = await TestCoturn.start(SECRET, {
    configFile: CONFIG,
    extraArgs: ['--allow-loopback-peers', `--allowed-peer-ip=${CONTROL_PEER}`],
  });
}, HOOK);

after(async () => {
  await peer?.kill();
  await turnserver?.stop();
}, HOOK);

let client = 0;
/**
 * What coturn answers when a client with valid REST credentials relays 3
 * packets to `address`. A 437 (allocation mismatch: a parallel client's
 * port was reused too soon) says nothing about the policy, and is asked
 * again from a new port, as RFC 8656 tells a client to.
 */
async function relayTo(address: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const answer = await relayOnce(address);
    if (answer !== '437' || attempt === 3) return answer;
  }
}

async function relayOnce(address: string): Promise<string> {
  client += 1; // each client its own user, so user-quota never interferes
  const { stdout, stderr } = await runTool('turnutils_uclient', [
    '-W', SECRET, '-u', `client${client}`, '-X', '-c', '-n', '3',
    '-e', address, '-r', String(peerPort), '-p', String(turnserver.port), '127.0.0.1',
  ], { timeoutMs: 30_000 }).catch((error: { stdout: string; stderr: string }) => error);
  const output = stdout + stderr;
  if (/Total lost packets 0 /.test(output)) return 'relayed';
  return /error (\d+)/.exec(output)?.[1] ?? `no verdict:\n${output}`;
}

test('a client with REST credentials relays to an allowed peer', SERVER, async () => {
  assert.equal(await relayTo(CONTROL_PEER), 'relayed');
});

test('relaying to loopback, private and special-purpose addresses is refused', SERVER, async () => {
  const answers = await Promise.all(DENIED_PEERS.map(async (address) => [address, await relayTo(address)]));
  assert.deepEqual(answers, DENIED_PEERS.map((address) => [address, '403']));
});

test('the denied ranges cover special-purpose addresses and leave public ones alone', SERVER, async () => {
  // One list per family: node maps ::ffff:0:0/96 onto all of IPv4.
  const lists = { ipv4: new BlockList(), ipv6: new BlockList() };
  const config = await readFile(CONFIG, 'utf8');
  for (const [, first, last] of config.matchAll(/^denied-peer-ip=([^-\s]+)(?:-(\S+))?$/gm)) {
    // coturn reads an all-zero bound as open, so "::-x" would deny every IPv4 peer.
    assert.ok(first !== '::' && last !== '::', `denied-peer-ip=${first}-${last} has an open bound in coturn`);
    const family = isIPv4(first!) ? 'ipv4' : 'ipv6';
    lists[family].addRange(first!, last ?? first!, family);
  }
  const denied = (address: string) => (isIPv4(address) ? lists.ipv4.check(address, 'ipv4') : lists.ipv6.check(address, 'ipv6'));
  const special = [...DENIED_PEERS, '::1', '::ffff:10.0.0.1', '64:ff9b::a00:1', '2001:db8::1', '2002:a00:1::1',
    'fc00::1', 'fe80::1', 'ff02::1'];
  assert.deepEqual(special.filter((address) => !denied(address)), [], 'special-purpose addresses left open');
  // Public addresses, many just outside a denied range.
  const open = ['1.1.1.1', '9.255.255.255', '11.0.0.0', '100.63.255.255', '100.128.0.0', '172.15.255.255',
    '172.32.0.0', '192.167.255.255', '192.169.0.0', '203.0.114.1', '223.255.255.255', '2606:4700::1111',
    '2a00:1450:4001::1'];
  assert.deepEqual(open.filter(denied), [], 'public addresses denied');
});
