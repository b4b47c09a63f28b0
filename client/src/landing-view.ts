import { h, mount } from './dom.js';
import { t } from './strings/index.js';

/** Creates a meeting (or a webinar) through the API and opens its host link; throws a sentence a person can read. */
export async function startNewMeeting(lobby = true, webinar = false): Promise<void> {
  let response: Response;
  try {
    response = await fetch('/api/rooms', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lobby, webinar }),
    });
  } catch {
    throw new Error(t.landing.unreachable);
  }
  if (response.status === 429) throw new Error(t.landing.tooMany);
  if (response.status === 401) throw new Error(t.landing.keyRequired);
  if (!response.ok) throw new Error(t.landing.failed);
  // The host link carries the host credential; the meeting page keeps it for this tab.
  const { hostUrl } = (await response.json()) as { hostUrl: string };
  location.assign(hostUrl);
}

/** A "Start a new meeting" button that reports its own failure in `status`. */
export function newMeetingButton(status: HTMLElement, lobby: () => boolean = () => true, className = '', webinar: () => boolean = () => false): HTMLButtonElement {
  const button = h('button', { type: 'button', class: className }, t.landing.start);
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.textContent = t.landing.creating;
    try {
      await startNewMeeting(lobby(), webinar());
    } catch (error) {
      status.textContent = (error as Error).message;
      button.disabled = false;
    }
  });
  return button;
}

/** The start page: one button creates a room (a webinar if asked) and opens its link. */
export function showLanding(): void {
  const status = h('p', { role: 'status' });
  const noLobby = h('input', { type: 'checkbox', id: 'no-lobby' });
  const webinar = h('input', { type: 'checkbox', id: 'webinar' });
  mount(
    h(
      'section',
      { class: 'card' },
      h('h1', {}, t.app.name),
      h('p', {}, t.landing.tagline),
      h('label', { class: 'inline' }, noLobby, ` ${t.landing.noLobby}`),
      h('label', { class: 'inline' }, webinar, ` ${t.landing.webinar}`),
      newMeetingButton(status, () => !noLobby.checked, '', () => webinar.checked),
      status,
    ),
  );
}
