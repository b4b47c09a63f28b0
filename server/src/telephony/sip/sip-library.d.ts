/**
 * Types for the parts of the `sip` package (kirm/sip.js, plain JavaScript)
 * that Parley uses: its message parser and serialiser, URI helpers, the
 * transaction layer and digest authentication. Its own transports are not
 * used (see sip-transport.ts).
 */
declare module 'sip' {
  export interface SipUri {
    schema: string;
    user?: string;
    password?: string;
    host: string;
    port?: number;
    params: Record<string, string | null>;
    headers: Record<string, string>;
  }
  export interface NameAddr {
    name?: string;
    uri: string;
    params: Record<string, string | null | undefined>;
  }
  export interface Via {
    version: string;
    protocol: string;
    host: string;
    port?: number;
    params: Record<string, string | null | undefined>;
  }
  export interface SipHeaders {
    via: Via[];
    to: NameAddr;
    from: NameAddr;
    'call-id': string;
    cseq: { seq: number; method: string };
    contact?: NameAddr[];
    'content-type'?: string;
    'content-length'?: number;
    'max-forwards'?: string | number;
    route?: NameAddr[];
    'record-route'?: NameAddr[];
    [name: string]: unknown;
  }
  export interface SipRequest {
    method: string;
    uri: string;
    version: string;
    headers: SipHeaders;
    content?: string;
  }
  export interface SipResponse {
    status: number;
    reason: string;
    version: string;
    headers: SipHeaders;
    content?: string;
  }
  export type SipMessage = SipRequest | SipResponse;

  /** Where a transaction sends: a function per message, released when the transaction ends. */
  export interface Connection {
    send(message: SipMessage): void;
    release(): void;
    protocol: string;
  }
  export interface ServerTransaction {
    send(response: SipResponse): void;
    message(request: SipRequest): void;
    shutdown(): void;
  }
  export interface ClientTransaction {
    message(response: SipResponse): void;
    shutdown(): void;
  }
  export interface TransactionLayer {
    createServerTransaction(request: SipRequest, connection: Connection): ServerTransaction;
    createClientTransaction(connection: Connection, request: SipRequest, onResponse: (response: SipResponse) => void): ClientTransaction;
    getServer(message: SipMessage): ServerTransaction | undefined;
    getClient(message: SipMessage): ClientTransaction | undefined;
    destroy(): void;
  }

  export function parse(data: Buffer | string): SipMessage | undefined;
  export function stringify(message: SipMessage): string;
  export function makeResponse(
    request: SipRequest,
    status: number,
    reason: string,
    extension?: { headers?: Record<string, unknown>; content?: string },
  ): SipResponse;
  export function parseUri(uri: string): SipUri | undefined;
  export function stringifyUri(uri: SipUri): string;
  export function makeTransactionLayer(options: object, open: (target: unknown) => Connection): TransactionLayer;
  export function makeStreamParser(
    onMessage: (message: SipMessage) => void,
    onFlood: () => void,
    maxBytesHeaders: number,
    maxContentLength: number,
  ): (data: string) => void;
}

declare module 'sip/digest.js' {
  import type { SipRequest, SipResponse } from 'sip';
  export interface DigestContext {
    realm?: string;
    [key: string]: unknown;
  }
  /** Adds a WWW-Authenticate challenge to a 401 response. */
  export function challenge(context: DigestContext, response: SipResponse): SipResponse;
  /** Whether the request's Authorization answers the context's challenge with these credentials. */
  export function authenticateRequest(context: DigestContext, request: SipRequest, credentials: { user: string; password: string }): boolean;
  /** Adds Authorization or Proxy-Authorization answering a 401/407 challenge. */
  export function signRequest(context: DigestContext, request: SipRequest, response: SipResponse, credentials: { user: string; password: string }): SipRequest;
}
