/**
 * The meeting as this tab sees it, one slice per entity. Each slice is
 * replaced, never mutated, so a view can tell what changed by reference.
 */
import type { ChatMessage, MediaSource, NotificationData, PeerInfo, Role, RoomSettings } from '@protocol/messages';

export interface SelfState {
  /** Empty until the join answer names this peer. */
  id: string;
  displayName: string;
  role: Role;
  handRaised: boolean;
  sending: readonly MediaSource[];
}

export type WaitingPeer = NotificationData<'lobbyChanged'>['waiting'][number];

/**
 * Something the server did to this tab that the person should read about
 * (the view words it): made a host, or one of their media stopped by a
 * host. The serial makes the same notice twice show twice.
 */
export type Notice = { serial: number } & ({ kind: 'promoted' } | { kind: 'stopped-by-host'; source: MediaSource });

export interface MeetingState {
  /** Everyone else in the meeting, in the order they arrived, keyed by peer id. */
  peers: ReadonlyMap<string, PeerInfo>;
  /** Who waits in the lobby (hosts only hear of it). */
  lobby: readonly WaitingPeer[];
  self: SelfState;
  room: RoomSettings;
  chat: readonly ChatMessage[];
  /** Peer ids producing sound, loudest first. */
  speakers: readonly string[];
  notice: Notice | undefined;
}

export function initialMeetingState(displayName: string): MeetingState {
  return {
    peers: new Map(),
    lobby: [],
    self: { id: '', displayName, role: 'participant', handRaised: false, sending: [] },
    room: { locked: false, lobby: true },
    chat: [],
    speakers: [],
    notice: undefined,
  };
}
