/**
 * For hosts: start or stop recording the meeting (the button says which it
 * will do), whether each person's audio and video are also kept apart, why
 * the server refused or a recording stopped (an alert), and the finished
 * recordings as download links named in full ("Download recording from
 * 14:05, 3 min 12 s, 24 MB"). Links are keyed by recording and kept, so
 * focus on one survives a new recording arriving.
 */
import type { RecordingInfo } from '@protocol/messages';
import { h } from '../dom.js';
import type { MeetingActions } from '../meeting/actions.js';
import type { MeetingState } from '../meeting/state.js';
import { t } from '../strings/index.js';
import { egressProblem, recordingLabel } from './egress-words.js';
import { icon } from './icons.js';
import { setText } from './text.js';

export class RecordingSection {
  readonly root = h('section', { class: 'egress-part', 'aria-labelledby': 'recording-heading' });
  private readonly toggle = h('button', { type: 'button' }, t.recording.start);
  private readonly tracks = h('input', { type: 'checkbox', id: 'recording-tracks' });
  private readonly problem = h('p', { role: 'alert', class: 'error' });
  private readonly list = h('ul', { class: 'recordings', 'aria-label': t.recording.list });
  private readonly none = h('p', { class: 'hint', hidden: true }, t.recording.none);
  private readonly links = new Map<string, { item: HTMLLIElement; link: HTMLAnchorElement }>();
  private recordings: readonly RecordingInfo[] | undefined;
  private recording = false;

  constructor(actions: Pick<MeetingActions, 'startRecording' | 'stopRecording'>) {
    this.toggle.addEventListener('click', () => void (this.recording ? actions.stopRecording() : actions.startRecording(this.tracks.checked)));
    this.root.append(
      h('h3', { id: 'recording-heading' }, t.recording.heading),
      this.toggle,
      h('label', { class: 'inline', for: 'recording-tracks' }, this.tracks, t.recording.tracks),
      this.problem,
      this.list,
      this.none,
    );
  }

  render(state: MeetingState): void {
    const request = state.egress.recording;
    this.recording = state.room.recording;
    setText(this.toggle, this.recording ? t.recording.stop : t.recording.start);
    this.toggle.classList.toggle('danger', this.recording);
    this.toggle.disabled = request.kind === 'asking';
    // Kept apart or not is decided when the recording starts.
    this.tracks.disabled = this.recording || request.kind === 'asking';
    setText(this.problem, egressProblem(request, t.notices.recordingFailed));
    if (state.recordings !== this.recordings) this.showRecordings(state.recordings);
  }

  private showRecordings(recordings: readonly RecordingInfo[] | undefined): void {
    this.recordings = recordings;
    this.none.hidden = recordings?.length !== 0;
    const present = new Set(recordings?.map(({ id }) => id));
    for (const [id, { item }] of this.links) {
      if (present.has(id)) continue;
      item.remove();
      this.links.delete(id);
    }
    const now = Date.now();
    (recordings ?? []).forEach((recording, index) => {
      let entry = this.links.get(recording.id);
      if (!entry) {
        const link = h('a', { class: 'recording-link', download: '' }, icon('download'), h('span', {}));
        entry = { item: h('li', {}, link), link };
        this.links.set(recording.id, entry);
      }
      const { text, name } = recordingLabel(recording, now);
      if (entry.link.getAttribute('href') !== recording.url) entry.link.setAttribute('href', recording.url);
      if (entry.link.getAttribute('aria-label') !== name) entry.link.setAttribute('aria-label', name);
      setText(entry.link.querySelector('span')!, text);
      // Only items out of place move, so focus on a link survives.
      const at = this.list.children[index];
      if (at !== entry.item) this.list.insertBefore(entry.item, at ?? null);
    });
  }
}
