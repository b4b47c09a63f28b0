/**
 * The call screen for each call state: joining, the password form, the
 * lobby, the meeting, reconnecting and ended. The meeting screen itself is
 * built once per session (views/meeting-view.ts); around it this adds the
 * flows of a call: toasts, the knock at the lobby, a host's leave dialog,
 * the question to a newcomer whether to stay in a recorded meeting, the
 * request to unmute, device switching and keyboard shortcuts.
 */
import type { MediaSource } from '@protocol/messages';
import { CallConnection } from './connection/call-connection.js';
import type { CallState } from './connection/call-state.js';
import type { WarmUp } from './connection/warm-up.js';
import type { Meeting } from './connection/session.js';
import { h, mount } from './dom.js';
import { openTrack, swapTrack } from './media-devices.js';
import { installShortcuts, shortcutHelpButton } from './shortcuts.js';
import { t } from './strings/index.js';
import { showLobbyWait, showPassword, showStatusCard } from './views/cards.js';
import { devicesButton } from './views/device-dialog.js';
import { ask } from './views/dialogs.js';
import { showEnded } from './views/end-screen.js';
import { HostTools } from './views/host-tools.js';
import { LobbyKnock } from './views/lobby-knock.js';
import { MeetingView } from './views/meeting-view.js';
import { toast, toastError } from './views/toasts.js';

export interface CallOptions {
  displayName: string;
  /** The camera and microphone, once started; the call does not wait for them to join. */
  media: Promise<MediaStream | undefined>;
  off: ReadonlySet<MediaSource>;
  password?: string;
  /** The pre-join page said that the meeting is being recorded. */
  toldOfRecording: boolean;
}

export function showCall(roomId: string, { displayName, media, off, password, toldOfRecording }: CallOptions, warmUp?: WarmUp): void {
  let stream: MediaStream | undefined;
  let shown: CallState | undefined;
  const localMedia = media.then((started) => {
    // The call ended while the camera was starting: it is turned off at once.
    if (shown?.kind === 'ended') started?.getTracks().forEach((track) => track.stop());
    else stream = started;
    meeting?.setLocalStream(stream);
    // The lobby shows the person their own camera.
    if (shown?.kind === 'lobby') render(shown);
    return stream;
  });
  let meeting: MeetingView | undefined;
  let stopFollowing: (() => void) | undefined;
  let removeShortcuts: (() => void) | undefined;
  /** Withdraws the question about a recorded meeting when the call ends before it is answered. */
  let recordedQuestion: AbortController | undefined;
  const joining = h('p', { role: 'status', class: 'call-status' });
  const joiningCard = h('section', { class: 'card' }, h('h1', {}, t.app.name), joining);

  const render = (state: CallState) => {
    shown = state;
    switch (state.kind) {
      case 'joining':
        joining.textContent = state.step;
        if (!joiningCard.isConnected) mount(joiningCard);
        return;
      case 'password':
        return showPassword(state.message, (given) => connection.join(given));
      case 'lobby':
        return showLobbyWait(() => connection.leave('left-lobby'), stream);
      case 'in-call':
        if (!meeting) return;
        if (!meeting.root.isConnected) mount(meeting.root);
        removeShortcuts ??= installShortcuts();
        meeting.setMediaReady(state.mediaReady);
        meeting.report(state.mediaReady ? '' : t.call.connectingMedia);
        return;
      case 'reconnecting':
        // Resuming keeps the meeting on screen: its media never stopped.
        if (state.mode === 'resume' && meeting?.root.isConnected) return meeting.report(t.call.resuming);
        return showStatusCard(t.call.reconnecting(state.reason));
      case 'ended':
        recordedQuestion?.abort();
        closeMeeting();
        removeShortcuts?.();
        removeShortcuts = undefined;
        return showEnded(state.end, state.detail, stream);
    }
  };

  const closeMeeting = () => {
    meeting?.close();
    stopFollowing?.();
    stopFollowing = undefined;
  };

  /** Leaving: a host may end the meeting for everyone instead, in a real dialog. */
  const leave = async (session: Meeting) => {
    const { self, peers } = session.store.state;
    if (self.role !== 'host') return connection.leave('left');
    const otherHosts = [...peers.values()].some((peer) => peer.role === 'host');
    const choice = await ask({
      title: t.call.leaveTitle,
      text: otherHosts ? t.call.leaveOthersStay : t.call.leaveOnlyHost,
      choices: [
        { value: 'leave', label: t.call.leaveMeeting },
        { value: 'end', label: t.call.endForEveryone, tone: 'danger' },
      ],
    });
    if (choice === 'leave') return connection.leave('left');
    if (choice === 'end') await session.actions.endMeeting().catch(toastError);
  };

  /** Another camera or microphone, sent through the same producer. */
  const switchDevice = async (kind: 'audio' | 'video', deviceId: string) => {
    const session = connection.current;
    const track = await openTrack(kind, deviceId || undefined);
    try {
      await session?.media.replaceTrack(kind === 'audio' ? 'mic' : 'camera', track);
    } catch (error) {
      track.stop();
      throw error;
    }
    if (stream) swapTrack(stream, track);
    else track.stop();
  };

  const connection = new CallConnection(
    roomId,
    displayName,
    { tracks: async () => (await localMedia)?.getTracks() ?? [], off },
    {
      state: render,
      entered: (session) => {
        closeMeeting();
        const knock = new LobbyKnock(session.actions);
        const hostTools = new HostTools(roomId, session.actions);
        meeting = new MeetingView(session, {
          roomId,
          displayName,
          stream: () => stream,
          leave: () => void leave(session),
          extras: [...hostTools.items, devicesButton(() => stream, switchDevice), shortcutHelpButton()],
        });
        const unsubscribe = session.store.subscribe((state) => {
          knock.render(state);
          hostTools.render(state);
        });
        stopFollowing = () => {
          unsubscribe();
          knock.close();
        };
      },
      unmuteRequested: (session) => {
        if (session.media.isSending('mic')) return;
        toast(t.call.unmuteAsked, {
          key: 'unmute-request',
          actions: [
            { label: t.call.unmuteNow, primary: true, run: () => session.media.setSending('mic', true) },
            { label: t.call.stayMuted, run: () => undefined },
          ],
        });
      },
      askToContinueRecorded: async () => {
        recordedQuestion = new AbortController();
        // Escape, like the button, leaves: nothing is sent without a choice to continue.
        const choice = await ask({
          title: t.call.recordedTitle,
          text: t.call.recordedText,
          choices: [{ value: 'continue', label: t.call.recordedContinue }],
          cancel: t.call.leaveMeeting,
          signal: recordedQuestion.signal,
        });
        return choice === 'continue';
      },
      reaction: ({ peerId, reaction }) => meeting?.showReaction(peerId, reaction),
      trackAdded: (remote) => meeting?.trackAdded(remote),
      trackPaused: (remote) => meeting?.trackPaused(remote),
      trackRemoved: (remote) => meeting?.trackRemoved(remote),
    },
    toldOfRecording,
    warmUp,
  );
  connection.join(password);
}
