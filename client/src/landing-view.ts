import { h, mount } from './dom.js';
import { t } from './strings/index.js';

/** Creates a meeting through the API and opens its host link; throws a sentence a person can read. */
export async function startNewMeeting(lobby = true): Promise<void> {
  let response: Response;
  try {
    response = await fetch('/api/rooms', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lobby }),
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
export function newMeetingButton(status: HTMLElement, lobby: () => boolean = () => true, className = ''): HTMLButtonElement {
  const button = h('button', { type: 'button', class: className }, t.landing.start);
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.textContent = t.landing.creating;
    try {
      await startNewMeeting(lobby());
    } catch (error) {
      status.textContent = (error as Error).message;
      button.disabled = false;
    }
  });
  return button;
}

/** The start page: one button creates a room and opens its link. */
export function showLanding(): void {
  const status = h('p', { role: 'status' });
  const noLobby = h('input', { type: 'checkbox', id: 'no-lobby' });
  mount(
    h(
      'section',
      { class: 'card' },
      h('h1', {}, t.app.name),
      h('p', {}, t.landing.tagline),
      h('label', { class: 'inline' }, noLobby, ` ${t.landing.noLobby}`),
      newMeetingButton(status, () => !noLobby.checked),
      status,
    ),
  );
}
