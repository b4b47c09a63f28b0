/** The small screens around the meeting: password, lobby wait and a status line (the end: end-screen.ts). */
import { h, mount } from '../dom.js';
import { t } from '../strings/index.js';

export function showPassword(message: string, submit: (password: string) => void): void {
  const input = h('input', { id: 'room-password', type: 'password', required: true, maxlength: '128', autocomplete: 'off' });
  const form = h(
    'form',
    { class: 'card', 'aria-label': t.password.form },
    h('p', { role: 'alert' }, message),
    h('label', { for: 'room-password' }, t.password.label),
    input,
    h('button', { type: 'submit' }, t.password.join),
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
  const button = h('button', { type: 'button', class: 'danger' }, t.lobbyWait.leave);
  button.addEventListener('click', leave);
  const preview = h('video', { autoplay: true, muted: true, playsinline: true, 'aria-label': t.lobbyWait.preview });
  preview.srcObject = stream && stream.getVideoTracks().length ? stream : null;
  mount(
    h(
      'section',
      { class: 'card lobby-wait' },
      h('h1', {}, t.lobbyWait.heading),
      preview.srcObject ? preview : null,
      h('p', { role: 'status' }, t.lobbyWait.status),
      lobbyNote
        ? h('p', { class: 'hint' }, t.lobbyWait.hint)
        : null,
      button,
    ),
  );
}

export function showStatusCard(message: string): void {
  mount(h('section', { class: 'card' }, h('p', { role: 'status' }, message)));
}
