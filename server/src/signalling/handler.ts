/**
 * The shape of the handler table: each request's allowed peer states and
 * roles, and what it does with the session it arrived on.
 */
import type { Credentials } from '../auth/credentials.js';
import type { Meeting } from '../meeting/meeting.js';
import type { Resumable, SuspendedSessions } from '../meeting/suspended-sessions.js';
import type { ClientRequest, FirstMediaStage, RequestData, RequestMethod, ResponseData, Role } from '../protocol/messages.js';
import type { Peer, PeerState } from '../roster/peer.js';

/** What the session reports to the metrics. */
export interface SessionMetrics {
  joinDuration: { observe(seconds: number): void };
  timeToFirstMedia: { observe(seconds: number): void };
  firstMediaStage: { observe(labels: { stage: FirstMediaStage }, seconds: number): void };
  signallingErrors: { inc(labels: { code: string }): void };
}

/** The session a request arrived on, as handlers see it. */
export interface HandlerSession extends Resumable {
  firstMediaReported: boolean;
  readonly deps: {
    credentials: Credentials;
    metrics: SessionMetrics;
    suspended: SuspendedSessions<HandlerSession>;
  };
  readonly peer: Peer;
  /** Whether this session has ended (or is ending). */
  readonly ended: boolean;
  handle(request: ClientRequest): Promise<Outcome<RequestMethod>>;
  attachedMeeting(): Promise<Meeting>;
}

/** A handler's answer, and work to run once the answer has been sent. */
export interface Outcome<M extends RequestMethod> {
  data: ResponseData<M>;
  afterResponse?: () => Promise<void>;
  /** An earlier session this connection takes over (resume). */
  adopt?: HandlerSession;
}

export interface Handler<M extends RequestMethod> {
  /** The peer states this request is valid in. */
  states: readonly PeerState[];
  /** Only hosts may send it. */
  hostOnly?: boolean;
  /** The roles that may send it (every role when absent): a webinar's attendees send nothing, panelists ask nothing. */
  roles?: readonly Role[];
  run(session: HandlerSession, data: RequestData<M>): Promise<Outcome<M>>;
}

export type HandlerTable<K extends RequestMethod> = { [M in K]: Handler<M> };

export const done = { data: {} } as const;

/** Hosts and participants: the people who send. */
export const PANELISTS: readonly Role[] = ['host', 'participant'];
