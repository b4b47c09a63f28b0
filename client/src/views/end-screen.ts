/**
 * The end of a call, for each way it can end: what happened, in plain
 * words, and only what can work from here. Rejoin is offered after leaving
 * by choice or a dropped connection, never where it would loop back to the
 * same refusal; everyone gets *Back to start* and *Start a new meeting*.
 * Camera and microphone are released.
 */
import type { EndKind } from '../connection/call-state.js';
import { h, mount } from '../dom.js';
import { newMeetingButton } from '../landing-view.js';
import { sentence } from '../plain-errors.js';

interface EndWords {
  title: string;
  text?: string;
  /** What the retry button says, when retrying can work. */
  retry?: string;
}

function words(end: EndKind, detail: string | undefined): EndWords {
  const said = detail ? sentence(detail) : undefined;
  switch (end) {
    case 'left':
      return { title: 'You left the meeting.', retry: 'Rejoin' };
    case 'left-lobby':
      return { title: 'You left the lobby.', text: 'Nobody let you in, and nobody will be asked now.', retry: 'Ask to join again' };
    case 'you-ended':
      return { title: 'You ended the meeting.', text: 'Everyone was disconnected, and its link no longer works.' };
    case 'ended':
      return { title: 'The host ended the meeting.', text: 'Its link no longer works.' };
    case 'removed':
      return { title: said ?? 'A host removed you from the meeting.', text: 'You cannot rejoin this meeting.' };
    case 'denied':
      return { title: said ?? 'The host did not let you in.', text: 'You cannot ask to join this meeting again.' };
    case 'replaced':
      return { title: 'You joined from another tab or device.', text: 'The meeting continues there.' };
    case 'not-found':
      return { title: 'This meeting is over, or the link is not valid.', text: 'Ask whoever invited you for a new link, or start a meeting of your own.' };
    case 'refused':
      return { title: 'You could not join the meeting.', text: said };
    case 'server-gone':
      return {
        title: 'The server went away.',
        text: 'Parley lost its connection to the server and could not get it back for about a minute. It may have restarted or gone down; your link is not the problem.',
        retry: 'Rejoin',
      };
    case 'meeting-lost':
      return {
        title: 'The meeting did not survive the interruption.',
        text: 'The connection to the server was lost, and when it came back the meeting was gone: the server may have restarted, or the host ended the meeting meanwhile.',
      };
    case 'unreachable':
      return { title: 'Could not reach the server.', text: 'Check your connection, then try again.', retry: 'Try again' };
    case 'failed':
      return { title: 'Something went wrong.', text: said, retry: 'Try again' };
  }
}

export function showEnded(end: EndKind, detail: string | undefined, stream: MediaStream | undefined): void {
  stream?.getTracks().forEach((track) => track.stop());
  const { title, text, retry } = words(end, detail);
  const status = h('p', { role: 'status' });
  const actions = h('div', { class: 'end-actions' });
  if (retry) {
    const again = h('button', { type: 'button' }, retry);
    again.addEventListener('click', () => location.reload());
    actions.append(again);
  }
  actions.append(h('a', { href: '/', class: 'button-link' }, 'Back to start'), newMeetingButton(status, () => true, retry ? 'secondary' : ''));
  const heading = h('h1', { tabindex: '-1' }, title);
  mount(h('section', { class: 'card end-screen', role: 'alert' }, heading, text ? h('p', {}, text) : null, actions, status));
  heading.focus();
}
