/**
 * Several nodes sharing one real redis-server. Two Chromium participants in
 * one room on different nodes see and hear each other through a node-to-node
 * pipe; when one node is killed its participant comes back through the other
 * node with role and chat intact; a Redis restart does not stop the call.
 * A mediasoup worker killed on one node moves its person's media to the
 * replacement, and the node-to-node pipes are set up again.
 */
import { readFile } from 'node:fs/promises';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { inboundTotals, joinMeeting, launchBrowser, openParticipant, watchForNewRemoteFrame } from '../../testkit/browser.js';
import { waitUntil } from '../../testkit/wait.js';
import { FailoverProxy } from '../../testkit/failover-proxy.js';
import { NodeProcess } from '../../testkit/node-process.js';
import { createRoom } from '../../testkit/parley.js';
import { TestRedis } from '../../testkit/redis.js';
import { TestSocket } from '../../testkit/ws-client.js';
import { HOOK, MULTI_NODE } from '../helpers/timeouts.js';

/** A node that dies must be replaced, in the participant's eyes, within this. */
const FAILOVER_BOUND_MS = 30_000;

let redis: TestRedis;
let nodeA: NodeProcess;
let nodeB: NodeProcess;
let proxy: FailoverProxy;
let browser: Browser;

before(async () => {
  redis = await TestRedis.start();
  const shared = { PARLEY_REDIS_URL: redis.url, PARLEY_SECRET: 'multi-node-test-secret-of-32-characters!' };
  nodeA = await NodeProcess.start({ ...shared, PARLEY_NODE_ID: 'node-a' });
  nodeB = await NodeProcess.start({ ...shared, PARLEY_NODE_ID: 'node-b' });
  proxy = await FailoverProxy.start([nodeA.url, nodeB.url].map((url) => Number(new URL(url).port)));
  browser = await launchBrowser();
}, HOOK);

after(async () => {
  await browser?.close();
  await proxy?.close();
  await nodeA?.kill();
  await nodeB?.kill();
  await redis?.stop();
}, HOOK);

const decodesMore = async (page: Page, who: string) => {
  const start = await inboundTotals(page);
  await waitUntil(() => inboundTotals(page), (t) => t.framesDecoded >= start.framesDecoded + 20 && t.audioSamples > start.audioSamples, 30_000, `${who} to decode more media`);
};

/** The mediasoup worker of a node (its only child process: each test node runs one worker). */
async function workerPidOf(node: NodeProcess): Promise<number> {
  const children = (await readFile(`/proc/${node.pid}/task/${node.pid}/children`, 'utf8')).trim().split(/\s+/).filter(Boolean);
  for (const child of children) {
    if ((await readFile(`/proc/${child}/comm`, 'utf8')).trim().startsWith('mediasoup')) return Number(child);
  }
  throw new Error(`node ${node.url} has no mediasoup worker among its children ${children.join(', ')}`);
}

test('a worker killed on one node: its person stays in the meeting and the pipes between the nodes are set up again', MULTI_NODE, async () => {
  const room = await createRoom(nodeA, { lobby: false });
  const alice = await openParticipant(browser, nodeA.url);
  const bob = await openParticipant(browser, nodeB.url);
  await joinMeeting(alice.page, `${nodeA.url}/r/${room.id}`, 'Alice');
  await joinMeeting(bob.page, `${nodeB.url}/r/${room.id}`, 'Bob');
  await decodesMore(alice.page, 'Alice (node A)');
  await decodesMore(bob.page, 'Bob (node B)');
  const newFrame = { alice: await watchForNewRemoteFrame(alice.page), bob: await watchForNewRemoteFrame(bob.page) };
  process.kill(await workerPidOf(nodeB), 'SIGKILL');
  await newFrame.bob(30_000, 'Bob to see Alice again through the new pipe');
  await newFrame.alice(30_000, 'Alice to see the moved Bob');
  await decodesMore(alice.page, 'Alice after the worker died');
  await decodesMore(bob.page, 'Bob after the worker died');
  assert.equal(await bob.page.getByRole('group', { name: 'Alice' }).count(), 1);
  assert.equal(await alice.page.getByRole('group', { name: 'Bob' }).count(), 1);
  await alice.context.close();
  await bob.context.close();
});

test('one room across two nodes, a node killed, Redis restarted', MULTI_NODE, async () => {
  // Alice reaches the nodes through the load balancer (node A first); Bob goes to node B.
  const room = await createRoom(proxy, { lobby: false });
  const alice = await openParticipant(browser, proxy.url);
  const bob = await openParticipant(browser, nodeB.url);
  await joinMeeting(alice.page, room.hostUrl, 'Alice');
  await joinMeeting(bob.page, `${nodeB.url}/r/${room.id}`, 'Bob');

  await alice.page.getByRole('group', { name: 'Bob' }).waitFor();
  await bob.page.getByRole('group', { name: 'Alice' }).waitFor();
  await decodesMore(alice.page, 'Alice (node A)');
  await decodesMore(bob.page, 'Bob (node B)');

  await alice.page.getByLabel('Message', { exact: true }).fill('before the crash');
  await alice.page.getByRole('button', { name: 'Send', exact: true }).click();
  await bob.page.getByRole('list', { name: 'Messages' }).getByText('before the crash').waitFor();

  // Node A dies. Alice's page reconnects through the balancer to node B.
  const killedAt = Date.now();
  await nodeA.kill();
  await alice.page.getByRole('button', { name: 'Lock meeting' }).waitFor({ timeout: FAILOVER_BOUND_MS });
  await alice.page.getByRole('group', { name: 'Bob' }).waitFor({ timeout: FAILOVER_BOUND_MS });
  await decodesMore(alice.page, 'Alice after failover');
  await decodesMore(bob.page, 'Bob after failover');
  const recoveredIn = Date.now() - killedAt;
  assert.ok(recoveredIn < FAILOVER_BOUND_MS + 30_000, `media back after ${recoveredIn} ms`);
  await waitUntil(() => bob.page.getByRole('group', { name: 'Alice' }).count(), (count) => count === 1, 15_000, 'exactly one Alice on Bob’s screen');
  await alice.page.getByRole('list', { name: 'Messages' }).getByText('before the crash').waitFor();
  console.log(`# failover: Alice had media again ${recoveredIn} ms after node A was killed`);

  // Redis restarts (and loses everything): the call goes on, joins fail clearly meanwhile, then work.
  await redis.stop();
  await decodesMore(bob.page, 'Bob while Redis is down');
  const refused = await TestSocket.open(nodeB.url, room.id);
  const answer = await refused.request('getRouterRtpCapabilities');
  assert.equal(answer.error?.code, 'unavailable');
  await refused.close();
  await redis.restart();
  await decodesMore(alice.page, 'Alice after Redis came back');
  const carol = await openParticipant(browser, nodeB.url);
  await waitUntil(
    async () => (await fetch(`${nodeB.url}/healthz`, { signal: AbortSignal.timeout(5_000) })).ok,
    Boolean,
    10_000,
    'node B to be healthy',
  );
  await waitUntil(
    async () => {
      const socket = await TestSocket.open(nodeB.url, room.id);
      const caps = await socket.request('getRouterRtpCapabilities');
      await socket.close();
      return caps.ok === true;
    },
    Boolean,
    20_000,
    'the room to be back in Redis',
  );
  await joinMeeting(carol.page, `${nodeB.url}/r/${room.id}`, 'Carol');
  await carol.page.getByRole('group', { name: 'Alice' }).waitFor();
  await carol.page.getByRole('group', { name: 'Bob' }).waitFor();

  for (const participant of [alice, bob, carol]) await participant.context.close();
});
