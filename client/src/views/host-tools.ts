/** Host-only call controls that act on everyone: Mute everyone. Hidden for others and when nobody else is here. */
import { h } from '../dom.js';
import type { MeetingActions } from '../meeting/actions.js';
import type { MeetingState } from '../meeting/state.js';
import { t } from '../strings/index.js';
import { toast, toastError } from './toasts.js';

export class HostTools {
  readonly muteAll = h('button', { type: 'button', hidden: true }, t.controls.muteEveryone);

  constructor(actions: Pick<MeetingActions, 'muteAll'>) {
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

  render(state: MeetingState): void {
    this.muteAll.hidden = state.self.role !== 'host' || state.peers.size === 0;
  }
}
