/**
 * The media and signalling side of a meeting: enters the room (through the
 * lobby if need be), sends camera, microphone and screen, and receives
 * everyone else's through mediasoup-client. Consumers arrive paused; each is
 * resumed once its track is wired up.
 */
import { Device, types } from 'mediasoup-client';
import type {
  MediaSource,
  NotificationData,
  RequestData,
  RequestMethod,
  ResponseData,
  ServerNotification,
} from '@protocol/messages';
import { saveCredential, savedCredential } from './credential-store.js';
import { RequestError, SignallingClient } from './signalling-client.js';

export interface RemoteTrack {
  consumerId: string;
  peerId: string;
  source: MediaSource;
  track: MediaStreamTrack;
  paused: boolean;
}

export interface CallEvents {
  progress(step: string): void;
  waiting(): void;
  joined(welcome: NotificationData<'joined'>, peerId: string): void;
  /** Any notification the view shows as it is (people, lobby, chat, speakers...). */
  notification(notification: ServerNotification): void;
  trackAdded(track: RemoteTrack): void;
  trackRemoved(track: RemoteTrack): void;
  trackPaused(track: RemoteTrack): void;
  /** A local source stopped or was paused from outside the controls (host, or the browser's own stop). */
  localMediaChanged(source: MediaSource): void;
  /** The meeting is over for this tab; `connectionLost` means trying again may work. */
  ended(reason: string, connectionLost?: boolean): void;
}

/** Camera simulcast: three layers, a quarter, half and full resolution. */
const CAMERA_ENCODINGS: types.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];

const DISPLAY_MEDIA_TIMEOUT_MS = 30_000;
const ICE_RESTART_GRACE_MS = 10_000;
/** Resume attempts, inside the server's 15 s grace period. */
const RESUME_DELAYS_MS = [300, 700, 1000, 2000, 3000, 4000];

export class CallSession {
  private readonly device = new Device();
  private sendTransport: types.Transport | undefined;
  private recvTransport: Promise<types.Transport>;
  private resolveRecvTransport!: (transport: types.Transport) => void;
  private readonly producers = new Map<MediaSource, types.Producer>();
  private readonly remote = new Map<string, RemoteTrack & { consumer: types.Consumer }>();
  private readonly visibilityChanges = new Map<string, Promise<void>>();
  /** Consumers closed by the server while still being set up here. */
  private readonly closedEarly = new Set<string>();
  private leaving = false;
  private ice: Pick<types.TransportOptions, 'iceServers' | 'iceTransportPolicy'> = {};
  private admitted!: Promise<NotificationData<'joined'>>;
  private settleAdmission!: { resolve(welcome: NotificationData<'joined'>): void; reject(error: Error): void };

  /** This session's peer id once in the meeting: what `resume` takes back after a dropped connection. */
  private peerId: string | undefined;

  private constructor(
    private readonly roomId: string,
    private signalling: SignallingClient,
    private readonly events: CallEvents,
  ) {
    this.recvTransport = new Promise((resolve) => (this.resolveRecvTransport = resolve));
    this.admitted = new Promise((resolve, reject) => (this.settleAdmission = { resolve, reject }));
    this.admitted.catch(() => {});
    this.listen(signalling);
  }

  private listen(client: SignallingClient): void {
    client.onNotification((notification) => {
      this.handle(notification).catch((error: unknown) => {
        // Media that ended while it was being set up: nothing to do.
        if (error instanceof RequestError && error.body.code === 'not_found') return;
        console.error('notification failed', error);
      });
    });
    client.onClose(() => {
      if (client === this.signalling && !this.leaving) void this.resumeOrRejoin();
    });
  }

  /**
   * The signalling connection dropped; media has not. Within the server's
   * grace period a new connection takes the same session back; otherwise
   * (or if the server has forgotten it) the view joins again from scratch.
   */
  private async resumeOrRejoin(): Promise<void> {
    const credential = savedCredential(this.roomId);
    if (this.peerId && credential) {
      this.events.progress('Connection lost. Reconnecting…');
      for (const delay of RESUME_DELAYS_MS) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (this.leaving) return;
        const client = await SignallingClient.connect(this.roomId).catch(() => undefined);
        if (!client) continue;
        this.listen(client);
        try {
          await client.request('resume', { peerId: this.peerId, credential });
          this.signalling = client;
          this.events.progress('');
          return;
        } catch (error) {
          client.close();
          if (error instanceof RequestError) break;
        }
      }
    }
    if (this.leaving) return;
    this.leaving = true;
    this.closeMedia();
    this.events.ended('The connection to the server was lost.', true);
  }

  /** Opens the signalling connection; `start` then enters the meeting. */
  static async connect(roomId: string, events: CallEvents): Promise<CallSession> {
    events.progress('Connecting to the server…');
    return new CallSession(roomId, await SignallingClient.connect(roomId), events);
  }

  request<M extends RequestMethod>(method: M, data: RequestData<M>): Promise<ResponseData<M>> {
    return this.signalling.request(method, data);
  }

  isSending(source: MediaSource): boolean {
    const producer = this.producers.get(source);
    return Boolean(producer && !producer.closed && !producer.paused);
  }

  /** Mutes or unmutes a local source; the server pauses the producer too. */
  async setSending(source: MediaSource, sending: boolean): Promise<void> {
    const producer = this.producers.get(source);
    if (!producer) return;
    if (sending) {
      producer.resume();
      await this.request('resumeProducer', { producerId: producer.id });
    } else {
      producer.pause();
      await this.request('pauseProducer', { producerId: producer.id });
    }
  }

  /** Shares a screen or tab, with its audio when the browser offers it. */
  async startScreenShare(): Promise<void> {
    const stream = await withTimeout(
      navigator.mediaDevices.getDisplayMedia({ video: true, audio: true }),
      DISPLAY_MEDIA_TIMEOUT_MS,
      'No screen was chosen in time.',
    );
    const [video] = stream.getVideoTracks();
    if (!video) throw new Error('The browser shared no video.');
    video.addEventListener('ended', () => void this.stopScreenShare());
    await this.produce(video, 'screen');
    const [audio] = stream.getAudioTracks();
    if (audio) await this.produce(audio, 'screen-audio');
  }

  async stopScreenShare(): Promise<void> {
    for (const source of ['screen', 'screen-audio'] as const) {
      const producer = this.producers.get(source);
      if (!producer) continue;
      this.producers.delete(source);
      producer.track?.stop();
      producer.close();
      if (!this.leaving) await this.request('closeProducer', { producerId: producer.id }).catch(() => {});
    }
    this.events.localMediaChanged('screen');
  }

  /**
   * A hidden tile's consumer is paused; a visible one gets the layer that
   * fits it. Changes to one consumer are applied in the order they were made.
   */
  showConsumer(consumerId: string, visible: boolean, spatialLayer: number): Promise<void> {
    const previous = this.visibilityChanges.get(consumerId) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.applyVisibility(consumerId, visible, spatialLayer));
    this.visibilityChanges.set(consumerId, next);
    return next;
  }

  private async applyVisibility(consumerId: string, visible: boolean, spatialLayer: number): Promise<void> {
    const remote = this.remote.get(consumerId);
    if (!remote || remote.consumer.closed) return;
    if (!visible) return void (await this.request('pauseConsumer', { consumerId }));
    await this.request('setConsumerPreferredLayers', { consumerId, spatialLayer });
    await this.request('resumeConsumer', { consumerId });
  }

  leave(): void {
    if (this.leaving) return;
    this.leaving = true;
    this.signalling
      .request('leave', {})
      .catch(() => {})
      .finally(() => this.signalling.close());
    this.closeMedia();
  }

  /** Closes transports; camera and microphone tracks stay open for a reconnect. */
  private closeMedia(): void {
    this.producers.get('screen')?.track?.stop();
    this.producers.clear();
    this.sendTransport?.close();
    void this.recvTransport.then((transport) => transport.close());
  }

  /** Enters under `displayName` (through the lobby if need be) and starts sending `tracks`. */
  async start(displayName: string, tracks: MediaStreamTrack[], password?: string): Promise<void> {
    const { rtpCapabilities } = await this.request('getRouterRtpCapabilities', {});
    await this.device.load({ routerRtpCapabilities: rtpCapabilities as types.RtpCapabilities });
    this.events.progress('Joining the meeting…');
    const answer = await this.request('join', {
      displayName,
      rtpCapabilities: this.device.recvRtpCapabilities as never,
      credential: savedCredential(this.roomId),
      ...(password ? { password } : {}),
    });
    saveCredential(this.roomId, answer.credential);
    if (answer.status === 'waiting') this.events.waiting();
    const welcome = await this.admitted;
    saveCredential(this.roomId, welcome.credential);
    this.peerId = answer.peerId;
    this.ice = { iceServers: welcome.iceServers, iceTransportPolicy: welcome.iceTransportPolicy };
    this.events.joined(welcome, answer.peerId);
    this.events.progress('Connecting media…');
    this.resolveRecvTransport(await this.createTransport('recv'));
    this.sendTransport = await this.createTransport('send');
    for (const track of tracks) await this.produce(track, track.kind === 'audio' ? 'mic' : 'camera');
  }

  private async produce(track: MediaStreamTrack, source: MediaSource): Promise<void> {
    if (!this.sendTransport) throw new Error('not connected yet');
    const producer = await this.sendTransport.produce({
      track,
      appData: { source },
      ...(source === 'camera' ? { encodings: CAMERA_ENCODINGS, codecOptions: { videoGoogleStartBitrate: 1000 } } : {}),
      // Camera and microphone tracks outlive this session (a reconnect reuses them);
      // a screen share's tracks end with it.
      stopTracks: source === 'screen' || source === 'screen-audio',
    });
    this.producers.set(source, producer);
  }

  private async createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const options = {
      ...((await this.request('createWebRtcTransport', { direction })) as unknown as types.TransportOptions),
      ...this.ice,
    };
    const transport =
      direction === 'send' ? this.device.createSendTransport(options) : this.device.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.request('connectWebRtcTransport', { transportId: transport.id, dtlsParameters: dtlsParameters as never }).then(
        () => callback(),
        errback,
      );
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      this.request('produce', {
        transportId: transport.id,
        kind,
        rtpParameters: rtpParameters as never,
        source: appData['source'] as MediaSource,
      }).then(({ producerId }) => callback({ id: producerId }), errback);
    });
    transport.on('connectionstatechange', (state) => {
      if (state === 'failed' && !this.leaving) void this.recover(transport);
    });
    return transport;
  }

  /**
   * A failed transport first tries an ICE restart; if it is not connected
   * again soon, the session starts over (behind a load balancer, perhaps on
   * another node).
   */
  private async recover(transport: types.Transport): Promise<void> {
    try {
      const { iceParameters } = await this.request('restartIce', { transportId: transport.id });
      await transport.restartIce({ iceParameters: iceParameters as types.IceParameters });
      await new Promise((resolve) => setTimeout(resolve, ICE_RESTART_GRACE_MS));
      if (transport.connectionState === 'connected' || this.leaving) return;
    } catch (error) {
      console.warn('ICE restart failed', error);
    }
    if (this.leaving) return;
    this.leave();
    this.events.ended('The media connection failed.', true);
  }

  private async handle(notification: ServerNotification): Promise<void> {
    switch (notification.method) {
      case 'joined':
        return this.settleAdmission.resolve(notification.data);
      case 'denied':
        this.leaving = true;
        this.settleAdmission.reject(new Error(notification.data.reason));
        return this.events.ended(notification.data.reason);
      case 'promoted':
        saveCredential(this.roomId, notification.data.credential);
        return this.events.notification(notification);
      case 'mediaStoppedByHost': {
        const { source } = notification.data;
        if (source === 'screen' || source === 'screen-audio') await this.stopScreenShare();
        else this.producers.get(source)?.pause();
        this.events.localMediaChanged(source);
        return this.events.notification(notification);
      }
      case 'newConsumer': {
        const { consumerId, producerId, peerId, kind, source, rtpParameters, producerPaused } = notification.data;
        const transport = await this.recvTransport;
        const consumer = await transport.consume({
          id: consumerId,
          producerId,
          kind,
          rtpParameters: rtpParameters as types.RtpParameters,
        });
        if (this.closedEarly.delete(consumerId)) return consumer.close();
        const remote = { consumerId, peerId, source, track: consumer.track, paused: producerPaused, consumer };
        this.remote.set(consumerId, remote);
        this.events.trackAdded(remote);
        // Video is resumed by its tile once it knows its size (showConsumer).
        if (kind === 'audio') await this.request('resumeConsumer', { consumerId });
        return;
      }
      case 'consumerClosed': {
        const remote = this.remote.get(notification.data.consumerId);
        if (!remote) return void this.closedEarly.add(notification.data.consumerId);
        this.remote.delete(remote.consumerId);
        this.visibilityChanges.delete(remote.consumerId);
        remote.consumer.close();
        return this.events.trackRemoved(remote);
      }
      case 'consumerPaused':
      case 'consumerResumed': {
        const remote = this.remote.get(notification.data.consumerId);
        if (!remote) return;
        remote.paused = notification.method === 'consumerPaused';
        return this.events.trackPaused(remote);
      }
      case 'sessionClosed':
        this.leaving = true;
        this.closeMedia();
        // A server restart or a lost media worker: joining again brings the media back.
        return this.events.ended(notification.data.reason, notification.data.cause === 'server');
      default:
        return this.events.notification(notification);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}
