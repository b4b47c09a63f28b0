/**
 * Extras of a call in real Chromium: reactions reach everyone with the
 * sender's name, the connection-quality indicator grades a loopback link as
 * good, and noise suppression is switched on the microphone being sent.
 */
import { test } from 'node:test';
import { startCall } from '../../testkit/browser.js';
import { meetingFixture } from '../helpers/meeting-fixture.js';
import { BROWSER } from '../helpers/timeouts.js';

const meeting = meetingFixture();

test('a reaction reaches everyone; the link is graded; noise suppression turns off and on', BROWSER, async () => {
  const {
    participants: [alice, bob],
  } = await startCall(meeting.parley, meeting.browser, ['Alice', 'Bob']);

  await alice.page.getByRole('button', { name: 'More options' }).click();
  await alice.page.getByRole('group', { name: 'Send a reaction' }).getByRole('button', { name: 'React with applause' }).click();
  await bob.page.getByRole('list', { name: 'Reactions' }).getByText('Alice: applause').waitFor();
  await alice.page.getByRole('list', { name: 'Reactions' }).getByText('Alice (you): applause').waitFor();

  await bob.page.getByRole('img', { name: 'Connection: good' }).waitFor();

  await alice.page.getByRole('button', { name: 'More options' }).click();
  await alice.page.getByRole('button', { name: 'Choose camera, microphone and speaker' }).click();
  const box = alice.page.getByRole('checkbox', { name: 'Noise suppression' });
  await box.uncheck();
  await alice.page.getByText('Noise suppression is off.').waitFor();
  await box.check();
  await alice.page.getByText('Noise suppression is on.').waitFor();
});
