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
import { t } from '../strings/index.js';

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
      return { title: t.end.left, retry: t.end.rejoin };
    case 'left-lobby':
      return { title: t.end.leftLobby, text: t.end.leftLobbyText, retry: t.end.askAgain };
    case 'you-ended':
      return { title: t.end.youEnded, text: t.end.youEndedText };
    case 'ended':
      return { title: t.end.ended, text: t.end.endedText };
    case 'removed':
      return { title: said ?? t.end.removed, text: t.end.removedText };
    case 'denied':
      return { title: said ?? t.end.denied, text: t.end.deniedText };
    case 'replaced':
      return { title: t.end.replaced, text: t.end.replacedText };
    case 'not-found':
      return { title: t.end.notFound, text: t.end.notFoundText };
    case 'refused':
      return { title: t.end.refused, text: said };
    case 'server-gone':
      return { title: t.end.serverGone, text: t.end.serverGoneText, retry: t.end.rejoin };
    case 'meeting-lost':
      return { title: t.end.meetingLost, text: t.end.meetingLostText };
    case 'unreachable':
      return { title: t.end.unreachable, text: t.end.unreachableText, retry: t.end.tryAgain };
    case 'failed':
      return { title: t.end.failed, text: said, retry: t.end.tryAgain };
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
  actions.append(h('a', { href: '/', class: 'button-link' }, t.end.backToStart), newMeetingButton(status, () => true, retry ? 'secondary' : ''));
  const heading = h('h1', { tabindex: '-1' }, title);
  mount(h('section', { class: 'card end-screen', role: 'alert' }, heading, text ? h('p', {}, text) : null, actions, status));
  heading.focus();
}
