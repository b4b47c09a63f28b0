import { h, mount } from './dom.js';

/** The start page: one button creates a room and opens its link. */
export function showLanding(): void {
  const status = h('p', { role: 'status' });
  const button = h('button', { type: 'button' }, 'Start a new meeting');
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.textContent = 'Creating a meeting…';
    try {
      const response = await fetch('/api/rooms', { method: 'POST' });
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      const { url } = (await response.json()) as { url: string };
      location.assign(url);
    } catch (error) {
      status.textContent = `Could not create a meeting: ${(error as Error).message}`;
      button.disabled = false;
    }
  });
  mount(h('section', { class: 'card' }, h('h1', {}, 'Parley'), h('p', {}, 'Video meetings on your own server.'), button, status));
}
