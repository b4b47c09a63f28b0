/**
 * The call's state machine. It enters the meeting (through a password and
 * the lobby if need be, and, into a meeting that records, past the
 * person's consent before anything is sent: recording-notice.ts), routes
 * what the server says to the session's media and meeting store, and after
 * a lost connection follows the one retry policy (retry-policy.ts): resume
 * the session, then rejoin, then give up.
 */
import type { MediaSource, NotificationData, ServerNotification } from '@protocol/messages';
import { saveCredential, savedCredential } from '../credential-store.js';
import type { TrackEvents } from '../media/media-session.js';
import { plainError } from '../plain-errors.js';
import { ConnectionError, RequestError, SignallingClient } from '../signalling-client.js';
import { t } from '../strings/index.js';
import type { CallState, EndKind } from './call-state.js';
import { RecordingNotice } from './recording-notice.js';
import { nextRetry } from './retry-policy.js';
import { Session, type Meeting } from './session.js';
import { connect, type Connected, type WarmUp } from './warm-up.js';

export interface ConnectionEvents extends TrackEvents {
  state(state: CallState): void;
  /** A session is in the meeting; its views start here. */
  entered(meeting: Meeting): void;
  /** A host asks this person to unmute; only they decide. */
  unmuteRequested(meeting: Meeting): void;
  /** Someone in the meeting reacted (this person included). */
  reaction(data: NotificationData<'reaction'>): void;
  /** The meeting records and this person was not told before joining: true to continue (and send), false to leave. */
  askToContinueRecorded(): Promise<boolean>;
}

export interface LocalMedia {
  /** The camera and microphone tracks to send, once started (a device switch replaces them, so a rejoin asks again). */
  tracks(): Promise<MediaStreamTrack[]>;
  /** Sources the person turned off before joining: sent paused. */
  off: ReadonlySet<MediaSource>;
}

interface Recovery {
  attempts: number;
  lostAt: number;
  resumable: boolean;
  /** The last resume was refused by a live server: the rejoin need not wait. */
  refused?: boolean;
  /** What went wrong last, as the person is told. */
  reason: string;
}

const CAMERA_AND_MIC: readonly MediaSource[] = ['mic', 'camera'];

/** A failed rejoin is worth repeating unless the server gave a definite answer. */
const retryable = (error: unknown) => !(error instanceof RequestError) || error.body.code === 'unavailable';

export class CallConnection {
  private state: CallState = { kind: 'joining', step: t.call.connecting };
  private session: Session | undefined;
  private recovery: Recovery | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly recordingNotice: RecordingNotice;

  constructor(
    private readonly roomId: string,
    private readonly displayName: string,
    private readonly local: LocalMedia,
    private readonly events: ConnectionEvents,
    /** The pre-join page said that the meeting is being recorded. */
    toldOfRecording: boolean,
    /** Started on the pre-join page; the first attempt takes its connection. */
    private warmUp?: WarmUp,
  ) {
    this.recordingNotice = new RecordingNotice(toldOfRecording, () => events.askToContinueRecorded());
  }

  /** Enters the meeting, with a password when the room asked for one. */
  join(password?: string): void {
    this.recovery = undefined;
    void this.enter(password);
  }

  /** Leaves for good, from the meeting or from the lobby. */
  leave(end: 'left' | 'left-lobby'): void {
    this.closeSession(true);
    this.end(end);
  }

  /** The session in the meeting now, if any. */
  get current(): Meeting | undefined {
    return this.session;
  }

  private setState(state: CallState): void {
    this.state = state;
    this.events.state(state);
  }

  private end(end: EndKind, detail?: string): void {
    clearTimeout(this.retryTimer);
    this.closeSession(false);
    this.setState({ kind: 'ended', end, ...(detail ? { detail } : {}) });
  }

  private closeSession(leave: boolean): void {
    const session = this.session;
    this.session = undefined;
    session?.close(leave);
  }

  /** Throws once `session` is no longer this call's: a loss or the end took over. */
  private stillCurrent(session: Session): void {
    if (this.session !== session) throw new Error('superseded');
  }

  private async enter(password?: string): Promise<void> {
    this.setState({ kind: 'joining', step: t.call.connecting });
    let session: Session | undefined;
    try {
      session = this.open(await this.connect());
      this.setState({ kind: 'joining', step: t.call.joining });
      const answer = await session.request('join', {
        displayName: this.displayName,
        rtpCapabilities: session.media.rtpCapabilities as never,
        credential: savedCredential(this.roomId),
        ...(password ? { password } : {}),
      });
      this.stillCurrent(session);
      saveCredential(this.roomId, answer.credential);
      session.store.dispatch({ type: 'local', method: 'identified', data: { peerId: answer.peerId } });
      if (answer.status === 'waiting') this.setState({ kind: 'lobby' });
      const welcome = await session.admitted;
      this.stillCurrent(session);
      saveCredential(this.roomId, welcome.credential);
      session.peerId = answer.peerId;
      this.events.entered(session);
      this.setState({ kind: 'in-call', mediaReady: false });
      const ice = { iceServers: welcome.iceServers, iceTransportPolicy: welcome.iceTransportPolicy };
      // A webinar's attendee sends nothing (and is asked nothing about a recording) until a host makes them a panelist.
      const receiveOnly = welcome.role === 'attendee';
      await session.media.start({
        ice,
        tracks: receiveOnly ? [] : this.tracksToSend(session, welcome.room.recording),
        off: this.local.off,
        transports: welcome.transports,
        othersSending: welcome.peers.some((peer) => peer.producers.length > 0),
        receiveOnly,
      });
      this.stillCurrent(session);
      this.recovery = undefined;
      this.setState({ kind: 'in-call', mediaReady: true });
    } catch (error) {
      // Superseded: the loss or the end that closed this session was handled already.
      if (session !== this.session) return;
      this.closeSession(true);
      const message = plainError(error);
      if (error instanceof RequestError && error.body.code.startsWith('password_')) {
        return this.setState({ kind: 'password', message });
      }
      if (this.recovery && retryable(error)) return this.retry({ ...this.recovery, reason: this.recovery.reason });
      const code = error instanceof RequestError ? error.body.code : undefined;
      // Back from a lost connection to find the meeting gone: a restart lost it, or it ended meanwhile; the link was fine.
      if (this.recovery) return this.end(code === 'room_not_found' ? 'meeting-lost' : 'refused', message);
      if (code === 'room_not_found') return this.end('not-found');
      if (code) return this.end('refused', message);
      if (error instanceof ConnectionError) return this.end('unreachable', message);
      this.end('failed', message);
    }
  }

  /**
   * The camera and microphone to send: at once, unless the meeting records
   * and this person was not told; then only once they choose to continue.
   * Choosing to leave leaves, and nothing is sent.
   */
  private tracksToSend(session: Session, recording: boolean): Promise<MediaStreamTrack[]> {
    const maySend = this.recordingNotice.maySend(recording);
    if (maySend === true) return this.local.tracks();
    return maySend.then((proceed) => {
      if (this.session !== session) return [];
      if (proceed) return this.local.tracks();
      this.leave('left');
      return [];
    });
  }

  /** The warm connection from the pre-join page if it is still open, else a new one. */
  private async connect(): Promise<Connected> {
    const warm = await this.warmUp?.take();
    this.warmUp = undefined;
    return warm ?? connect(this.roomId);
  }

  /** A new session on `client`, whose media and notifications count only while it is the current one. */
  private open({ client, device }: Connected): Session {
    const session = new Session(client, device, this.displayName, (self) => ({
      trackAdded: (track) => this.session === self && this.events.trackAdded(track),
      trackRemoved: (track) => this.session === self && this.events.trackRemoved(track),
      trackPaused: (track) => this.session === self && this.events.trackPaused(track),
      sendingChanged: (sources) => self.store.dispatch({ type: 'local', method: 'sending', data: { sources } }),
      failed: () => {
        if (this.session !== self) return;
        this.closeSession(true);
        this.lost(t.call.mediaFailed, false);
      },
    }));
    this.session = session;
    this.listen(client, session);
    return session;
  }

  private listen(client: SignallingClient, session: Session): void {
    client.onNotification((notification) => {
      if (this.session !== session) return;
      this.receive(session, notification).catch((error: unknown) => console.error('notification failed', error));
    });
    client.onClose(() => {
      if (this.session !== session || session.client !== client) return;
      // Only a session fully in the meeting can be taken back; anything earlier starts again.
      const inCall = this.state.kind === 'in-call' && this.state.mediaReady;
      this.lost(t.call.connectionLost, inCall && savedCredential(this.roomId) !== undefined);
    });
  }

  private async receive(session: Session, notification: ServerNotification): Promise<void> {
    switch (notification.method) {
      case 'joined':
        session.admit(notification.data);
        break;
      case 'denied':
        return this.end('denied', notification.data.reason);
      case 'sessionClosed': {
        const { cause, reason } = notification.data;
        // A server restart or a lost media worker: joining again brings the media back.
        if (cause === 'server') return this.lost(t.call.serverRestarted, false);
        if (cause === 'ended') return this.end(session.endingHere ? 'you-ended' : 'ended');
        return this.end(cause, reason);
      }
      case 'mediaReset':
        return this.resetMedia(session);
      case 'unmuteRequested':
        return this.events.unmuteRequested(session);
      case 'reaction':
        return this.events.reaction(notification.data);
      case 'promoted':
        saveCredential(this.roomId, notification.data.credential);
        break;
      case 'becamePanelist': {
        // The credential brings this person back to the panel; the camera and microphone start as chosen before joining.
        saveCredential(this.roomId, notification.data.credential);
        session.store.dispatch(notification);
        const tracks = this.tracksToSend(session, session.store.state.room.recording);
        return session.media.startSending(notification.data.send, Promise.resolve(tracks), this.local.off);
      }
      case 'becameAttendee':
        saveCredential(this.roomId, notification.data.credential);
        session.media.stopSending();
        break;
      case 'roomUpdated':
        // In the meeting, a recording that starts is announced and shown: this person has been told.
        if (notification.data.room.recording && this.state.kind === 'in-call') this.recordingNotice.markTold();
        break;
      case 'mediaStoppedByHost':
        await session.media.stoppedByHost(notification.data);
        break;
      case 'newConsumer':
        return session.media.consume(notification.data);
      case 'consumerClosed':
        return session.media.consumerClosed(notification.data.consumerId);
      case 'consumerPaused':
      case 'consumerResumed':
        return session.media.consumerPaused(notification.data.consumerId, notification.method === 'consumerPaused');
    }
    session.store.dispatch(notification);
  }

  /**
   * The server lost this session's media (its worker died) and kept the
   * session: only the media starts again, with the camera and microphone
   * on or off as they were. If that fails, the call rejoins.
   */
  private async resetMedia(session: Session): Promise<void> {
    const off = new Set(CAMERA_AND_MIC.filter((source) => !session.media.isSending(source)));
    // A session being resumed gets the reset with its held notifications: its state stays 'reconnecting'.
    if (this.state.kind === 'in-call') this.setState({ kind: 'in-call', mediaReady: false });
    try {
      // A reset while the person is still being asked about a recording sends nothing before they answer either.
      const attendee = session.store.state.self.role === 'attendee';
      await session.resetMedia(attendee ? Promise.resolve([]) : this.tracksToSend(session, session.store.state.room.recording), off);
    } catch (error) {
      if (this.session !== session) return;
      console.warn('media reset failed; rejoining', error);
      this.closeSession(true);
      return this.lost(t.call.serverRestarted, false);
    }
    if (this.session === session && this.state.kind === 'in-call') this.setState({ kind: 'in-call', mediaReady: true });
  }

  /** The connection (or the session behind it) is lost; a session that cannot be resumed is closed. */
  private lost(reason: string, resumable: boolean): void {
    if (!resumable) this.closeSession(false);
    this.retry(
      this.recovery
        ? { ...this.recovery, resumable: false, reason }
        : { attempts: 0, lostAt: Date.now(), resumable, reason },
    );
  }

  private retry(recovery: Recovery): void {
    clearTimeout(this.retryTimer);
    const next = nextRetry({ ...recovery, elapsedMs: Date.now() - recovery.lostAt });
    if (next.action === 'give-up') return this.end('server-gone', recovery.reason);
    this.recovery = { ...recovery, attempts: next.attempt, refused: false };
    if (next.action === 'rejoin') this.closeSession(false);
    this.setState({ kind: 'reconnecting', attempt: next.attempt, mode: next.action, reason: recovery.reason });
    this.retryTimer = setTimeout(() => void (next.action === 'resume' ? this.resume() : this.enter()), next.delayMs);
  }

  /** Takes the same session back on a new connection; media never stopped. */
  private async resume(): Promise<void> {
    const session = this.session;
    const credential = savedCredential(this.roomId);
    if (!session?.peerId || !credential || !this.recovery) return;
    try {
      const client = await SignallingClient.connect(this.roomId);
      if (this.session !== session) return client.close();
      this.listen(client, session);
      await client.request('resume', { peerId: session.peerId, credential }).catch((error: unknown) => {
        client.close();
        throw error;
      });
      if (this.session !== session) return client.close();
      session.client = client;
      this.recovery = undefined;
      this.setState({ kind: 'in-call', mediaReady: true });
    } catch (error) {
      if (this.session !== session || !this.recovery) return;
      // A refusal means the server that answered (perhaps another node) does not hold the session: rejoin at once.
      const refused = error instanceof RequestError;
      this.retry({ ...this.recovery, resumable: this.recovery.resumable && !refused, refused });
    }
  }
}
