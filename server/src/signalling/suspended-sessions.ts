/**
 * Sessions whose connection dropped, kept for a grace period: their peer
 * stays in the meeting (media keeps flowing) and a new connection that
 * proves the same credential takes the session over with `resume`.
 */
import type { Session } from './session.js';

export const RESUME_GRACE_MS = 15_000;

export class SuspendedSessions {
  private readonly sessions = new Map<string, { session: Session; timer: NodeJS.Timeout }>();

  /** Holds `session` until it is resumed or the grace period ends (then it closes). */
  hold(session: Session): void {
    session.peer.suspend();
    const timer = setTimeout(() => {
      this.sessions.delete(session.peer.id);
      void session.close();
    }, RESUME_GRACE_MS);
    timer.unref();
    this.sessions.set(session.peer.id, { session, timer });
  }

  /** Takes a held session out, if there is one for this peer. */
  claim(peerId: string): Session | undefined {
    const held = this.sessions.get(peerId);
    if (!held) return undefined;
    clearTimeout(held.timer);
    this.sessions.delete(peerId);
    return held.session;
  }

  /** Closes every held session now (shutdown). */
  async closeAll(): Promise<void> {
    const held = [...this.sessions.values()];
    this.sessions.clear();
    for (const { timer } of held) clearTimeout(timer);
    await Promise.all(held.map(({ session }) => session.close()));
  }
}
