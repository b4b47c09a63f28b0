/**
 * The call controls: microphone, camera, screen share, hand, invite link,
 * and for hosts lock, lobby and end. Labels and pressed states follow the
 * meeting state; media controls wait until the session's media is set up,
 * and a control is disabled while its action runs.
 */
import { h } from '../dom.js';
import type { MediaSession } from '../media/media-session.js';
import type { MeetingActions } from '../meeting/actions.js';
import type { MeetingState } from '../meeting/state.js';
import type { Report } from './action-button.js';
import { ask } from './dialogs.js';

export interface ControlsContext {
  roomId: string;
  stream: MediaStream | undefined;
  actions: Pick<MeetingActions, 'setHandRaised' | 'setRoomLocked' | 'setLobbyEnabled' | 'endMeeting'>;
  media: Pick<MediaSession, 'isSending' | 'setSending' | 'startScreenShare' | 'stopScreenShare'>;
  leave(): void;
  report: Report;
}

export class Controls {
  private readonly mic = h('button', { type: 'button', 'aria-pressed': 'false', disabled: true, 'data-shortcut': 'mic' }, 'Mute microphone');
  private readonly camera = h('button', { type: 'button', 'aria-pressed': 'false', disabled: true, 'data-shortcut': 'camera' }, 'Turn camera off');
  private readonly share = h('button', { type: 'button', disabled: true, 'data-shortcut': 'share' }, 'Share screen');
  private readonly hand = h('button', { type: 'button', 'aria-pressed': 'false', disabled: true, 'data-shortcut': 'hand' }, 'Raise hand');
  private readonly invite = h('button', { type: 'button' }, 'Copy invite link');
  private readonly lock = h('button', { type: 'button', hidden: true }, 'Lock meeting');
  private readonly lobby = h('button', { type: 'button', hidden: true }, 'Turn lobby off');
  private readonly end = h('button', { type: 'button', class: 'danger', hidden: true }, 'End meeting for all');
  private readonly leave = h('button', { type: 'button', class: 'danger' }, 'Leave');
  readonly root = h(
    'nav',
    { class: 'controls', 'aria-label': 'Call controls' },
    ...[this.mic, this.camera, this.share, this.hand, this.invite, this.lock, this.lobby, this.end, this.leave],
  );
  /** Controls whose action is running. */
  private readonly busy = new Set<HTMLButtonElement>();
  private readonly hasAudio: boolean;
  private readonly hasVideo: boolean;
  private mediaReady = false;
  private state: MeetingState | undefined;

  constructor(private readonly context: ControlsContext) {
    const { actions, media, stream } = context;
    this.hasAudio = Boolean(stream?.getAudioTracks().length);
    this.hasVideo = Boolean(stream?.getVideoTracks().length);
    this.onClick(this.mic, () => media.setSending('mic', !media.isSending('mic')));
    this.onClick(this.camera, () => media.setSending('camera', !media.isSending('camera')));
    this.onClick(this.share, () => (media.isSending('screen') ? media.stopScreenShare() : media.startScreenShare()));
    this.onClick(this.hand, () => actions.setHandRaised(!this.state?.self.handRaised));
    this.onClick(this.invite, async () => {
      await navigator.clipboard.writeText(`${location.origin}/r/${context.roomId}`);
      context.report('Invite link copied.');
    });
    this.onClick(this.lock, () => actions.setRoomLocked(!this.state?.room.locked));
    this.onClick(this.lobby, () => actions.setLobbyEnabled(!this.state?.room.lobby));
    this.onClick(this.end, async () => {
      const choice = await ask({
        title: 'End the meeting for everyone?',
        text: 'Everyone is disconnected and the link stops working.',
        choices: [{ value: 'end', label: 'End meeting for everyone', tone: 'danger' }],
      });
      if (choice === 'end') await actions.endMeeting();
    });
    this.leave.addEventListener('click', () => context.leave());
  }

  setMediaReady(ready: boolean): void {
    this.mediaReady = ready;
    this.refresh();
  }

  render(state: MeetingState): void {
    this.state = state;
    this.refresh();
  }

  private refresh(): void {
    const state = this.state;
    if (!state) return;
    const sending = (source: 'mic' | 'camera' | 'screen') => state.self.sending.includes(source);
    this.mic.textContent = sending('mic') ? 'Mute microphone' : 'Unmute microphone';
    this.mic.setAttribute('aria-pressed', String(!sending('mic')));
    this.camera.textContent = sending('camera') ? 'Turn camera off' : 'Turn camera on';
    this.camera.setAttribute('aria-pressed', String(!sending('camera')));
    this.share.textContent = sending('screen') ? 'Stop sharing' : 'Share screen';
    this.hand.textContent = state.self.handRaised ? 'Lower hand' : 'Raise hand';
    this.hand.setAttribute('aria-pressed', String(state.self.handRaised));
    for (const button of [this.lock, this.lobby, this.end]) button.hidden = state.self.role !== 'host';
    this.lock.textContent = state.room.locked ? 'Unlock meeting' : 'Lock meeting';
    this.lobby.textContent = state.room.lobby ? 'Turn lobby off' : 'Turn lobby on';
    const ready = { mic: this.mediaReady && this.hasAudio, camera: this.mediaReady && this.hasVideo, media: this.mediaReady };
    this.mic.disabled = !ready.mic || this.busy.has(this.mic);
    this.camera.disabled = !ready.camera || this.busy.has(this.camera);
    for (const button of [this.share, this.hand]) button.disabled = !ready.media || this.busy.has(button);
    for (const button of [this.invite, this.lock, this.lobby, this.end]) button.disabled = this.busy.has(button);
  }

  private onClick(button: HTMLButtonElement, action: () => Promise<unknown>): void {
    button.addEventListener('click', async () => {
      this.busy.add(button);
      this.refresh();
      try {
        await action();
      } catch (error) {
        this.context.report((error as Error).message);
      } finally {
        this.busy.delete(button);
        this.refresh();
      }
    });
  }
}
