/**
 * For hosts: "Studio (WHIP and WHEP)" among the call's further tools opens
 * a dialog for bringing a stream in (a stream key for OBS or an encoder,
 * over WHIP) and sending the meeting out to a player (a viewer token, over
 * WHEP). Opening it fetches the meeting's stream keys; what the server
 * answers stays here, as it is request and response, not meeting state.
 * The sections are made once; a key or token shown goes when the dialog
 * closes. Copies and revocations are said in one polite status line.
 */
import { h } from '../dom.js';
import type { MeetingActions, StudioAction } from '../meeting/actions.js';
import type { MeetingState } from '../meeting/state.js';
import { t } from '../strings/index.js';
import { panelDialog } from './dialogs.js';
import { WhepSection } from './whep-section.js';
import { WhipSection } from './whip-section.js';

export class StudioDialog {
  readonly button = h('button', { type: 'button', hidden: true }, t.studio.open);
  private readonly whip: WhipSection;
  private readonly whep: WhepSection;
  private readonly status = h('p', { role: 'status', class: 'hint studio-status' });
  private readonly content: HTMLElement;
  private dialog: HTMLDialogElement | undefined;

  constructor(roomId: string, actions: Pick<MeetingActions, StudioAction>) {
    // Written every time, so copying twice is said twice.
    const say = (message: string) => void (this.status.textContent = message);
    this.whip = new WhipSection(roomId, actions, say);
    this.whep = new WhepSection(roomId, actions, say);
    this.content = h('div', { class: 'egress-body' }, this.whip.root, this.whep.root, this.status);
    this.button.addEventListener('click', () => {
      if (this.dialog) return;
      this.status.textContent = '';
      this.dialog = panelDialog(t.studio.open, this.content, () => {
        this.dialog = undefined;
        this.whip.forget();
        this.whep.forget();
        this.button.focus();
      });
      void this.whip.refresh();
    });
  }

  render(state: MeetingState): void {
    const host = state.self.role === 'host';
    this.button.hidden = !host;
    if (!host) this.dialog?.close();
  }
}
