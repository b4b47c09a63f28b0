/**
 * axe-core in real Chromium, on every screen a person meets: the start
 * page, the pre-join screen, the lobby (a waiting guest, and the host who
 * sees them), and the meeting (recorded, so with its badge; with the
 * host's recording and live-stream dialog, the Studio dialog with a stream
 * key and a viewer token shown, a person's actions menu, and on
 * a phone the people sheet open), each on a phone (390×844) and a laptop
 * (1280×800). No critical or serious violation is allowed, and the rules
 * the user study tripped (contrast, one main landmark, a top-level heading,
 * scrollable regions reachable by keyboard) must pass outright.
 *
 * The page's CSP forbids inline scripts, so axe is not added as a <script>:
 * page.evaluate runs its source through the DevTools protocol, which the
 * CSP does not govern.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { joinMeeting, openParticipant } from '../../testkit/browser.js';
import { createRoom, SIP_ON } from '../../testkit/parley.js';
import { withDeadline } from '../../testkit/wait.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { BROWSER } from '../helpers/timeouts.js';

// SIP on: hosts' people panel then has the Phone section (dial-in and the call form), audited with the rest.
const meeting = meetingFixture(SIP_ON);
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SIZES = { phone: { width: 390, height: 844 }, laptop: { width: 1280, height: 800 } } as const;
const SHOTS = process.env['PARLEY_SCREENSHOTS'] === '1' ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url)) : undefined;
/** Rules the user study failed: these pass outright, whatever axe calls their impact. */
const MUST_PASS = ['color-contrast', 'landmark-no-duplicate-main', 'landmark-main-is-top-level', 'page-has-heading-one', 'scrollable-region-focusable'];

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Runs axe on the page as it is now; returns the violations. */
async function audit(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const run = page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Violation[] }> } }).axe;
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map(({ id, impact, help, nodes }) => ({
      id,
      impact: impact ?? null,
      help,
      nodes: nodes.map(({ target, failureSummary }) => ({ target, failureSummary })),
    }));
  });
  // page.evaluate has no timeout of its own.
  return withDeadline(run, 30_000, 'axe to finish');
}

const summary: string[] = [];

/** Audits `page` at both sizes and asserts: no critical or serious violation, and the study's rules all pass. */
async function check(page: Page, what: string, shot?: Partial<Record<keyof typeof SIZES, string>>): Promise<void> {
  for (const [size, viewport] of Object.entries(SIZES) as [keyof typeof SIZES, (typeof SIZES)[keyof typeof SIZES]][]) {
    await page.setViewportSize(viewport);
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const violations = await audit(page);
    const count = (impact: string) => violations.filter((violation) => violation.impact === impact).length;
    const line = `${what}, ${size}: critical ${count('critical')}, serious ${count('serious')}, moderate ${count('moderate')}, minor ${count('minor')}`;
    summary.push(line);
    console.log(`[axe] ${line}`);
    for (const violation of violations) console.log(`[axe]   ${violation.impact} ${violation.id}: ${violation.nodes.map((node) => JSON.stringify(node.target)).join(' ')}`);
    const blocking = violations.filter((violation) => violation.impact === 'critical' || violation.impact === 'serious' || MUST_PASS.includes(violation.id));
    assert.deepEqual(blocking, [], `${what} (${size}) has accessibility violations:\n${JSON.stringify(blocking, null, 2)}`);
    const file = shot?.[size];
    if (SHOTS && file) {
      mkdirSync(SHOTS, { recursive: true });
      await page.mouse.move(0, 0);
      await page.screenshot({ path: `${SHOTS}${file}`, animations: 'disabled', caret: 'hide' });
    }
  }
}

test('the start page, pre-join screen and lobby have no serious accessibility violations', BROWSER, async () => {
  const room = await createRoom(meeting.parley);
  const guest = await openParticipant(meeting.browser, meeting.parley.url);
  await guest.page.goto(meeting.parley.url);
  await guest.page.getByRole('button', { name: 'Start a new meeting' }).waitFor();
  await check(guest.page, 'start page');

  await guest.page.goto(room.url);
  await guest.page.getByLabel('Your name').fill('Guest Visitor');
  // Once the camera runs, its status line is empty and the device lists are filled.
  await guest.page.locator('#camera-select option').first().waitFor({ state: 'attached' });
  await check(guest.page, 'pre-join', { laptop: 'prejoin-laptop.png', phone: 'prejoin-phone.png' });

  await guest.page.getByRole('button', { name: 'Join' }).click();
  await guest.page.getByText('Waiting for the host to let you in…').waitFor();
  await check(guest.page, 'lobby (waiting guest)', { phone: 'lobby-guest-phone.png' });

  // The host meets the waiting guest in the people panel.
  const host = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  // The knock also shows a toast with the same buttons: the panel's are the ones meant here.
  await host.page.getByRole('region', { name: 'Waiting to join' }).getByRole('button', { name: 'Admit Guest Visitor' }).waitFor();
  await check(host.page, 'lobby (host admitting)', { laptop: 'lobby-host-laptop.png' });
  await guest.context.close();
  await host.context.close();
});

test('the meeting has no serious accessibility violations, with menus and sheets open', BROWSER, async () => {
  const room = await createRoom(meeting.parley, { lobby: false });
  // Recorded (the room store marks it, as a recorder would): the top bars' badge is audited with the rest.
  assert.equal(await meeting.parley.store.claimEgress(room.id, 'recording', 'test-recorder'), true);
  const host = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  await host.page.getByRole('status', { name: 'This meeting is being recorded' }).waitFor();
  const bob = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(bob.page, room.url, 'Bob Martin');
  await host.page.getByRole('group', { name: 'Bob Martin', exact: true }).waitFor();
  await host.page.getByLabel('Message', { exact: true }).fill('Hello, everyone');
  await host.page.getByRole('button', { name: 'Send', exact: true }).click();
  await bob.page.getByRole('list', { name: 'Messages' }).getByText('Hello, everyone').waitFor();

  await check(host.page, 'meeting (host)');
  await check(bob.page, 'meeting (participant)');

  // The host's recording and live-stream dialog, with a refusal shown (this server has no recorder).
  await host.page.getByRole('button', { name: 'More options' }).click();
  await host.page.getByRole('button', { name: 'Recording and live stream' }).click();
  const egress = host.page.getByRole('dialog', { name: 'Recording and live stream' });
  await egress.getByRole('button', { name: 'Stop recording' }).waitFor();
  await egress.getByRole('textbox', { name: 'Stream URL (RTMP or RTMPS, with stream key)' }).fill('rtmp://live.example.com/app/key');
  await egress.getByRole('button', { name: 'Start streaming' }).click();
  await egress.getByRole('alert').getByText('This server does not record or stream meetings.').waitFor();
  await check(host.page, 'recording and live-stream dialog (host)');
  await egress.getByRole('button', { name: 'Close' }).click();

  // The host's Studio dialog, with a stream key, its list and a viewer token shown.
  await host.page.getByRole('button', { name: 'More options' }).click();
  await host.page.getByRole('button', { name: 'Studio (WHIP and WHEP)' }).click();
  const studio = host.page.getByRole('dialog', { name: 'Studio (WHIP and WHEP)' });
  await studio.getByRole('textbox', { name: 'Name on stage' }).fill('OBS — Studio A');
  await studio.getByRole('button', { name: 'Create stream key' }).click();
  await studio.getByRole('button', { name: 'Revoke stream key OBS — Studio A' }).waitFor();
  await studio.getByRole('button', { name: 'Create viewer link' }).click();
  await studio.getByRole('textbox', { name: 'Viewer token' }).waitFor();
  await check(host.page, 'Studio dialog (host)');
  await studio.getByRole('button', { name: 'Close' }).click();

  // A person's actions menu, open.
  await host.page.setViewportSize(SIZES.laptop);
  await host.page.getByRole('button', { name: 'Actions for Bob Martin' }).click();
  await host.page.getByRole('menu', { name: 'Actions for Bob Martin' }).waitFor();
  const violations = await audit(host.page);
  const blocking = violations.filter((violation) => violation.impact === 'critical' || violation.impact === 'serious');
  summary.push(`meeting with an actions menu open, laptop: critical/serious ${blocking.length}, all ${violations.length}`);
  assert.deepEqual(blocking, [], JSON.stringify(blocking, null, 2));
  await host.page.keyboard.press('Escape');

  // On a phone, the people panel is a sheet over the call.
  await host.page.setViewportSize(SIZES.phone);
  await host.page.getByRole('button', { name: /^People 2/ }).click();
  await host.page.getByRole('button', { name: 'Close people' }).waitFor();
  await host.page.getByRole('region', { name: 'Phone' }).getByRole('textbox', { name: 'Phone number or SIP address' }).waitFor();
  const sheet = (await audit(host.page)).filter((violation) => violation.impact === 'critical' || violation.impact === 'serious' || MUST_PASS.includes(violation.id));
  summary.push(`meeting with the people sheet open, phone: critical/serious ${sheet.length}`);
  assert.deepEqual(sheet, [], JSON.stringify(sheet, null, 2));

  console.log(`[axe] summary:\n  ${summary.join('\n  ')}`);
  await host.context.close();
  await bob.context.close();
});
