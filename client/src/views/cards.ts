/** The small screens around the meeting: password, lobby wait and a status line (the end: end-screen.ts). */
import { h, mount } from '../dom.js';

export function showPassword(message: string, submit: (password: string) => void): void {
  const input = h('input', { id: 'room-password', type: 'password', required: true, maxlength: '128', autocomplete: 'off' });
  const form = h(
    'form',
    { class: 'card', 'aria-label': 'Meeting password' },
    h('p', { role: 'alert' }, message),
    h('label', { for: 'room-password' }, 'Meeting password'),
    input,
    h('button', { type: 'submit' }, 'Join'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit(input.value);
  });
  mount(form);
  input.focus();
}

/** Waiting in the lobby: the person sees themselves and what happens next. */
export function showLobbyWait(leave: () => void, stream: MediaStream | undefined, lobbyNote = true): void {
  const button = h('button', { type: 'button', class: 'danger' }, 'Leave');
  button.addEventListener('click', leave);
  const preview = h('video', { autoplay: true, muted: true, playsinline: true, 'aria-label': 'Your camera preview' });
  preview.srcObject = stream && stream.getVideoTracks().length ? stream : null;
  mount(
    h(
      'section',
      { class: 'card lobby-wait' },
      h('h1', {}, 'Waiting to join'),
      preview.srcObject ? preview : null,
      h('p', { role: 'status' }, 'Waiting for the host to let you in…'),
      lobbyNote
        ? h(
            'p',
            { class: 'hint' },
            'The hosts have been told you are here. When one of them lets you in, this page joins the meeting by itself. ',
            'Until then nobody sees or hears you. If no host is in the meeting yet, you wait until one arrives.',
          )
        : null,
      button,
    ),
  );
}

export function showStatusCard(message: string): void {
  mount(h('section', { class: 'card' }, h('p', { role: 'status' }, message)));
}
