/**
 * The top bar's badges while the meeting is recorded or streamed live, for
 * everyone and for as long as it lasts: a red dot and a short word
 * ("Recording", "Live"), each a status named by the whole sentence ("This
 * meeting is being recorded"). Made once, shown and hidden in place.
 */
import type { RoomSettings } from '@protocol/messages';
import { h } from '../dom.js';
import { t } from '../strings/index.js';

function badge(kind: 'recording' | 'live', word: string, name: string): HTMLElement {
  return h('span', { class: `egress-badge ${kind}`, role: 'status', 'aria-label': name, title: name, hidden: true }, h('span', { class: 'dot', 'aria-hidden': 'true' }), word);
}

export class EgressBadges {
  private readonly recording = badge('recording', t.badges.recording, t.badges.recordingName);
  private readonly live = badge('live', t.badges.live, t.badges.liveName);
  readonly root = h('span', { class: 'egress-badges' }, this.recording, this.live);

  render(room: RoomSettings): void {
    this.recording.hidden = !room.recording;
    this.live.hidden = !room.streaming;
  }
}
