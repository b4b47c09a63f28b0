/**
 * One SIP dialog (RFC 3261 §12), from Parley's side, for a call that came
 * in or went out. It answers and re-answers INVITEs, retransmitting its
 * 2xx over UDP until the ACK comes (§13.3.1.4), sends BYE, and reports the
 * in-dialog requests that matter to a call: BYE, re-INVITE (hold and
 * resume) and INFO (DTMF).
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import sip, { type SipRequest, type SipResponse, type ServerTransaction } from 'sip';
import type { SipPeer } from './sip-transport.js';

/** RFC 3261's T1 and T2, and how long a 2xx waits for its ACK (64 × T1). */
const T1_MS = 500;
const T2_MS = 4_000;
export const TRANSACTION_TIMEOUT_MS = 64 * T1_MS;

export const newTag = (): string => randomBytes(8).toString('hex');

/** What the dialog needs from the endpoint that owns it. */
export interface DialogHost {
  send(peer: SipPeer, message: SipRequest | SipResponse): void;
  /** Sends a request in a client transaction; resolves with the final response, or undefined on timeout. */
  request(peer: SipPeer, request: SipRequest): Promise<SipResponse | undefined>;
  contact(peer: SipPeer): string;
  forget(dialog: SipDialog): void;
}

export type DialogEnd = 'bye' | 'cancelled' | 'no-ack' | 'no-media' | 'local' | 'failed';

export interface DialogEvents {
  /** A re-INVITE with this offer (answer it with `answer`). */
  reinvite: [offer: string, transaction: ServerTransaction, request: SipRequest];
  /** An INFO request's body (200 is already sent). */
  info: [contentType: string, body: string];
  /** The ACK for our 2xx came. */
  confirmed: [];
  ended: [why: DialogEnd];
}

export class SipDialog extends EventEmitter<DialogEvents> {
  /** Our CSeq: each request we send in the dialog takes the next. */
  private localSeq: number;
  private retransmit: NodeJS.Timeout | undefined;
  private ackDeadline: NodeJS.Timeout | undefined;
  private isEnded = false;
  /** The CSeq of the INVITE whose 2xx awaits its ACK. */
  private awaitingAckFor: number | undefined;

  constructor(
    private readonly host: DialogHost,
    readonly callId: string,
    /** Our tag and URI (To of an incoming call, From of an outgoing one). */
    readonly local: { uri: string; tag: string },
    readonly remote: { uri: string; tag: string; target: string },
    /** Where in-dialog requests go: the address the call came from or went to. */
    readonly peer: SipPeer,
    /** The CSeq our side last used: the INVITE's, for a call we placed. */
    lastLocalSeq = Math.floor(Math.random() * 10_000),
  ) {
    super();
    this.localSeq = lastLocalSeq;
  }

  get ended(): boolean {
    return this.isEnded;
  }

  /** Answers the INVITE `request` with 2xx and SDP, over and over on UDP until the ACK. */
  answer(transaction: ServerTransaction, request: SipRequest, sdp: string): void {
    const response = sip.makeResponse(request, 200, 'OK', {
      headers: { contact: [{ uri: this.host.contact(this.peer), params: {} }], 'content-type': 'application/sdp', allow: ALLOW, supported: '' },
      content: sdp,
    });
    response.headers.to = { ...request.headers.to, params: { ...request.headers.to.params, tag: this.local.tag } };
    transaction.send(response);
    this.awaitingAckFor = request.headers.cseq.seq;
    this.stopRetransmitting();
    if (this.peer.protocol === 'UDP') {
      let interval = T1_MS;
      const again = () => {
        this.host.send(this.peer, response);
        interval = Math.min(interval * 2, T2_MS);
        this.retransmit = setTimeout(again, interval);
      };
      this.retransmit = setTimeout(again, interval);
    }
    this.ackDeadline = setTimeout(() => {
      this.stopRetransmitting();
      void this.hangUp('no-ack');
    }, TRANSACTION_TIMEOUT_MS);
  }

  /** A request within this dialog, from the endpoint. */
  onRequest(request: SipRequest, transaction: ServerTransaction | undefined): void {
    switch (request.method) {
      case 'ACK':
        if (this.awaitingAckFor === request.headers.cseq.seq) {
          this.awaitingAckFor = undefined;
          this.stopRetransmitting();
          this.emit('confirmed');
        }
        return;
      case 'BYE':
        transaction?.send(sip.makeResponse(request, 200, 'OK'));
        this.end('bye');
        return;
      case 'INVITE':
        if (!transaction) return;
        if (this.awaitingAckFor !== undefined) {
          transaction.send(sip.makeResponse(request, 491, 'Request Pending'));
          return;
        }
        this.emit('reinvite', request.content ?? '', transaction, request);
        return;
      case 'INFO':
        transaction?.send(sip.makeResponse(request, 200, 'OK'));
        this.emit('info', String(request.headers['content-type'] ?? ''), request.content ?? '');
        return;
      case 'OPTIONS':
        transaction?.send(sip.makeResponse(request, 200, 'OK', { headers: { allow: ALLOW } }));
        return;
      default:
        transaction?.send(sip.makeResponse(request, 405, 'Method Not Allowed', { headers: { allow: ALLOW } }));
    }
  }

  /** Ends the call from our side with BYE (bounded by the transaction timeout); never rejects: the call is over either way. */
  async hangUp(why: DialogEnd = 'local'): Promise<void> {
    if (this.isEnded) return;
    this.end(why);
    await this.host.request(this.peer, this.inDialogRequest('BYE')).catch(() => undefined);
  }

  /** A new request in this dialog (BYE, re-INVITE). */
  inDialogRequest(method: string, content?: { type: string; body: string }): SipRequest {
    this.localSeq += 1;
    const request: SipRequest = {
      method,
      uri: this.remote.target,
      version: '2.0',
      headers: {
        via: [],
        to: { uri: this.remote.uri, params: { tag: this.remote.tag } },
        from: { uri: this.local.uri, params: { tag: this.local.tag } },
        'call-id': this.callId,
        cseq: { seq: this.localSeq, method },
        'max-forwards': 70,
      },
    };
    if (content) {
      request.headers['content-type'] = content.type;
      request.content = content.body;
    }
    return request;
  }

  /** The dialog ends without a BYE of ours (theirs came, or the call was cancelled). */
  end(why: DialogEnd): void {
    if (this.isEnded) return;
    this.isEnded = true;
    this.stopRetransmitting();
    this.host.forget(this);
    this.emit('ended', why);
  }

  private stopRetransmitting(): void {
    clearTimeout(this.retransmit);
    clearTimeout(this.ackDeadline);
    this.retransmit = undefined;
    this.ackDeadline = undefined;
  }
}

export const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO';
