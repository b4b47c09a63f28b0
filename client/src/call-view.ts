/**
 * The call screen for each call state: joining, the password form, the
 * lobby, the meeting, reconnecting and ended. The meeting screen itself is
 * built once per session (views/meeting-view.ts).
 */
import { CallConnection } from './connection/call-connection.js';
import type { CallState } from './connection/call-state.js';
import { h, mount } from './dom.js';
import { showEnded, showLobbyWait, showPassword, showStatusCard } from './views/cards.js';
import { MeetingView } from './views/meeting-view.js';

export function showCall(roomId: string, displayName: string, stream: MediaStream | undefined): void {
  let meeting: MeetingView | undefined;
  const joining = h('p', { role: 'status', class: 'call-status' });
  const joiningCard = h('section', { class: 'card' }, h('h1', {}, 'Parley'), joining);

  const render = (state: CallState) => {
    switch (state.kind) {
      case 'joining':
        joining.textContent = state.step;
        if (!joiningCard.isConnected) mount(joiningCard);
        return;
      case 'password':
        return showPassword(state.message, (password) => connection.join(password));
      case 'lobby':
        return showLobbyWait(() => connection.leave('You left the lobby.'));
      case 'in-call':
        if (!meeting) return;
        if (!meeting.root.isConnected) mount(meeting.root);
        meeting.setMediaReady(state.mediaReady);
        meeting.report(state.mediaReady ? '' : 'Connecting media…');
        return;
      case 'reconnecting':
        // Resuming keeps the meeting on screen: its media never stopped.
        if (state.mode === 'resume' && meeting?.root.isConnected) return meeting.report('Connection lost. Reconnecting…');
        return showStatusCard(`${state.reason} Reconnecting…`);
      case 'ended':
        meeting?.close();
        return showEnded(state.cause, stream);
    }
  };

  const connection = new CallConnection(roomId, displayName, stream?.getTracks() ?? [], {
    state: render,
    entered: (session) => {
      meeting?.close();
      meeting = new MeetingView(session, { roomId, displayName, stream, leave: () => connection.leave('You left the meeting.') });
    },
    trackAdded: (remote) => meeting?.trackAdded(remote),
    trackPaused: (remote) => meeting?.trackPaused(remote),
    trackRemoved: (remote) => meeting?.trackRemoved(remote),
  });
  connection.join();
}
