/**
 * The usual set-up of a test file: a Parley with a real worker (and, for
 * end-to-end files, a headless Chromium), started before its tests and
 * stopped after them.
 */
import { after, afterEach, before } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Parley } from '../../src/server.js';
import { launchBrowser } from '../../testkit/browser.js';
import { startTestParley } from '../../testkit/parley.js';
import { TestRedis } from '../../testkit/redis.js';
import type { TestSocket } from '../../testkit/ws-client.js';
import { HOOK } from './timeouts.js';

export interface MeetingFixture {
  parley: Parley;
  browser: Browser;
}

/** A Parley for the tests of this file (or `describe` block): `fixture.parley` once they run. */
export function serverFixture(overrides: Record<string, string> = {}): { parley: Parley } {
  const fixture = {} as { parley: Parley };
  before(async () => {
    fixture.parley = await startTestParley(overrides);
  }, HOOK);
  after(async () => {
    await fixture.parley?.close();
  }, HOOK);
  return fixture;
}

/** `browserArgs`: further Chromium flags, e.g. a WAV file as every page's microphone. */
export function meetingFixture(overrides: Record<string, string> = {}, browserArgs: string[] = []): MeetingFixture {
  const fixture = {} as MeetingFixture;
  before(async () => {
    fixture.parley = await startTestParley(overrides);
    fixture.browser = await launchBrowser(browserArgs);
  }, HOOK);
  // Pages left open by a failed test would go on holding a call into the next one.
  afterEach(async () => {
    for (const context of fixture.browser?.contexts() ?? []) await context.close();
  }, HOOK);
  // The browser goes first, so no page reconnects to a server that is closing.
  after(async () => {
    await fixture.browser?.close();
    await fixture.parley?.close();
  }, HOOK);
  return fixture;
}


export interface TwoNodes {
  nodeA: Parley;
  nodeB: Parley;
  /** Sockets the tests open, closed before the nodes. */
  sockets: TestSocket[];
}

/** Two Parley nodes sharing a real redis-server, for the tests of this file: `nodes.nodeA` and `nodes.nodeB` once they run. */
export function twoNodesFixture(overrides: Record<string, string> = {}): TwoNodes {
  const nodes = { sockets: [] } as unknown as TwoNodes;
  let redis: TestRedis | undefined;
  before(async () => {
    redis = await TestRedis.start();
    const shared = { PARLEY_REDIS_URL: redis.url, PARLEY_SECRET: 'two-nodes-test-secret-of-32-characters!', ...overrides };
    nodes.nodeA = await startTestParley({ ...shared, PARLEY_NODE_ID: 'node-a' });
    nodes.nodeB = await startTestParley({ ...shared, PARLEY_NODE_ID: 'node-b' });
  }, HOOK);
  after(async () => {
    await Promise.all(nodes.sockets.map((socket) => socket.close()));
    await nodes.nodeA?.close();
    await nodes.nodeB?.close();
    await redis?.stop();
  }, HOOK);
  return nodes;
}
