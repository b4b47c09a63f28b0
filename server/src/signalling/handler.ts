/** The shape of the handler table: each request's allowed peer states and roles, and what it does. */
import type { RequestData, RequestMethod, ResponseData } from '../protocol/messages.js';
import type { PeerState } from '../roster/peer.js';
import type { Session } from './session.js';

/** A handler's answer, and work to run once the answer has been sent. */
export interface Outcome<M extends RequestMethod> {
  data: ResponseData<M>;
  afterResponse?: () => Promise<void>;
  /** An earlier session this connection takes over (resume). */
  adopt?: Session;
}

export interface Handler<M extends RequestMethod> {
  /** The peer states this request is valid in. */
  states: readonly PeerState[];
  /** Only hosts may send it. */
  hostOnly?: boolean;
  run(session: Session, data: RequestData<M>): Promise<Outcome<M>>;
}

export type HandlerTable<K extends RequestMethod> = { [M in K]: Handler<M> };

export const done = { data: {} } as const;
