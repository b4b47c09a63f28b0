/**
 * Who is here: name, role, microphone and camera (or a phone), speaking,
 * raised hand. Hosts also see the lobby, a control for each person and,
 * when the server takes phone calls, how phones join and a form to call one.
 * In a webinar, the panel sees the attendees apart ("Attendees (N)"), each
 * with their hand and, for hosts, "Make panelist"; attendees see the panel
 * and themselves. Each person's row
 * is kept (keyed by peer id) and updated in place, so focus and clicks on
 * its controls survive speaker changes. The buttons are only shortcuts: the
 * server authorises every control.
 */
import type { PeerInfo } from '@protocol/messages';
import { h } from '../dom.js';
import type { PeopleActions } from '../meeting/actions.js';
import type { MeetingState } from '../meeting/state.js';
import { t } from '../strings/index.js';
import type { Report } from './action-button.js';
import { LobbySection } from './lobby-section.js';
import { PersonRow } from './person-row.js';
import { PhoneSection } from './phone-section.js';

export class PeoplePanel {
  readonly root: HTMLElement;
  /** The panel's title bar; the meeting view adds its close button here. */
  readonly header: HTMLElement;
  private readonly count = h('span', { class: 'count' });
  // Focusable, so the list scrolls by keyboard even when its rows hold no buttons.
  private readonly list = h('ul', { class: 'people', 'aria-label': t.people.list, tabindex: '0' });
  private readonly attendeeHeading = h('h3', { id: 'attendees-heading' });
  private readonly attendeeList = h('ul', { class: 'people', 'aria-labelledby': 'attendees-heading', tabindex: '0' });
  private readonly attendees = h('section', { class: 'attendees', hidden: true }, this.attendeeHeading, this.attendeeList);
  private readonly lobby: LobbySection;
  private readonly phone: PhoneSection;
  private readonly rows = new Map<string, PersonRow>();

  constructor(
    private readonly actions: PeopleActions,
    private readonly report: Report,
  ) {
    this.lobby = new LobbySection(actions, report);
    this.phone = new PhoneSection(actions, report);
    this.header = h('header', { class: 'panel-header' }, h('h2', { id: 'people-heading' }, `${t.people.heading} `, this.count));
    this.root = h(
      'section',
      { class: 'panel people-panel', 'aria-labelledby': 'people-heading', id: 'people-panel' },
      this.header,
      h('div', { class: 'panel-body' }, this.lobby.root, this.list, this.attendees, this.phone.root),
    );
  }

  render(state: MeetingState): void {
    const isHost = state.self.role === 'host';
    this.lobby.render(isHost ? state.lobby : []);
    this.phone.render(state);
    const people: { peer: PeerInfo; self: boolean }[] = [...state.peers.values()].map((peer) => ({ peer, self: false }));
    if (state.self.id) people.unshift({ peer: selfAsPeer(state.self), self: true });

    // An attendee looking at the panel sees themselves with it; the panel sees the audience apart.
    const viewerIsAttendee = state.self.role === 'attendee';
    const inAudience = ({ peer }: { peer: PeerInfo }) => !viewerIsAttendee && peer.role === 'attendee';
    const panel = people.filter((person) => !inAudience(person));
    const audience = people.filter(inAudience);
    const count = `(${panel.length})`;
    if (this.count.textContent !== count) this.count.textContent = count;
    const present = new Set(people.map(({ peer }) => peer.id));
    for (const [peerId, row] of this.rows) {
      if (present.has(peerId)) continue;
      row.root.remove();
      this.rows.delete(peerId);
    }
    this.place(panel, this.list, state, isHost);
    this.place(audience, this.attendeeList, state, isHost);
    this.attendees.hidden = audience.length === 0;
    const heading = `${t.people.attendees} (${audience.length})`;
    if (this.attendeeHeading.textContent !== heading) this.attendeeHeading.textContent = heading;
  }

  private place(people: { peer: PeerInfo; self: boolean }[], list: HTMLElement, state: MeetingState, isHost: boolean): void {
    people.forEach(({ peer, self }, index) => {
      let row = this.rows.get(peer.id);
      if (!row) {
        row = new PersonRow(peer.id, self, this.actions, this.report);
        this.rows.set(peer.id, row);
      }
      row.render(peer, { speaking: state.speakers.includes(peer.id), hostControls: isHost && !self });
      // Moving a row would take focus from its buttons: only rows out of place move.
      const at = list.children[index];
      if (at !== row.root) list.insertBefore(row.root, at ?? null);
    });
  }
}

/** This tab's own row, in the shape of everyone else's. */
function selfAsPeer(self: MeetingState['self']): PeerInfo {
  return {
    id: self.id,
    displayName: self.displayName,
    role: self.role,
    handRaised: self.handRaised,
    producers: self.sending.map((source) => ({ id: source, source, paused: false })),
  };
}
