/**
 * The phone bridge: takes SIP calls into meetings and places them for
 * hosts. A caller reaches a meeting with `sip:<PIN>@host`, or calls any
 * other user at this server and keys the PIN in (DTMF, then #). Each call
 * becomes a `Peer` of the meeting whose connection is a PhoneParticipant.
 * Hosts call out through `dialOut`, to destinations on the operator's
 * allow-list only.
 */
import { randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import type { FastifyBaseLogger } from 'fastify';
import sip, { type SipRequest, type SipResponse } from 'sip';
import type { Config } from '../config.js';
import type { Meetings } from '../meeting/meetings.js';
import type { PhoneBridge } from '../meeting/phone-bridge.js';
import { SignallingError } from '../protocol/errors.js';
import { Peer } from '../roster/peer.js';
import { CallGuard } from './call-guard.js';
import { readCallSdp, SdpError, writeAnswer, writeOffer, type CallMedia } from './call-sdp.js';
import { PhoneCall } from './phone-call.js';
import { PHONE_CAPABILITIES, PhoneParticipant } from './phone-participant.js';
import { loadPrompts, type Prompts } from './prompts.js';
import { RtpSocket } from './rtp-socket.js';
import type { SipDialog } from './sip/sip-dialog.js';
import { DigestAuthenticator, parseAccounts } from './sip/digest-auth.js';
import { CallFailed, SipEndpoint, type IncomingCall } from './sip/sip-endpoint.js';
import { SipTransport, type SipPeer } from './sip/sip-transport.js';

const PIN_PATTERN = /^[0-9]{9}$/;
/** How long a caller has to key in a PIN, and how many tries. */
const PIN_ENTRY_MS = 30_000;
const PIN_TRIES = 3;

export interface TelephonyDeps {
  config: Config;
  meetings: Meetings;
  logger: FastifyBaseLogger;
}

export class Telephony implements PhoneBridge {
  private readonly calls = new Set<SipDialog>();

  private constructor(
    private readonly deps: TelephonyDeps,
    private readonly transport: SipTransport,
    private readonly endpoint: SipEndpoint,
    private readonly guard: CallGuard,
    private readonly prompts: Prompts,
    private readonly trunk: SipPeer | undefined,
  ) {
    endpoint.on('call', (call) => void this.onCall(call).catch((error: unknown) => this.failed(call, error)));
  }

  /** Starts SIP, or returns undefined (and says why) when it is off or its port is taken. */
  static async start(deps: TelephonyDeps): Promise<Telephony | undefined> {
    const { config, logger } = deps;
    if (!config.PARLEY_SIP_ENABLED) return undefined;
    const trunk = config.PARLEY_SIP_TRUNK ? await resolvePeer(config.PARLEY_SIP_TRUNK) : undefined;
    const guard = new CallGuard(config.PARLEY_SIP_ALLOWED_NETWORKS, trunk ? [trunk.address] : []);
    const tls = config.PARLEY_SIP_TLS_CERT_FILE
      ? {
          port: config.PARLEY_SIP_TLS_PORT,
          cert: await readFile(config.PARLEY_SIP_TLS_CERT_FILE),
          key: await readFile(config.PARLEY_SIP_TLS_KEY_FILE!),
        }
      : undefined;
    let transport: SipTransport;
    try {
      transport = await SipTransport.listen({ address: config.PARLEY_SIP_LISTEN_IP, port: config.PARLEY_SIP_PORT, admit: (source) => guard.admitMessage(source), ...(tls ? { tls } : {}) });
    } catch (error) {
      logger.warn({ err: error, port: config.PARLEY_SIP_PORT }, 'SIP is off: its port could not be bound');
      return undefined;
    }
    transport.on('error', (error) => logger.debug({ err: error }, 'SIP socket error'));
    const publicAddress = config.PARLEY_SIP_ANNOUNCED_ADDRESS ?? config.PARLEY_RTC_ANNOUNCED_ADDRESS;
    const accounts = new DigestAuthenticator(parseAccounts(config.PARLEY_SIP_ACCOUNTS));
    const endpoint = new SipEndpoint(transport, {
      publicAddress,
      trusted: (source) => guard.trusted(source),
      screen: (request, source) => screenCall(request, source, guard, config.PARLEY_SIP_ACCOUNTS ? accounts : undefined),
    });
    // dist/prompts from server/src/telephony (tests) and from dist/server/telephony (the build) alike.
    const prompts = await loadPrompts(new URL('../../../dist/prompts/', import.meta.url), logger);
    const telephony = new Telephony(deps, transport, endpoint, guard, prompts, trunk);
    const over = transport.tlsPort ? `UDP and TCP; TLS on port ${transport.tlsPort}` : 'UDP and TCP';
    logger.info(
      { sip: `sip:<PIN>@${publicAddress}:${transport.port}`, tlsPort: transport.tlsPort, allowedNetworks: config.PARLEY_SIP_ALLOWED_NETWORKS },
      `phones dial in at sip:<PIN>@${publicAddress}:${transport.port} (${over}), from ${config.PARLEY_SIP_ALLOWED_NETWORKS}`,
    );
    return telephony;
  }

  get port(): number {
    return this.transport.port;
  }

  /** The port of SIP over TLS, when it is on. */
  get tlsPort(): number | undefined {
    return this.transport.tlsPort;
  }

  dialInUri(pin: string): string {
    const address = this.deps.config.PARLEY_SIP_ANNOUNCED_ADDRESS ?? this.deps.config.PARLEY_RTC_ANNOUNCED_ADDRESS;
    return this.port === 5060 ? `sip:${pin}@${address}` : `sip:${pin}@${address}:${this.port}`;
  }

  async dialOut(roomId: string, target: string, hostPeerId: string): Promise<string> {
    const allow = this.deps.config.PARLEY_SIP_DIAL_OUT_ALLOW;
    if (!allow) throw new SignallingError('forbidden', 'this server is not set up to call phones');
    if (!allow.split(',').some((pattern) => matches(pattern, target))) {
      throw new SignallingError('forbidden', 'that destination is not on this server\'s list of numbers hosts may call');
    }
    if (this.calls.size >= this.deps.config.PARLEY_SIP_MAX_CALLS) throw new SignallingError('unavailable', 'this server carries as many phone calls as it can');
    const isSip = target.startsWith('sip');
    if (!isSip && !this.trunk) throw new SignallingError('forbidden', 'numbers can be called only through a SIP trunk, which is not set up');
    const uri = isSip ? target : `sip:${target}@${this.trunk!.address}`;
    const peerId = randomUUID();
    void this.placeCall(roomId, uri, target, hostPeerId, peerId).catch(async (error: unknown) => {
      this.deps.logger.info({ err: error, target }, 'a dial-out call failed');
      const meeting = (await this.deps.meetings.list()).find((candidate) => candidate.id === roomId);
      meeting?.roster.get(hostPeerId)?.notify('dialOutFailed', { target, reason: whyCallFailed(error) });
    });
    return peerId;
  }

  async close(): Promise<void> {
    this.endpoint.close();
    this.transport.close();
  }

  private async onCall(call: IncomingCall): Promise<void> {
    const { request, source } = call;
    const { config } = this.deps;
    if (this.calls.size >= config.PARLEY_SIP_MAX_CALLS || !this.guard.admitCall(source)) return call.reject(503, 'Service Unavailable');
    let media: CallMedia;
    try {
      media = readCallSdp(request.content ?? '');
    } catch (error) {
      if (error instanceof SdpError) return call.reject(error.status, error.status === 400 ? 'Bad Request: malformed SDP' : 'Not Acceptable Here');
      throw error;
    }
    const caller = callerOf(request.headers.from.uri);
    const user = sip.parseUri(request.uri)?.user ?? '';
    if (PIN_PATTERN.test(user)) {
      if (!this.guard.mayTryPin(source, caller)) return call.reject(403, 'Forbidden: too many wrong PINs');
      const roomId = await this.deps.meetings.roomByPin(user);
      if (!roomId) {
        this.guard.wrongPin(source, caller);
        return call.reject(404, 'Not Found: no meeting has this PIN');
      }
      const answered = await this.answer(call, media);
      if (answered) await this.enterMeeting(answered, roomId, caller, false);
      return;
    }
    if (!this.guard.mayTryPin(source, caller)) return call.reject(403, 'Forbidden: too many wrong PINs');
    const answered = await this.answer(call, media);
    if (!answered) return;
    const roomId = await this.askForPin(answered, source, caller);
    if (roomId) await this.enterMeeting(answered, roomId, caller, false);
  }

  /** Answers with SDP: the call's socket, its audio clock, and its dialog's events. */
  private async answer(call: IncomingCall, media: CallMedia): Promise<Answered | undefined> {
    const { config } = this.deps;
    const socket = await RtpSocket.open(config.PARLEY_SIP_LISTEN_IP, { min: config.PARLEY_SIP_RTP_MIN_PORT, max: config.PARLEY_SIP_RTP_MAX_PORT }, media, [call.source.address]);
    if (call.cancelled) {
      socket.close();
      return undefined;
    }
    const phone = new PhoneCall(socket, media, this.deps.config.PARLEY_SIP_MEDIA_TIMEOUT_SECONDS * 1000);
    const local = { address: this.publicAddress(), port: socket.port, version: 1 };
    const dialog = call.accept(writeAnswer(local, media));
    return this.track(dialog, phone, local);
  }

  private track(dialog: SipDialog, phone: PhoneCall, local: { address: string; port: number; version: number }): Answered {
    this.calls.add(dialog);
    const answered: Answered = { dialog, phone, leave: () => {} };
    dialog.on('reinvite', (offer, transaction, request) => {
      try {
        const media = readCallSdp(offer, phone.codec.name);
        // The encoder, decoder and payload types are the call's: a new codec needs a new call.
        if (media.codec.name !== phone.codec.name || media.payloadType !== phone.payloadType) throw new SdpError(488, 'the codec cannot change within a call');
        phone.update(media);
        local.version += 1;
        dialog.answer(transaction, request, writeAnswer(local, media));
      } catch (error) {
        const status = error instanceof SdpError ? error.status : 500;
        transaction.send(sip.makeResponse(request, status, status === 400 ? 'Bad Request' : 'Not Acceptable Here'));
      }
    });
    dialog.on('info', (type, body) => phone.infoDigit(type, body));
    phone.once('silent', () => void dialog.hangUp('no-media'));
    dialog.once('ended', (why) => {
      this.calls.delete(dialog);
      this.deps.logger.info({ callId: dialog.callId, why }, 'phone call ended');
      answered.leave();
      phone.close();
    });
    phone.start();
    return answered;
  }

  /** The spoken PIN entry of a general number: up to three tries, each ended by #. */
  private async askForPin(answered: Answered, source: SipPeer, caller: string): Promise<string | undefined> {
    const { phone, dialog } = answered;
    for (let attempt = 1; attempt <= PIN_TRIES && !dialog.ended; attempt++) {
      void phone.say(attempt === 1 ? this.prompts.welcome : this.prompts['wrong-pin']);
      const pin = await collectDigits(phone, dialog);
      if (pin === undefined) break;
      if (!this.guard.mayTryPin(source, caller)) break;
      const roomId = PIN_PATTERN.test(pin) ? await this.deps.meetings.roomByPin(pin) : undefined;
      if (roomId) {
        phone.mixer.clearPrompts();
        return roomId;
      }
      this.guard.wrongPin(source, caller);
    }
    if (!dialog.ended) {
      phone.mixer.clearPrompts();
      await phone.say(this.prompts['too-many']);
      await dialog.hangUp();
    }
    return undefined;
  }

  /** The call becomes a participant: through the lobby, or straight in when invited or the lobby is off. */
  private async enterMeeting(answered: Answered, roomId: string, caller: string, invited: boolean, peerId: string = randomUUID()): Promise<void> {
    const { phone, dialog } = answered;
    const participant = new PhoneParticipant(phone, this.prompts, () => void dialog.hangUp(), this.deps.logger.child({ roomId, peerId }));
    const peer = new Peer(peerId, participant, '', 'phone');
    participant.peer = peer;
    try {
      const meeting = await this.deps.meetings.attach(roomId, peer);
      participant.meeting = meeting;
      answered.leave = () => void meeting.leave(peer).catch((error: unknown) => this.deps.logger.error({ err: error, roomId }, 'a phone could not leave its meeting'));
      if (dialog.ended) return answered.leave();
      const status = await meeting.joinByPhone(peer, `Phone ···${caller.slice(-4) || '?'}`, PHONE_CAPABILITIES, invited);
      if (status === 'waiting') void phone.say(this.prompts.lobby);
    } catch (error) {
      answered.leave();
      const full = error instanceof SignallingError && error.code === 'room_full';
      this.deps.logger.info({ err: error, roomId }, 'a phone could not enter the meeting');
      phone.mixer.clearPrompts();
      await phone.say(full ? this.prompts.full : this.prompts.denied);
      await dialog.hangUp();
    }
  }

  private async placeCall(roomId: string, uri: string, target: string, hostPeerId: string, peerId: string): Promise<void> {
    const { config } = this.deps;
    const parsed = sip.parseUri(uri);
    if (!parsed) throw new Error(`not a SIP URI: ${uri}`);
    const destination = this.trunk ?? (await resolvePeer(parsed.port ? `${parsed.host}:${parsed.port}` : parsed.host));
    const socket = await RtpSocket.open(config.PARLEY_SIP_LISTEN_IP, { min: config.PARLEY_SIP_RTP_MIN_PORT, max: config.PARLEY_SIP_RTP_MAX_PORT }, { address: destination.address, port: 9 }, [destination.address]);
    const local = { address: this.publicAddress(), port: socket.port, version: 1 };
    const credentials = config.PARLEY_SIP_TRUNK_USERNAME ? { user: config.PARLEY_SIP_TRUNK_USERNAME, password: config.PARLEY_SIP_TRUNK_PASSWORD! } : undefined;
    let outgoing;
    try {
      outgoing = await this.endpoint.invite(destination, uri, writeOffer(local), credentials);
    } catch (error) {
      socket.close();
      throw error;
    }
    let media: CallMedia;
    try {
      media = readCallSdp(outgoing.answer);
    } catch (error) {
      socket.close();
      await outgoing.dialog.hangUp();
      throw error;
    }
    socket.retarget(media);
    const answered = this.track(outgoing.dialog, new PhoneCall(socket, media, this.deps.config.PARLEY_SIP_MEDIA_TIMEOUT_SECONDS * 1000), local);
    this.deps.logger.info({ roomId, target, hostPeerId }, 'a phone a host called answered');
    await this.enterMeeting(answered, roomId, callerOf(uri), true, peerId);
  }

  private publicAddress(): string {
    return this.deps.config.PARLEY_SIP_ANNOUNCED_ADDRESS ?? this.deps.config.PARLEY_RTC_ANNOUNCED_ADDRESS;
  }

  private failed(call: IncomingCall, error: unknown): void {
    this.deps.logger.warn({ err: error }, 'a phone call failed');
    call.reject(500, 'Server Internal Error');
  }
}

interface Answered {
  dialog: SipDialog;
  phone: PhoneCall;
  /** Takes the phone out of its meeting (once it is in one). */
  leave: () => void;
}

/**
 * Who may call: the allowed networks and the trunk as they are; anyone else
 * only with a digest account, when there are accounts. Wrong credentials
 * count as wrong PINs, so guessing passwords locks the source out too.
 */
function screenCall(request: SipRequest, source: SipPeer, guard: CallGuard, accounts: DigestAuthenticator | undefined): SipResponse | undefined {
  if (guard.trusted(source)) return undefined;
  if (!accounts) return sip.makeResponse(request, 403, 'Forbidden: this network may not call');
  const caller = callerOf(request.headers.from.uri);
  if (!guard.mayTryPin(source, caller)) return sip.makeResponse(request, 403, 'Forbidden: too many failed attempts');
  const outcome = accounts.check(request);
  if (outcome === 'authenticated') return undefined;
  if (outcome === 'wrong-credentials') guard.wrongPin(source, caller);
  return accounts.challenge(request);
}

/**
 * What the host is told when a call they placed fails. Our own sentence by
 * status: the callee's reason phrase is theirs to write, and never reaches
 * anyone's screen.
 */
function whyCallFailed(error: unknown): string {
  if (!(error instanceof CallFailed)) return 'The call could not be placed.';
  if (error.status === 486 || error.status === 600) return 'The line is busy.';
  if (error.status === 603) return 'The call was declined.';
  if (error.status === 408 || error.status === 480) return 'Nobody answered.';
  if (error.status === 404 || error.status === 484 || error.status === 604) return 'That number or address does not exist.';
  if (error.status === 401 || error.status === 403 || error.status === 407) return 'The phone system refused the call.';
  return `The phone system could not connect the call (${error.status}).`;
}

/** Digits up to #, or undefined if the caller hung up or said nothing in time. */
function collectDigits(phone: PhoneCall, dialog: SipDialog): Promise<string | undefined> {
  return new Promise((resolve) => {
    let digits = '';
    const finish = (result: string | undefined) => {
      clearTimeout(timer);
      phone.off('digit', onDigit);
      dialog.off('ended', onEnded);
      resolve(result);
    };
    const onDigit = (digit: string) => {
      if (digit === '#') return finish(digits);
      if (digit === '*') digits = '';
      else if (digits.length < 16) digits += digit;
    };
    const onEnded = () => finish(undefined);
    const timer = setTimeout(() => finish(digits.length > 0 ? digits : undefined), PIN_ENTRY_MS);
    phone.on('digit', onDigit);
    dialog.once('ended', onEnded);
  });
}

/** The phone's number (the digits of a SIP URI's user part), for the masked name and per-caller limits. */
function callerOf(uri: string): string {
  return (sip.parseUri(uri)?.user ?? '').replace(/[^0-9]/g, '').slice(-32);
}

/** `*` matches any run of characters; everything else literally. */
function matches(pattern: string, target: string): boolean {
  const expression = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${expression}$`).test(target);
}

async function resolvePeer(hostPort: string): Promise<SipPeer> {
  const [host, port] = hostPort.split(':');
  const { address } = await lookup(host!, { family: 4 });
  return { protocol: 'UDP', address, port: port ? Number(port) : 5060 };
}
