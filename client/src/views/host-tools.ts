/**
 * Host-only call controls that act on everyone, among the call's further
 * tools: Mute everyone (hidden when nobody else is here), webinar mode on
 * or off, Recording and live stream, and Studio (WHIP and WHEP). Hidden for others. A recording or stream that stops on its
 * own is said here: in the dialog when it is open, else in a toast.
 */
import { h } from '../dom.js';
import type { EgressAction, MeetingActions, StudioAction } from '../meeting/actions.js';
import type { MeetingState, Notice } from '../meeting/state.js';
import { sentence } from '../plain-errors.js';
import { t } from '../strings/index.js';
import { EgressDialog } from './egress-dialog.js';
import { StudioDialog } from './studio-dialog.js';
import { toast, toastError } from './toasts.js';

export class HostTools {
  readonly muteAll = h('button', { type: 'button', hidden: true }, t.controls.muteEveryone);
  readonly webinar = h('button', { type: 'button', hidden: true }, t.controls.webinarOn);
  private webinarOn = false;
  private readonly egress: EgressDialog;
  private readonly studio: StudioDialog;
  private notice: Notice | undefined;

  constructor(roomId: string, actions: Pick<MeetingActions, 'muteAll' | 'setWebinar' | EgressAction | StudioAction>) {
    this.egress = new EgressDialog(actions);
    this.studio = new StudioDialog(roomId, actions);
    this.webinar.addEventListener('click', async () => {
      this.webinar.disabled = true;
      try {
        await actions.setWebinar(!this.webinarOn);
      } catch (error) {
        toastError(error);
      } finally {
        this.webinar.disabled = false;
      }
    });
    this.muteAll.addEventListener('click', async () => {
      this.muteAll.disabled = true;
      try {
        await actions.muteAll();
        toast(t.controls.everyoneMuted);
      } catch (error) {
        toastError(error);
      } finally {
        this.muteAll.disabled = false;
      }
    });
  }

  /** The controls, for the call's "More" tools. */
  get items(): HTMLElement[] {
    return [this.muteAll, this.webinar, this.egress.button, this.studio.button];
  }

  render(state: MeetingState): void {
    this.muteAll.hidden = state.self.role !== 'host' || state.peers.size === 0;
    this.webinar.hidden = state.self.role !== 'host';
    this.webinarOn = state.room.webinar;
    const webinar = state.room.webinar ? t.controls.webinarOff : t.controls.webinarOn;
    if (this.webinar.textContent !== webinar) this.webinar.textContent = webinar;
    this.egress.render(state);
    this.studio.render(state);
    if (state.notice === this.notice) return;
    this.notice = state.notice;
    if (state.notice?.kind !== 'egress-failed' || this.egress.open) return;
    const reason = sentence(state.notice.reason);
    toastError(state.notice.what === 'recording' ? t.notices.recordingFailed(reason) : t.notices.streamingFailed(reason));
  }
}
