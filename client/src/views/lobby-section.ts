/**
 * For hosts: who waits in the lobby (a phone icon for someone calling in),
 * with Admit and Deny for each and Admit all. Entries are keyed by peer id
 * and kept while the person waits.
 */
import { h } from '../dom.js';
import type { WaitingPeer } from '../meeting/state.js';
import { actionButton, type Report } from './action-button.js';
import { phoneBadge } from './icons.js';
import type { PeopleActions } from '../meeting/actions.js';
import { t } from '../strings/index.js';

export class LobbySection {
  readonly root = h('section', { class: 'lobby', 'aria-label': t.lobby.section, hidden: true });
  private readonly heading = h('h3', {});
  private readonly list = h('ul', {});
  private readonly entries = new Map<string, HTMLLIElement>();

  constructor(
    private readonly actions: Pick<PeopleActions, 'admit' | 'deny' | 'admitAll'>,
    private readonly report: Report,
  ) {
    this.root.append(this.heading, this.list, actionButton(t.lobby.admitAll, () => actions.admitAll(), report));
  }

  render(waiting: readonly WaitingPeer[]): void {
    this.root.hidden = waiting.length === 0;
    this.heading.textContent = t.lobby.heading(waiting.length);
    const present = new Set(waiting.map(({ peerId }) => peerId));
    for (const [peerId, entry] of this.entries) {
      if (present.has(peerId)) continue;
      entry.remove();
      this.entries.delete(peerId);
    }
    for (const { peerId, displayName, phone } of waiting) {
      if (this.entries.has(peerId)) continue;
      const entry = h(
        'li',
        { 'aria-label': displayName },
        h('span', { class: 'name' }, phone && phoneBadge(), displayName),
        actionButton(t.lobby.admit(displayName), () => this.actions.admit(peerId), this.report),
        actionButton(t.lobby.deny(displayName), () => this.actions.deny(peerId), this.report),
      );
      this.entries.set(peerId, entry);
      this.list.append(entry);
    }
  }
}
