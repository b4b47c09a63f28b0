/**
 * The media side of a meeting: joins the room, sends the local tracks and
 * receives everyone else's through mediasoup-client. Consumers arrive
 * paused; each is resumed once its track is wired up.
 */
import { Device, types } from 'mediasoup-client';
import type { MediaSource, PeerInfo, ServerNotification } from '../../server/src/protocol/messages.js';
import { SignallingClient } from './signalling-client.js';

export interface RemoteTrack {
  consumerId: string;
  peerId: string;
  source: MediaSource;
  track: MediaStreamTrack;
  paused: boolean;
}

export interface CallEvents {
  progress(step: string): void;
  peerJoined(peer: PeerInfo): void;
  peerLeft(peerId: string): void;
  trackAdded(track: RemoteTrack): void;
  trackRemoved(track: RemoteTrack): void;
  trackPaused(track: RemoteTrack): void;
  ended(reason: string): void;
}

export class CallSession {
  private readonly device = new Device();
  private sendTransport: types.Transport | undefined;
  private recvTransport: Promise<types.Transport>;
  private resolveRecvTransport!: (transport: types.Transport) => void;
  private readonly producers = new Map<MediaSource, types.Producer>();
  private readonly remote = new Map<string, RemoteTrack & { consumer: types.Consumer }>();
  private leaving = false;

  private constructor(
    private readonly signalling: SignallingClient,
    private readonly events: CallEvents,
  ) {
    this.recvTransport = new Promise((resolve) => (this.resolveRecvTransport = resolve));
    signalling.onNotification((notification) => {
      this.handle(notification).catch((error: unknown) => console.error('notification failed', error));
    });
    signalling.onClose(() => {
      if (!this.leaving) events.ended('The connection to the server was lost.');
    });
  }

  /** Connects, joins under `displayName` and starts sending `tracks`. */
  static async join(roomId: string, displayName: string, tracks: MediaStreamTrack[], events: CallEvents): Promise<CallSession> {
    events.progress('Connecting to the server…');
    const signalling = await SignallingClient.connect(roomId);
    const call = new CallSession(signalling, events);
    try {
      await call.start(displayName, tracks);
    } catch (error) {
      call.leave();
      throw error;
    }
    return call;
  }

  isSending(source: MediaSource): boolean {
    const producer = this.producers.get(source);
    return Boolean(producer && !producer.paused);
  }

  /** Mutes or unmutes a local source; the server pauses the producer too. */
  async setSending(source: MediaSource, sending: boolean): Promise<void> {
    const producer = this.producers.get(source);
    if (!producer) return;
    if (sending) {
      producer.resume();
      await this.signalling.request('resumeProducer', { producerId: producer.id });
    } else {
      producer.pause();
      await this.signalling.request('pauseProducer', { producerId: producer.id });
    }
  }

  leave(): void {
    if (this.leaving) return;
    this.leaving = true;
    this.signalling.request('leave', {}).catch(() => {}).finally(() => this.signalling.close());
    this.sendTransport?.close();
    this.recvTransport.then((transport) => transport.close());
  }

  private async start(displayName: string, tracks: MediaStreamTrack[]): Promise<void> {
    const { rtpCapabilities } = await this.signalling.request('getRouterRtpCapabilities', {});
    await this.device.load({ routerRtpCapabilities: rtpCapabilities as types.RtpCapabilities });
    this.events.progress('Joining the meeting…');
    const { peers } = await this.signalling.request('join', {
      displayName,
      rtpCapabilities: this.device.recvRtpCapabilities as never,
    });
    for (const peer of peers) this.events.peerJoined(peer);
    this.events.progress('Connecting media…');
    this.resolveRecvTransport(await this.createTransport('recv'));
    this.sendTransport = await this.createTransport('send');
    for (const track of tracks) {
      const source: MediaSource = track.kind === 'audio' ? 'mic' : 'camera';
      const producer = await this.sendTransport.produce({ track, appData: { source } });
      this.producers.set(source, producer);
    }
  }

  private async createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const options = await this.signalling.request('createWebRtcTransport', { direction });
    const transportOptions = options as unknown as types.TransportOptions;
    const transport =
      direction === 'send' ? this.device.createSendTransport(transportOptions) : this.device.createRecvTransport(transportOptions);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.signalling
        .request('connectWebRtcTransport', { transportId: transport.id, dtlsParameters: dtlsParameters as never })
        .then(() => callback(), errback);
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      this.signalling
        .request('produce', {
          transportId: transport.id,
          kind,
          rtpParameters: rtpParameters as never,
          source: appData['source'] as MediaSource,
        })
        .then(({ producerId }) => callback({ id: producerId }), errback);
    });
    transport.on('connectionstatechange', (state) => {
      if (state === 'failed' && !this.leaving) this.events.ended('The media connection failed.');
    });
    return transport;
  }

  private async handle(notification: ServerNotification): Promise<void> {
    switch (notification.method) {
      case 'peerJoined':
        return this.events.peerJoined(notification.data.peer);
      case 'peerLeft':
        return this.events.peerLeft(notification.data.peerId);
      case 'newConsumer': {
        const { consumerId, producerId, peerId, kind, source, rtpParameters, producerPaused } = notification.data;
        const transport = await this.recvTransport;
        const consumer = await transport.consume({
          id: consumerId,
          producerId,
          kind,
          rtpParameters: rtpParameters as types.RtpParameters,
        });
        const remote = { consumerId, peerId, source, track: consumer.track, paused: producerPaused, consumer };
        this.remote.set(consumerId, remote);
        this.events.trackAdded(remote);
        await this.signalling.request('resumeConsumer', { consumerId });
        return;
      }
      case 'consumerClosed': {
        const remote = this.remote.get(notification.data.consumerId);
        if (!remote) return;
        this.remote.delete(remote.consumerId);
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
        return this.events.ended(notification.data.reason);
    }
  }
}
