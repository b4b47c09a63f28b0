/**
 * Recovery under load: how long media is gone when a mediasoup worker or a
 * whole node dies mid-call, with `stress-ng --cpu 2` loading the machine
 * beside it (STRESS=0 runs without). Each sample runs from the SIGKILL to
 * the first frame a page presents from a remote camera track it did not
 * show before (requestVideoFrameCallback).
 *   - Worker: two Chromium pages in a call on one node with WORKERS workers
 *     (default: one per core, as in production); KILLS times (default 10)
 *     the worker serving the room is killed; the sample is the later of the
 *     two pages' first new frame.
 *   - Node: two nodes, Redis and a failover proxy, as in the multi-node
 *     test; one page reaches node A through the proxy, the other node B
 *     directly. NODE_KILLS times (default 3, each with fresh nodes) node A
 *     is killed; the sample is the first new frame on the page that lost
 *     its node (the other page's first frame of the moved person is
 *     reported beside it).
 * Prints p50, p95 and max of each and writes bench-results/recovery.json.
 *   scripts/bench.sh recovery
 */
import os from 'node:os';
import type { Browser } from 'playwright-core';
import { joinMeeting, launchBrowser, openParticipant, watchForNewRemoteFrame, type Participant } from '../../server/testkit/browser.js';
import { FailoverProxy } from '../../server/testkit/failover-proxy.js';
import { NodeProcess } from '../../server/testkit/node-process.js';
import { createRoom, startTestParley } from '../../server/testkit/parley.js';
import { TestProcess } from '../../server/testkit/processes.js';
import { TestRedis } from '../../server/testkit/redis.js';
import { waitUntil } from '../../server/testkit/wait.js';
import { median, percentile, saveResults } from './results.js';

const kills = Number(process.env['KILLS'] ?? 10);
const nodeKills = Number(process.env['NODE_KILLS'] ?? 3);
const workers = Number(process.env['WORKERS'] ?? os.availableParallelism());
const stress = process.env['STRESS'] !== '0';
/** A sample that takes longer than this fails the run: recovery did not happen. */
const RECOVERY_DEADLINE_MS = 60_000;

const summary = (samples: number[]) => ({
  samplesMs: samples,
  p50Ms: samples.length ? median(samples) : undefined,
  p95Ms: samples.length ? percentile(samples, 95) : undefined,
  maxMs: samples.length ? Math.max(...samples) : undefined,
});

/** Both pages show each other's video (a new frame since `watch` was called), so a call is up. */
async function bothSeeEachOther(a: Participant, b: Participant): Promise<void> {
  const [fromB, fromA] = await Promise.all([watchForNewRemoteFrame(a.page), watchForNewRemoteFrame(b.page)]);
  await Promise.all([fromB(RECOVERY_DEADLINE_MS, 'the first frame on the first page'), fromA(RECOVERY_DEADLINE_MS, 'the first frame on the second page')]);
}

async function workerKills(browser: Browser): Promise<number[]> {
  const parley = await startTestParley({ PARLEY_WORKERS: String(workers) });
  const samples: number[] = [];
  try {
    const room = await createRoom(parley, { lobby: false });
    const alice = await openParticipant(browser, parley.url);
    const bob = await openParticipant(browser, parley.url);
    await joinMeeting(alice.page, room.url, 'Alice');
    const upFirst = watchForNewRemoteFrame(alice.page);
    await joinMeeting(bob.page, room.url, 'Bob');
    await (await upFirst)(RECOVERY_DEADLINE_MS, 'the call to start');
    const meeting = (await parley.meetings.list()).find((candidate) => candidate.id === room.id)!;
    const alicePeer = meeting.roster.all().find((peer) => peer.displayName === 'Alice')!;
    for (let i = 0; i < kills; i++) {
      // Each kill meets a full pool, as the first did.
      await waitUntil(async () => parley.pool.size, (size) => size === workers, 30_000, 'the pool to be full again');
      const router = meeting.media.routerOf(alicePeer.id);
      if (!router) throw new Error('Alice has no router');
      let pid: number | undefined;
      for (const worker of parley.pool.liveWorkers()) if ((await worker.dump()).routerIds.includes(router.id)) pid = worker.pid;
      if (!pid) throw new Error('no live worker serves the room');
      const watches = await Promise.all([watchForNewRemoteFrame(alice.page), watchForNewRemoteFrame(bob.page)]);
      const killedAt = Date.now();
      process.kill(pid, 'SIGKILL');
      const [aliceAt, bobAt] = await Promise.all([
        watches[0](RECOVERY_DEADLINE_MS, `Alice's first new frame after kill ${i + 1}`),
        watches[1](RECOVERY_DEADLINE_MS, `Bob's first new frame after kill ${i + 1}`),
      ]);
      const ms = Math.max(aliceAt, bobAt) - killedAt;
      samples.push(ms);
      console.log(`worker kill ${i + 1}: media back on both pages after ${ms} ms (Alice ${aliceAt - killedAt}, Bob ${bobAt - killedAt})`);
    }
    await alice.context.close();
    await bob.context.close();
  } finally {
    await parley.close();
  }
  return samples;
}

async function nodeKill(browser: Browser, redis: TestRedis, round: number): Promise<{ lostNode: number; other: number }> {
  const shared = { PARLEY_REDIS_URL: redis.url, PARLEY_SECRET: 'recovery-bench-secret-of-32-characters!!' };
  const nodes: NodeProcess[] = [];
  let proxy: FailoverProxy | undefined;
  try {
    nodes.push(await NodeProcess.start({ ...shared, PARLEY_NODE_ID: `node-a-${round}` }));
    nodes.push(await NodeProcess.start({ ...shared, PARLEY_NODE_ID: `node-b-${round}` }));
    const [nodeA, nodeB] = nodes as [NodeProcess, NodeProcess];
    proxy = await FailoverProxy.start([nodeA.url, nodeB.url].map((url) => Number(new URL(url).port)));
    const room = await createRoom(proxy, { lobby: false });
    const alice = await openParticipant(browser, proxy.url);
    const bob = await openParticipant(browser, nodeB.url);
    await joinMeeting(alice.page, `${proxy.url}/r/${room.id}`, 'Alice');
    await joinMeeting(bob.page, `${nodeB.url}/r/${room.id}`, 'Bob');
    await bothSeeEachOther(alice, bob);
    const [aliceSees, bobSees] = await Promise.all([watchForNewRemoteFrame(alice.page), watchForNewRemoteFrame(bob.page)]);
    const killedAt = Date.now();
    await nodeA.kill();
    const [aliceAt, bobAt] = await Promise.all([
      aliceSees(RECOVERY_DEADLINE_MS, `Alice's first new frame after node kill ${round}`),
      bobSees(RECOVERY_DEADLINE_MS, `Bob's first new frame of the moved Alice after node kill ${round}`),
    ]);
    console.log(`node kill ${round}: media back on the page that lost its node after ${aliceAt - killedAt} ms (on the other page ${bobAt - killedAt} ms)`);
    await alice.context.close();
    await bob.context.close();
    return { lostNode: aliceAt - killedAt, other: bobAt - killedAt };
  } finally {
    await proxy?.close();
    for (const node of nodes) await node.kill();
  }
}

const load = stress
  ? await TestProcess.start('stress-ng', ['--cpu', '2'], { what: 'stress-ng --cpu 2', ready: () => true })
  : undefined;
const browser = await launchBrowser();
const loadBefore = os.loadavg();
let workerSamples: number[] = [];
const nodeSamples: number[] = [];
const otherPageSamples: number[] = [];
try {
  if (kills > 0) workerSamples = await workerKills(browser);
  if (nodeKills > 0) {
    const redis = await TestRedis.start();
    try {
      for (let round = 1; round <= nodeKills; round++) {
        const { lostNode, other } = await nodeKill(browser, redis, round);
        nodeSamples.push(lostNode);
        otherPageSamples.push(other);
      }
    } finally {
      await redis.stop();
    }
  }
} finally {
  await browser.close();
  await load?.kill();
}
const worker = summary(workerSamples);
const node = { ...summary(nodeSamples), otherPage: summary(otherPageSamples) };
const loadAfter = os.loadavg();
console.log(`killed worker (${workerSamples.length} kills, ${workers} workers): p50 ${worker.p50Ms} ms, p95 ${worker.p95Ms} ms, max ${worker.maxMs} ms`);
console.log(`killed node (${nodeSamples.length} kills): p50 ${node.p50Ms} ms, p95 ${node.p95Ms} ms, max ${node.maxMs} ms (the other page: p50 ${node.otherPage.p50Ms} ms, max ${node.otherPage.maxMs} ms)`);
console.log(`stress-ng --cpu 2: ${stress ? 'on' : 'off'}; load average before ${loadBefore[0]!.toFixed(2)}, after ${loadAfter[0]!.toFixed(2)}`);
await saveResults('recovery', { stress, workers, loadAverage: { before: loadBefore, after: loadAfter }, worker, node });
process.exit(0);
