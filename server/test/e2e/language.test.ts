/**
 * The client's language follows the browser's: a German browser gets the
 * German start and pre-join pages and `<html lang="de">`; the default
 * (English) is what every other end-to-end test finds its controls by.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PAGE_TIMEOUT_MS } from '../../testkit/browser.js';
import { createRoom } from '../../testkit/parley.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { BROWSER } from '../helpers/timeouts.js';

const meeting = meetingFixture();

test('a German browser gets the German pages and <html lang="de">', BROWSER, async () => {
  const context = await meeting.browser.newContext({ locale: 'de-DE' });
  context.setDefaultTimeout(PAGE_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(PAGE_TIMEOUT_MS);
  const page = await context.newPage();
  await page.goto(meeting.parley.url);
  await page.getByRole('button', { name: 'Neue Besprechung starten' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'de');

  const room = await createRoom(meeting.parley);
  await page.goto(room.url);
  await page.getByRole('heading', { name: 'Bereit zum Beitreten?' }).waitFor();
  await page.getByLabel('Ihr Name').waitFor();
  await page.getByRole('button', { name: 'Beitreten' }).waitFor();
  await context.close();
});

test('an English browser keeps English and <html lang="en">', BROWSER, async () => {
  const context = await meeting.browser.newContext({ locale: 'en-US' });
  context.setDefaultTimeout(PAGE_TIMEOUT_MS);
  const page = await context.newPage();
  await page.goto(meeting.parley.url);
  await page.getByRole('button', { name: 'Start a new meeting' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await context.close();
});
