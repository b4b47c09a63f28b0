/**
 * For hosts: who waits in the lobby, with Admit and Deny for each and Admit
 * all. Entries are keyed by peer id and kept while the person waits.
 */
import { h } from '../dom.js';
import type { WaitingPeer } from '../meeting/state.js';
import { actionButton, type Report } from './action-button.js';
import type { PeopleActions } from '../meeting/actions.js';

export class LobbySection {
  readonly root = h('section', { class: 'lobby', 'aria-label': 'Waiting to join', hidden: true });
  private readonly heading = h('h3', {});
  private readonly list = h('ul', {});
  private readonly entries = new Map<string, HTMLLIElement>();

  constructor(
    private readonly actions: Pick<PeopleActions, 'admit' | 'deny' | 'admitAll'>,
    private readonly report: Report,
  ) {
    this.root.append(this.heading, this.list, actionButton('Admit all', () => actions.admitAll(), report));
  }

  render(waiting: readonly WaitingPeer[]): void {
    this.root.hidden = waiting.length === 0;
    this.heading.textContent = `Waiting to join (${waiting.length})`;
    const present = new Set(waiting.map(({ peerId }) => peerId));
    for (const [peerId, entry] of this.entries) {
      if (present.has(peerId)) continue;
      entry.remove();
      this.entries.delete(peerId);
    }
    for (const { peerId, displayName } of waiting) {
      if (this.entries.has(peerId)) continue;
      const entry = h(
        'li',
        { 'aria-label': displayName },
        h('span', { class: 'name' }, displayName),
        actionButton(`Admit ${displayName}`, () => this.actions.admit(peerId), this.report),
        actionButton(`Deny ${displayName}`, () => this.actions.deny(peerId), this.report),
      );
      this.entries.set(peerId, entry);
      this.list.append(entry);
    }
  }
}
