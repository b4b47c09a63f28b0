/**
 * For hosts: "Recording and live stream" among the call's further tools
 * opens a dialog with the recording and the live-stream sections. Opening
 * it asks the server for the finished recordings (their links are signed
 * and expire, so each opening brings fresh ones); a recording that becomes
 * ready meanwhile is added by its notification. The sections are made once
 * and follow the meeting state whether the dialog is open or not, so what
 * was typed survives closing it.
 */
import { h } from '../dom.js';
import type { EgressAction, MeetingActions } from '../meeting/actions.js';
import type { MeetingState } from '../meeting/state.js';
import { t } from '../strings/index.js';
import { panelDialog } from './dialogs.js';
import { RecordingSection } from './recording-section.js';
import { StreamSection } from './stream-section.js';

export class EgressDialog {
  readonly button = h('button', { type: 'button', hidden: true }, t.recording.section);
  private readonly recording: RecordingSection;
  private readonly stream: StreamSection;
  private readonly content: HTMLElement;
  private dialog: HTMLDialogElement | undefined;

  constructor(actions: Pick<MeetingActions, EgressAction>) {
    this.recording = new RecordingSection(actions);
    this.stream = new StreamSection(actions);
    this.content = h('div', { class: 'egress-body' }, this.recording.root, this.stream.root);
    this.button.addEventListener('click', () => {
      if (this.dialog) return;
      this.dialog = panelDialog(t.recording.section, this.content, () => {
        this.dialog = undefined;
        this.button.focus();
      });
      void actions.listRecordings();
    });
  }

  /** Whether the sections are on screen (and say themselves what went wrong). */
  get open(): boolean {
    return this.dialog !== undefined;
  }

  render(state: MeetingState): void {
    const host = state.self.role === 'host';
    this.button.hidden = !host;
    if (!host) return this.dialog?.close();
    this.recording.render(state);
    this.stream.render(state);
  }
}
