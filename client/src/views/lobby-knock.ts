/**
 * A knock at the lobby, for hosts: a short chime, a toast with Admit and
 * Deny for the newcomer, and the number waiting in the tab's title, so a
 * host in another tab notices too. The toast goes when the person stops
 * waiting, however that happened.
 */
import { playKnock } from '../media/chime.js';
import type { MeetingActions } from '../meeting/actions.js';
import type { MeetingState } from '../meeting/state.js';
import { t } from '../strings/index.js';
import { dismissToast, toast } from './toasts.js';

const key = (peerId: string) => `knock:${peerId}`;

export class LobbyKnock {
  private known = new Set<string>();

  constructor(private readonly actions: Pick<MeetingActions, 'admit' | 'deny'>) {}

  render(state: MeetingState): void {
    const waiting = state.self.role === 'host' ? state.lobby : [];
    const present = new Set(waiting.map(({ peerId }) => peerId));
    for (const peerId of this.known) if (!present.has(peerId)) dismissToast(key(peerId));
    const newcomers = waiting.filter(({ peerId }) => !this.known.has(peerId));
    this.known = present;
    document.title = waiting.length ? t.app.titleWaiting(waiting.length) : t.app.name;
    if (!newcomers.length) return;
    playKnock();
    for (const { peerId, displayName } of newcomers) {
      toast(t.lobby.knock(displayName), {
        key: key(peerId),
        actions: [
          { label: t.lobby.admit(displayName), primary: true, run: () => this.actions.admit(peerId) },
          { label: t.lobby.deny(displayName), run: () => this.actions.deny(peerId) },
        ],
      });
    }
  }

  close(): void {
    for (const peerId of this.known) dismissToast(key(peerId));
    this.known.clear();
    document.title = t.app.name;
  }
}
