/**
 * Sessions whose connection vanished, held for a grace period: their peer
 * stays in the meeting (media keeps flowing) and a new connection that
 * proves the same credential takes the session over with `resume`.
 *
 * Held sessions keep their media ports, so they are capped: per address
 * (together with that address's open connections, see `heldBy`) and per
 * node. Past either cap the oldest held session closes at once. A failed
 * claim changes nothing: only the right credential takes a session out, and
 * nothing ever extends a grace period.
 */
import type { Peer } from '../roster/peer.js';

export const RESUME_GRACE_MS = 15_000;

export interface Resumable {
  readonly peer: Peer;
  readonly roomId: string;
  close(): Promise<void>;
}

interface Held<S> {
  session: S;
  address: string;
  timer: NodeJS.Timeout;
}

export interface HoldLimits {
  /** Held sessions one address may have. */
  perAddress: number;
  /** Held sessions on this node. */
  total: number;
  graceMs?: number;
}

export class SuspendedSessions<S extends Resumable> {
  /** In the order they were held: the first is the oldest. */
  private readonly held = new Map<string, Held<S>>();

  constructor(private readonly limits: HoldLimits) {}

  get size(): number {
    return this.held.size;
  }

  /** Held sessions of one address. */
  heldBy(address: string): number {
    let count = 0;
    for (const entry of this.held.values()) if (entry.address === address) count++;
    return count;
  }

  /** Holds `session` until it is resumed or the grace period ends (then it closes). */
  hold(session: S, address: string): void {
    session.peer.suspend();
    while (this.heldBy(address) >= this.limits.perAddress) this.evictOldest((entry) => entry.address === address);
    while (this.held.size >= this.limits.total) this.evictOldest(() => true);
    const timer = setTimeout(() => this.release(session.peer.id), this.limits.graceMs ?? RESUME_GRACE_MS);
    timer.unref();
    this.held.set(session.peer.id, { session, address, timer });
  }

  /** Takes out the held session of `peerId`, only if `proves` accepts it; otherwise nothing changes. */
  claim(peerId: string, proves: (session: S) => boolean): S | undefined {
    const entry = this.held.get(peerId);
    if (!entry || !proves(entry.session)) return undefined;
    clearTimeout(entry.timer);
    this.held.delete(peerId);
    return entry.session;
  }

  /** Closes every held session now (shutdown). */
  async closeAll(): Promise<void> {
    const entries = [...this.held.values()];
    this.held.clear();
    for (const { timer } of entries) clearTimeout(timer);
    await Promise.all(entries.map(({ session }) => session.close()));
  }

  private evictOldest(matches: (entry: Held<S>) => boolean): void {
    for (const entry of this.held.values()) {
      if (matches(entry)) return this.release(entry.session.peer.id);
    }
  }

  private release(peerId: string): void {
    const entry = this.held.get(peerId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.held.delete(peerId);
    void entry.session.close();
  }
}
