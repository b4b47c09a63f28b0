/** The small screens around the meeting: password, lobby wait, a status line, and the end. */
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

export function showLobbyWait(leave: () => void): void {
  const button = h('button', { type: 'button', class: 'danger' }, 'Leave');
  button.addEventListener('click', leave);
  mount(
    h(
      'section',
      { class: 'card lobby-wait' },
      h('h1', {}, 'Waiting to join'),
      h('p', { role: 'status' }, 'Waiting for the host to let you in…'),
      button,
    ),
  );
}

export function showStatusCard(message: string): void {
  mount(h('section', { class: 'card' }, h('p', { role: 'status' }, message)));
}

/** The call is over: camera and microphone are released, and Rejoin starts afresh. */
export function showEnded(message: string, stream: MediaStream | undefined): void {
  stream?.getTracks().forEach((track) => track.stop());
  const rejoin = h('button', { type: 'button' }, 'Rejoin');
  rejoin.addEventListener('click', () => location.reload());
  mount(h('section', { class: 'card', role: 'alert' }, h('p', {}, message), rejoin));
}
