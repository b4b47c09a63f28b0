/**
 * The usual set-up of an end-to-end test file: a Parley with a real worker
 * and a headless Chromium, started before its tests and stopped after them.
 */
import { after, afterEach, before } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Parley } from '../../src/server.js';
import { launchBrowser } from '../../testkit/browser.js';
import { startTestParley } from '../../testkit/parley.js';
import { HOOK } from './timeouts.js';

export interface MeetingFixture {
  parley: Parley;
  browser: Browser;
}

export function meetingFixture(overrides: Record<string, string> = {}): MeetingFixture {
  const fixture = {} as MeetingFixture;
  before(async () => {
    fixture.parley = await startTestParley(overrides);
    fixture.browser = await launchBrowser();
  }, HOOK);
  // Pages left open by a failed test would go on holding a call into the next one.
  afterEach(async () => {
    for (const context of fixture.browser?.contexts() ?? []) await context.close();
  }, HOOK);
  after(async () => {
    await fixture.browser?.close();
    await fixture.parley?.close();
  }, HOOK);
  return fixture;
}

