/**
 * The usual set-up of an end-to-end test file: a Parley with a real worker
 * and a headless Chromium, started before its tests and stopped after them.
 */
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Parley } from '../../src/server.js';
import { launchBrowser } from './browser.js';
import { startTestParley } from './parley.js';

export interface MeetingFixture {
  parley: Parley;
  browser: Browser;
}

export function meetingFixture(overrides: Record<string, string> = {}): MeetingFixture {
  const fixture = {} as MeetingFixture;
  before(async () => {
    fixture.parley = await startTestParley(overrides);
    fixture.browser = await launchBrowser();
  });
  after(async () => {
    await fixture.browser?.close();
    await fixture.parley?.close();
  });
  return fixture;
}
