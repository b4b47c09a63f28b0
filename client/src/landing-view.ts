import { h, mount } from './dom.js';

/** The start page: one button creates a room and opens its link. */
export function showLanding(): void {
  const status = h('p', { role: 'status' });
  const button = h('button', { type: 'button' }, 'Start a new meeting');
  const noLobby = h('input', { type: 'checkbox', id: 'no-lobby' });
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.textContent = 'Creating a meeting…';
    try {
      const response = await fetch('/api/rooms', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ lobby: !noLobby.checked }),
      });
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      // The host link carries the host credential; the meeting page keeps it for this tab.
      const { hostUrl } = (await response.json()) as { hostUrl: string };
      location.assign(hostUrl);
    } catch (error) {
      status.textContent = `Could not create a meeting: ${(error as Error).message}`;
      button.disabled = false;
    }
  });
  mount(
    h(
      'section',
      { class: 'card' },
      h('h1', {}, 'Parley'),
      h('p', {}, 'Video meetings on your own server.'),
      h('label', { class: 'inline' }, noLobby, ' Let people in without waiting in a lobby'),
      button,
      status,
    ),
  );
}
