/**
 * Who is in one room on this node: the peers attached to it (connected,
 * waiting in the lobby or in the meeting) and, through RemotePeers, the
 * people other nodes serve. It answers questions and delivers
 * notifications, to everyone or, in a webinar, to the panel (hosts and
 * participants) or the audience (attendees) alone; the meeting decides who
 * moves where.
 */
import type { NotificationData, NotificationMethod, PeerInfo, Role } from '../protocol/messages.js';
import type { Peer } from './peer.js';
import { RemotePeers, type WaitingPeer } from './remote-peers.js';

/** Hears every broadcast, as a participant would, without being one (the recorder). */
export type RosterObserver = <M extends NotificationMethod>(method: M, data: NotificationData<M>) => void;

/** Who a broadcast reaches: everyone in the meeting, the panel, or the audience. Observers hear what the panel hears. */
export type Recipients = 'everyone' | 'panelists' | 'attendees';

export const isPanelist = (role: Role): boolean => role !== 'attendee';

export class Roster {
  readonly remote = new RemotePeers();
  private readonly local = new Map<string, Peer>();
  private readonly observers = new Set<RosterObserver>();

  /** Peers attached on this node, in any state. */
  get size(): number {
    return this.local.size;
  }

  attach(peer: Peer): void {
    this.local.set(peer.id, peer);
  }

  /** Detaches a peer; false if it was not attached (it left already). */
  detach(peer: Peer): boolean {
    if (this.local.get(peer.id) !== peer) return false;
    return this.local.delete(peer.id);
  }

  isAttached(peer: Peer): boolean {
    return this.local.get(peer.id) === peer;
  }

  get(peerId: string): Peer | undefined {
    return this.local.get(peerId);
  }

  all(): Peer[] {
    return [...this.local.values()];
  }

  joined(except?: Peer): Peer[] {
    return this.all().filter((peer) => peer.state === 'joined' && peer !== except);
  }

  waiting(): Peer[] {
    return this.all().filter((peer) => peer.state === 'waiting');
  }

  /** Everyone in the meeting, here and on other nodes. */
  headcount(): number {
    return this.joined().length + this.remote.size;
  }

  /** Who waits in this node's lobby. */
  localLobby(): WaitingPeer[] {
    return this.waiting().map((peer) => ({ peerId: peer.id, displayName: peer.displayName, ...(peer.phone ? { phone: true as const } : {}) }));
  }

  /** Who waits in every node's lobby. */
  lobby(): WaitingPeer[] {
    return [...this.localLobby(), ...this.remote.waiting()];
  }

  /** Other sessions of the same person (same credential), here and elsewhere. */
  earlierSessions(peerId: string, credentialId: string): { local: Peer[]; remote: string[] } {
    const remote = this.remote.byCredential(credentialId);
    return {
      local: this.joined().filter((other) => other.id !== peerId && other.credentialId === credentialId),
      remote: remote && remote.info.id !== peerId ? [remote.info.id] : [],
    };
  }

  /** Panelists in the meeting on this node (but `except`). */
  panelists(except?: Peer): Peer[] {
    return this.joined(except).filter((peer) => isPanelist(peer.role));
  }

  /** Attendees in the meeting, here and on other nodes. */
  audienceSize(): number {
    let here = 0;
    for (const peer of this.local.values()) if (peer.state === 'joined' && peer.role === 'attendee') here++;
    return here + this.remote.attendees();
  }

  /** Sends a notification to everyone in the meeting on this node (but `except`), or only to its panelists or attendees. */
  broadcast<M extends NotificationMethod>(method: M, data: NotificationData<M>, except?: Peer, to: Recipients = 'everyone'): void {
    for (const peer of this.local.values()) {
      if (peer.state !== 'joined' || peer === except) continue;
      if (to !== 'everyone' && isPanelist(peer.role) !== (to === 'panelists')) continue;
      peer.notify(method, data);
    }
    if (to !== 'attendees') for (const observer of this.observers) observer(method, data);
  }

  /** `observer` hears every broadcast until the returned function is called. */
  observe(observer: RosterObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Tells every host on this node who is waiting now. */
  notifyHosts(): void {
    const waiting = this.lobby();
    for (const host of this.joined().filter((peer) => peer.role === 'host')) host.notify('lobbyChanged', { waiting });
  }

  /** Everyone else in the meeting, as a newcomer sees them: an attendee sees the panel only. */
  infos(describe: (peer: Peer) => PeerInfo, except?: Peer, viewer: Role = 'participant'): PeerInfo[] {
    if (!isPanelist(viewer)) return [...this.panelists(except).map(describe), ...this.remote.infos().filter((info) => isPanelist(info.role))];
    return [...this.joined(except).map(describe), ...this.remote.infos()];
  }
}
