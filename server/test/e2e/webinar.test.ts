/**
 * A webinar in real Chromium: a host and a panelist on stage, an attendee
 * who watches them, sees the audience count and no camera control, asks a
 * question the host answers, raises a hand the host sees, and is brought
 * onto the panel (their camera reaches both panelists) and sent back (it
 * goes away). Also at a phone's size.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { joinMeeting, openParticipant, tileVideo } from '../../testkit/browser.js';
import { createRoom } from '../../testkit/parley.js';
import { waitUntil } from '../../testkit/wait.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { BROWSER } from '../helpers/timeouts.js';

const meeting = meetingFixture();

/** Waits until the tile named `name` shows decoded video. */
async function seesVideoOf(page: Page, name: string, who: string): Promise<void> {
  await page.getByRole('group', { name, exact: true }).waitFor();
  await waitUntil(() => tileVideo(page, name), (video) => video.frames > 0 && video.width > 0, 30_000, `${who} to see ${name}'s video`);
}

test('a webinar: attendee watches, asks, raises a hand, joins the panel and leaves it', BROWSER, async () => {
  const room = await createRoom(meeting.parley, { lobby: false });
  const host = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(host.page, room.hostUrl, 'Hostess');
  const panelist = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(panelist.page, room.url, 'Paul');

  // The host turns the meeting into a webinar from the call's further tools: Paul stays on the panel.
  await host.page.getByRole('button', { name: 'More options' }).click();
  await host.page.getByRole('button', { name: 'Turn webinar mode on' }).click();
  await host.page.getByText('0 attendees').waitFor();

  const attendee = await openParticipant(meeting.browser, meeting.parley.url);
  await joinMeeting(attendee.page, room.url, 'Ann');
  const ann = attendee.page;
  await seesVideoOf(ann, 'Hostess', 'the attendee');
  await seesVideoOf(ann, 'Paul', 'the attendee');
  await ann.getByText('1 attendee', { exact: true }).waitFor();
  assert.equal(await ann.getByRole('button', { name: 'Turn camera on' }).count(), 0, 'an attendee has no camera control');
  assert.equal(await ann.getByRole('button', { name: 'Turn camera off' }).count(), 0);
  assert.equal(await ann.getByRole('button', { name: 'Mute microphone' }).count(), 0);
  assert.equal(await ann.getByRole('button', { name: 'Chat' }).count(), 0, 'questions instead of the chat');
  await host.page.getByText('1 attendee', { exact: true }).waitFor();
  await host.page.getByRole('heading', { name: 'Attendees (1)' }).waitFor();
  assert.equal(await panelist.page.getByRole('group', { name: 'Ann', exact: true }).count(), 0, 'an attendee has no tile');

  // A question, answered by the host; the attendee reads the answer.
  await ann.getByLabel('Your question').fill('Will the slides be shared?');
  await ann.getByRole('button', { name: 'Ask a question' }).click();
  await ann.getByText('Waiting for an answer').waitFor();
  await host.page.getByRole('button', { name: 'Questions and answers' }).click();
  await host.page.getByText('Will the slides be shared?').waitFor();
  await host.page.getByLabel('Your answer to Ann').fill('Yes, right after the talk.');
  await host.page.getByRole('button', { name: "Answer Ann's question" }).click();
  await ann.getByText('Yes, right after the talk.').waitFor();
  await ann.getByText('Hostess answered').waitFor();

  // A raised hand shows in the host's list of attendees.
  await ann.getByRole('button', { name: 'Raise hand' }).click();
  await host.page.getByRole('listitem', { name: 'Ann' }).getByText('hand raised').waitFor();

  // Onto the panel: Ann's camera (on before she joined) reaches both panelists.
  await host.page.getByRole('button', { name: 'Make Ann a panelist' }).click();
  await ann.getByText('A host made you a panelist').waitFor();
  await seesVideoOf(host.page, 'Ann', 'the host');
  await seesVideoOf(panelist.page, 'Ann', 'the panelist');
  await ann.getByRole('button', { name: 'Turn camera off' }).waitFor();

  // Back to the audience: her tile goes away for both.
  await host.page.getByRole('button', { name: 'Actions for Ann' }).click();
  await host.page.getByRole('menuitem', { name: 'Make Ann an attendee' }).click();
  await host.page.getByRole('group', { name: 'Ann', exact: true }).waitFor({ state: 'detached' });
  await panelist.page.getByRole('group', { name: 'Ann', exact: true }).waitFor({ state: 'detached' });
  await ann.getByText('A host made you an attendee').waitFor();
  await ann.getByRole('button', { name: 'Turn camera off' }).waitFor({ state: 'detached' });

  // At a phone's size the attendee still has the hand, the questions and the count.
  await ann.setViewportSize({ width: 390, height: 844 });
  for (const name of ['Lower hand', 'Questions and answers', 'Leave']) {
    assert.equal(await ann.getByRole('button', { name }).isVisible(), true, `${name} is on screen at 390x844`);
  }
  await ann.getByRole('button', { name: 'Questions and answers' }).click();
  await ann.getByRole('button', { name: 'Ask a question' }).waitFor();
  assert.equal(await ann.getByText('Yes, right after the talk.').isVisible(), true, 'the answer is in the sheet');
});
