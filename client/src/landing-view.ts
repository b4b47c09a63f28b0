import { h, mount } from './dom.js';

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
    throw new Error('Could not reach the server. Check your connection and try again.');
  }
  if (response.status === 429) throw new Error('Too many meetings were started from here just now. Wait a minute and try again.');
  if (response.status === 401) throw new Error('This server only lets people with an API key start meetings.');
  if (!response.ok) throw new Error('The server could not start a meeting. Try again in a moment.');
  // The host link carries the host credential; the meeting page keeps it for this tab.
  const { hostUrl } = (await response.json()) as { hostUrl: string };
  location.assign(hostUrl);
}

/** A "Start a new meeting" button that reports its own failure in `status`. */
export function newMeetingButton(status: HTMLElement, lobby: () => boolean = () => true, className = ''): HTMLButtonElement {
  const button = h('button', { type: 'button', class: className }, 'Start a new meeting');
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.textContent = 'Creating a meeting…';
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
      h('h1', {}, 'Parley'),
      h('p', {}, 'Video meetings on your own server.'),
      h('label', { class: 'inline' }, noLobby, ' Let people in without waiting in a lobby'),
      newMeetingButton(status, () => !noLobby.checked),
      status,
    ),
  );
}
