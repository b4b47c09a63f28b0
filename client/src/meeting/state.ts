/**
 * The meeting as this tab sees it, one slice per entity. Each slice is
 * replaced, never mutated, so a view can tell what changed by reference.
 */
import type { ChatMessage, MediaSource, NotificationData, PeerInfo, Question, RecordingInfo, Role, RoomSettings } from '@protocol/messages';

export interface SelfState {
  /** Empty until the join answer names this peer. */
  id: string;
  displayName: string;
  role: Role;
  handRaised: boolean;
  sending: readonly MediaSource[];
}

export type WaitingPeer = NotificationData<'lobbyChanged'>['waiting'][number];

/** How phones reach this meeting: its PIN and the SIP address to dial (told to hosts when the server takes calls). */
export type DialIn = NonNullable<NotificationData<'joined'>['dialIn']>;

/**
 * This host's latest call to a phone: the request is out (`calling`), the
 * server placed the call and it rings (`ringing`, with the phone's peer
 * id), the phone answered and is here, or the call failed (`message`
 * says why: the server's reason, or its refusal in words for the person).
 */
export type DialOutStatus =
  | { kind: 'idle' }
  | { kind: 'calling'; target: string }
  | { kind: 'ringing'; target: string; peerId: string }
  | { kind: 'answered'; target: string }
  | { kind: 'failed'; target: string; message: string };

/** What leaves the server for the meeting: its recording, or its live stream. */
export type EgressKind = NotificationData<'egressFailed'>['what'];

/**
 * This host's latest request to start or stop a recording or stream: out
 * (`asking`), answered (`idle`), or refused (`message`: the server's
 * refusal in words for the person); or what runs stopped on its own
 * (`reason`, the server's, told to every host).
 */
export type EgressRequest = { kind: 'idle' } | { kind: 'asking' } | { kind: 'refused'; message: string } | { kind: 'stopped'; reason: string };

/**
 * Something that happened that the person should read about (the view
 * words it): made a host, one of their media stopped by a host, the
 * recording or live stream started or stopped (`started` names only what
 * changed), or, for hosts, one of them failed. The serial makes the same
 * notice twice show twice.
 */
export type Notice = { serial: number } & (
  | { kind: 'promoted' }
  /** A host moved this person between a webinar's audience and its panel. */
  | { kind: 'became'; role: 'panelist' | 'attendee' }
  | { kind: 'stopped-by-host'; source: MediaSource }
  | { kind: 'egress'; started: Partial<Record<EgressKind, boolean>> }
  | { kind: 'egress-failed'; what: EgressKind; reason: string }
);

export interface MeetingState {
  /** Everyone else in the meeting, in the order they arrived, keyed by peer id. */
  peers: ReadonlyMap<string, PeerInfo>;
  /** Who waits in the lobby (hosts only hear of it). */
  lobby: readonly WaitingPeer[];
  self: SelfState;
  room: RoomSettings;
  chat: readonly ChatMessage[];
  /** A webinar's attendees, on every node (an attendee sees this count, not the people). */
  audience: number;
  /** A webinar's questions this person may see, in the order they were asked. */
  questions: readonly Question[];
  /** Peer ids producing sound, loudest first. */
  speakers: readonly string[];
  notice: Notice | undefined;
  /** Hosts only, and only when the server takes phone calls. */
  dialIn: DialIn | undefined;
  dialOut: DialOutStatus;
  /** This host's requests about the recording and the live stream (whether they run is in `room`). */
  egress: Readonly<Record<EgressKind, EgressRequest>>;
  /** The meeting's finished recordings, newest first (hosts only); undefined until listed. */
  recordings: readonly RecordingInfo[] | undefined;
}

export function initialMeetingState(displayName: string): MeetingState {
  return {
    peers: new Map(),
    lobby: [],
    self: { id: '', displayName, role: 'participant', handRaised: false, sending: [] },
    room: { locked: false, lobby: true, recording: false, streaming: false, webinar: false },
    chat: [],
    audience: 0,
    questions: [],
    speakers: [],
    notice: undefined,
    dialIn: undefined,
    dialOut: { kind: 'idle' },
    egress: { recording: { kind: 'idle' }, streaming: { kind: 'idle' } },
    recordings: undefined,
  };
}
