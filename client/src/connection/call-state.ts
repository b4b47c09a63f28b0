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
  /** Over for this tab; `cause` is what the person is told. */
  | { kind: 'ended'; cause: string };
