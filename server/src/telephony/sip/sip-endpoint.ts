/**
 * Parley's SIP user agent: routes what the transport delivers to the `sip`
 * package's transactions (which absorb and answer retransmissions), to the
 * dialog it belongs to, or to a new call; answers OPTIONS, CANCEL and what
 * it does not support; and places outgoing INVITEs. It knows calls only as
 * SIP: what a call means is the telephony service's business.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import sip, { type SipRequest, type SipResponse, type ServerTransaction, type TransactionLayer, type SipMessage } from 'sip';
import digest from 'sip/digest.js';
import { ALLOW, SipDialog, TRANSACTION_TIMEOUT_MS, newTag, type DialogHost } from './sip-dialog.js';
import type { SipPeer, SipTransport } from './sip-transport.js';

/** A new INVITE, before anyone decided to take it. */
export interface IncomingCall {
  request: SipRequest;
  source: SipPeer;
  /** Provisional answer (180 Ringing). */
  ring(): void;
  reject(status: number, reason: string): void;
  /** Answers with SDP; the dialog is confirmed once the ACK arrives. */
  accept(sdp: string): SipDialog;
  /** The caller gave up before the answer (CANCEL). */
  readonly cancelled: boolean;
}

export interface OutgoingCall {
  dialog: SipDialog;
  answer: string;
}

export interface TrunkCredentials {
  user: string;
  password: string;
}

export interface SipEndpointOptions {
  /** The host and port put in Via and Contact. */
  publicAddress: string;
  /** Whether this source may ask what the server supports (OPTIONS); others get 403. */
  trusted(source: SipPeer): boolean;
  /** Whether a new INVITE is taken: undefined, or the response that refuses or challenges it. */
  screen(request: SipRequest, source: SipPeer): SipResponse | undefined;
}

export interface SipEndpointEvents {
  call: [call: IncomingCall];
}

interface PendingInvite {
  transaction: ServerTransaction;
  request: SipRequest;
  answered: boolean;
  cancelled: boolean;
}

const MAX_FORWARDS = 70;

export class SipEndpoint extends EventEmitter<SipEndpointEvents> implements DialogHost {
  private readonly layer: TransactionLayer;
  private readonly dialogs = new Map<string, SipDialog>();
  private readonly pending = new Map<string, PendingInvite>();
  /** ACKs we sent for 2xx answers to our INVITEs, resent if the 2xx is retransmitted. */
  private readonly acks = new Map<string, { peer: SipPeer; ack: SipRequest }>();

  constructor(
    private readonly transport: SipTransport,
    private readonly options: SipEndpointOptions,
  ) {
    super();
    this.layer = sip.makeTransactionLayer({}, (target) => transport.connection(target as SipPeer));
    transport.on('message', (message, source) => this.onMessage(message, source));
  }

  contact(peer: SipPeer): string {
    return `sip:parley@${this.options.publicAddress}:${this.transport.portFor(peer.protocol)};transport=${peer.protocol.toLowerCase()}`;
  }

  send(peer: SipPeer, message: SipRequest | SipResponse): void {
    this.stamp(peer, message);
    this.transport.send(peer, message);
  }

  request(peer: SipPeer, request: SipRequest): Promise<SipResponse | undefined> {
    this.stamp(peer, request);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), TRANSACTION_TIMEOUT_MS + 1_000);
      this.layer.createClientTransaction(this.transport.connection(peer), request, (response) => {
        if (response.status < 200) return;
        clearTimeout(timer);
        resolve(response);
      });
    });
  }

  forget(dialog: SipDialog): void {
    if (this.dialogs.get(dialog.callId) === dialog) this.dialogs.delete(dialog.callId);
    this.acks.delete(dialog.callId);
  }

  /**
   * Calls `target` (a SIP URI) through `peer` (the trunk or the phone itself)
   * with `offer`; answers a digest challenge once with `credentials`.
   * Rejects with the final status when the call is not answered.
   */
  async invite(peer: SipPeer, target: string, offer: string, credentials?: TrunkCredentials): Promise<OutgoingCall> {
    const callId = `${randomBytes(12).toString('hex')}@parley`;
    const local = { uri: `sip:parley@${this.options.publicAddress}`, tag: newTag() };
    let request = this.outgoingInvite(target, callId, local, 1, offer, peer);
    let response = await this.request(peer, request);
    if (response && (response.status === 401 || response.status === 407) && credentials) {
      const next = this.outgoingInvite(target, callId, local, 2, offer, peer);
      digest.signRequest({}, next, response, credentials);
      request = next;
      response = await this.request(peer, request);
    }
    if (!response) throw new CallFailed(408, 'nobody answered');
    if (response.status >= 300) throw new CallFailed(response.status, response.reason);
    const remoteTarget = response.headers.contact?.[0]?.uri ?? target;
    const remote = { uri: target, tag: String(response.headers.to.params['tag'] ?? ''), target: remoteTarget };
    const dialog = new SipDialog(this, callId, local, remote, peer, request.headers.cseq.seq);
    this.dialogs.set(callId, dialog);
    const ack: SipRequest = {
      method: 'ACK',
      uri: remoteTarget,
      version: '2.0',
      headers: { ...request.headers, via: [], cseq: { seq: request.headers.cseq.seq, method: 'ACK' }, to: response.headers.to },
    };
    delete ack.headers['content-type'];
    this.acks.set(callId, { peer, ack });
    this.send(peer, ack);
    return { dialog, answer: response.content ?? '' };
  }

  close(): void {
    for (const dialog of [...this.dialogs.values()]) void dialog.hangUp('local');
    this.layer.destroy();
  }

  private outgoingInvite(target: string, callId: string, local: { uri: string; tag: string }, seq: number, offer: string, peer: SipPeer): SipRequest {
    return {
      method: 'INVITE',
      uri: target,
      version: '2.0',
      headers: {
        via: [],
        to: { uri: target, params: {} },
        from: { name: '"Parley"', uri: local.uri, params: { tag: local.tag } },
        'call-id': callId,
        cseq: { seq, method: 'INVITE' },
        contact: [{ uri: this.contact(peer), params: {} }],
        'max-forwards': MAX_FORWARDS,
        allow: ALLOW,
        'content-type': 'application/sdp',
      },
      content: offer,
    };
  }

  /** Our Via on requests (the transaction layer sets the branch). */
  private stamp(peer: SipPeer, message: SipMessage): void {
    if (!('method' in message) || message.headers.via.length > 0) return;
    const [host] = this.options.publicAddress.split(':');
    message.headers.via = [{ version: '2.0', protocol: peer.protocol, host: host!, port: this.transport.portFor(peer.protocol), params: { branch: branch(), rport: null } }];
  }

  private onMessage(message: SipMessage, source: SipPeer): void {
    if (!('method' in message)) {
      this.onResponse(message);
      return;
    }
    const existing = this.layer.getServer(message);
    if (existing) {
      existing.message(message);
      return;
    }
    if (message.method === 'ACK') {
      this.dialogs.get(message.headers['call-id'])?.onRequest(message, undefined);
      return;
    }
    const transaction = this.layer.createServerTransaction(message, this.transport.connection(source));
    const refuse = (status: number, reason: string, headers?: Record<string, unknown>) =>
      transaction.send(sip.makeResponse(message, status, reason, headers ? { headers } : undefined));
    const maxForwards = message.headers['max-forwards'];
    if (maxForwards !== undefined && Number(maxForwards) <= 0) return refuse(483, 'Too Many Hops');
    const uri = sip.parseUri(message.uri);
    if (!uri) return refuse(400, 'Bad Request-URI');
    if (uri.schema !== 'sip' && uri.schema !== 'sips') return refuse(416, 'Unsupported URI Scheme');
    if (message.headers['require'] !== undefined) return refuse(420, 'Bad Extension', { unsupported: String(message.headers['require']) });
    if (message.method === 'CANCEL') return this.onCancel(message, transaction);
    if (message.headers.to.params['tag'] !== undefined && message.headers.to.params['tag'] !== null) {
      const dialog = this.dialogs.get(message.headers['call-id']);
      if (!dialog || dialog.local.tag !== message.headers.to.params['tag']) return refuse(481, 'Call/Transaction Does Not Exist');
      dialog.onRequest(message, transaction);
      return;
    }
    switch (message.method) {
      case 'OPTIONS':
        if (!this.options.trusted(source)) return refuse(403, 'Forbidden');
        return transaction.send(sip.makeResponse(message, 200, 'OK', { headers: { allow: ALLOW, accept: 'application/sdp' } }));
      case 'INVITE': {
        const refusal = this.options.screen(message, source);
        if (refusal) return transaction.send(refusal);
        return this.onInvite(message, transaction, source);
      }
      case 'BYE':
      case 'INFO':
        return refuse(481, 'Call/Transaction Does Not Exist');
      default:
        return refuse(405, 'Method Not Allowed', { allow: ALLOW });
    }
  }

  private onResponse(response: SipResponse): void {
    const transaction = this.layer.getClient(response);
    if (transaction) {
      transaction.message(response);
      return;
    }
    // A retransmitted 2xx: our ACK was lost.
    const sent = this.acks.get(response.headers['call-id']);
    if (sent && response.status >= 200 && response.status < 300 && response.headers.cseq.method === 'INVITE') this.transport.send(sent.peer, sent.ack);
  }

  private onCancel(cancel: SipRequest, transaction: ServerTransaction): void {
    const pending = this.pending.get(cancel.headers['call-id']);
    if (!pending || pending.answered || pending.request.headers.via[0]?.params['branch'] !== cancel.headers.via[0]?.params['branch']) {
      transaction.send(sip.makeResponse(cancel, 481, 'Call/Transaction Does Not Exist'));
      return;
    }
    transaction.send(sip.makeResponse(cancel, 200, 'OK'));
    pending.transaction.send(withTag(sip.makeResponse(pending.request, 487, 'Request Terminated')));
    this.pending.delete(cancel.headers['call-id']);
    pending.answered = true;
    pending.cancelled = true;
  }

  private onInvite(request: SipRequest, transaction: ServerTransaction, source: SipPeer): void {
    const callId = request.headers['call-id'];
    if (this.pending.has(callId) || this.dialogs.has(callId)) {
      transaction.send(sip.makeResponse(request, 482, 'Loop Detected'));
      return;
    }
    const tag = newTag();
    const pending: PendingInvite = { transaction, request, answered: false, cancelled: false };
    this.pending.set(callId, pending);
    transaction.send(sip.makeResponse(request, 100, 'Trying'));
    const settle = () => {
      pending.answered = true;
      this.pending.delete(callId);
    };
    const call: IncomingCall = {
      request,
      source,
      get cancelled() {
        return pending.cancelled;
      },
      ring: () => {
        if (!pending.answered) transaction.send(withTag(sip.makeResponse(request, 180, 'Ringing'), tag));
      },
      reject: (status, reason) => {
        if (pending.answered) return;
        settle();
        transaction.send(withTag(sip.makeResponse(request, status, reason), tag));
      },
      accept: (sdp) => {
        if (pending.cancelled) throw new Error('the call was cancelled');
        settle();
        const contact = request.headers.contact?.[0]?.uri ?? request.headers.from.uri;
        const dialog = new SipDialog(
          this,
          callId,
          { uri: request.headers.to.uri, tag },
          { uri: request.headers.from.uri, tag: String(request.headers.from.params['tag'] ?? ''), target: contact },
          source,
        );
        this.dialogs.set(callId, dialog);
        dialog.answer(transaction, request, sdp);
        return dialog;
      },
    };
    this.emit('call', call);
  }
}

export class CallFailed extends Error {
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super(`${status} ${reason}`);
  }
}

const branch = () => `z9hG4bK${randomBytes(10).toString('hex')}`;

function withTag(response: SipResponse, tag = newTag()): SipResponse {
  response.headers.to = { ...response.headers.to, params: { ...response.headers.to.params, tag } };
  return response;
}
