/** Where a call stands: exactly one of these at a time. Pure types. */
export type CallState =
  /** Reaching the server and asking to enter; `step` says which. */
  | { kind: 'joining'; step: string }
  /** The room wants a password; `message` says why (missing or wrong). */
  | { kind: 'password'; message: string }
  /** Waiting for a host to admit this tab. */
  | { kind: 'lobby' }
  /** In the meeting; media controls wait for `mediaReady`. */
  | { kind: 'in-call'; mediaReady: boolean }
  /** The connection was lost; retry `attempt` will `resume` the session or `rejoin` the meeting. */
  | { kind: 'reconnecting'; attempt: number; mode: 'resume' | 'rejoin'; reason: string }
  /** Over for this tab: `end` says why (views/end-screen.ts words it), `detail` is the server's own sentence, if any. */
  | { kind: 'ended'; end: EndKind; detail?: string };

/** Why a call is over, which decides what the end screen offers. */
export type EndKind =
  /** This person left the meeting, or the lobby: rejoining works. */
  | 'left'
  | 'left-lobby'
  /** This person ended the meeting for everyone. */
  | 'you-ended'
  /** A host ended it. */
  | 'ended'
  | 'removed'
  | 'denied'
  /** The same person joined from another tab or device. */
  | 'replaced'
  /** The meeting is gone: ended, expired or never existed. */
  | 'not-found'
  /** The server refused entry (locked, revoked, full…); `detail` says why. */
  | 'refused'
  /** The connection was lost and retries ran out: the server went away. */
  | 'server-gone'
  /** The connection was lost, and when it came back the meeting was gone (a restart lost it, or it ended meanwhile). */
  | 'meeting-lost'
  /** The server could not be reached at all. */
  | 'unreachable'
  /** Anything else; `detail` says what, in plain words. */
  | 'failed';
