/**
 * One session's media through mediasoup-client: a send and a receive
 * transport on the session's loaded Device, a producer per local source and
 * a consumer per remote track. A webinar's attendee only receives: its send
 * side starts when a host makes it a panelist, and ends when it is made an
 * attendee again. Consumers arrive paused (video at the lowest
 * simulcast layer) and are resumed here at once; the tile that shows a
 * video then asks for the layer that fits it, or pauses it while hidden
 * (showConsumer). A failed transport gets an ICE restart before the session
 * is given up.
 */
import type { Device, types } from 'mediasoup-client';
import type { MediaSource, NotificationData, ResponseData } from '@protocol/messages';
import { reach } from '../first-media.js';
import type { Request } from '../meeting/actions.js';
import { PlainError, plainError } from '../plain-errors.js';
import { t } from '../strings/index.js';
import { RequestError } from '../signalling-client.js';
import { CAMERA_ENCODINGS, withTimeout } from './encodings.js';

export interface RemoteTrack {
  consumerId: string;
  peerId: string;
  source: MediaSource;
  track: MediaStreamTrack;
  paused: boolean;
}

export interface TrackEvents {
  trackAdded(track: RemoteTrack): void;
  trackRemoved(track: RemoteTrack): void;
  trackPaused(track: RemoteTrack): void;
}

export interface MediaEvents extends TrackEvents {
  /** What this tab sends changed: a control, a host, or the browser's own stop. */
  sendingChanged(sources: MediaSource[]): void;
  /** A transport failed and an ICE restart did not bring it back. */
  failed(): void;
}

export type IceSettings = Pick<types.TransportOptions, 'iceServers' | 'iceTransportPolicy'>;
type TransportParameters = ResponseData<'createWebRtcTransport'>;
/** Transports the server made with the welcome. */
export type GivenTransports = NonNullable<NotificationData<'joined'>['transports']>;

export interface StartOptions {
  ice: IceSettings;
  /** The camera and microphone tracks to send, once started; sources in `off` start paused. */
  tracks: MediaStreamTrack[] | Promise<MediaStreamTrack[]>;
  off?: ReadonlySet<MediaSource>;
  /** Made by the server with the welcome; asked for when absent. */
  transports?: GivenTransports;
  /** Others already send: receiving them comes first. */
  othersSending?: boolean;
  /** A webinar's attendee: a receive transport only, and nothing sent. */
  receiveOnly?: boolean;
}

/** The longest the microphone waits for the receive transport to connect, and the camera for the first remote video. */
const RECEIVE_FIRST_MAX_MS = 1_000;

/** What the server does for one consumer now: whether it is paused, and the layer asked for (undefined: the one it started at). */
interface ConsumerSetting {
  paused: boolean;
  spatialLayer?: number;
}

const DISPLAY_MEDIA_TIMEOUT_MS = 30_000;
const ICE_RESTART_GRACE_MS = 10_000;
const SOURCES: readonly MediaSource[] = ['mic', 'camera', 'screen', 'screen-audio'];

export class MediaSession {
  private sendTransport: types.Transport | undefined;
  private readonly recvTransport: Promise<types.Transport>;
  private resolveRecvTransport!: (transport: types.Transport) => void;
  /** Settles when the first remote video arrives. */
  private readonly firstRemoteVideo: Promise<void>;
  private resolveFirstRemoteVideo!: () => void;
  /** The receive transport once it exists (its statistics tell how good the link is). */
  private recv: types.Transport | undefined;
  private readonly producers = new Map<MediaSource, types.Producer>();
  private readonly remote = new Map<string, RemoteTrack & { consumer: types.Consumer; setting: ConsumerSetting }>();
  private readonly visibilityChanges = new Map<string, Promise<void>>();
  /** Consumers closed by the server while still being set up here. */
  private readonly closedEarly = new Set<string>();
  private ice: IceSettings = {};
  private closed = false;

  constructor(
    private readonly request: Request,
    private readonly events: MediaEvents,
    /** Loaded with the router's capabilities. */
    private readonly device: Device,
  ) {
    this.recvTransport = new Promise((resolve) => (this.resolveRecvTransport = resolve));
    this.firstRemoteVideo = new Promise((resolve) => (this.resolveFirstRemoteVideo = resolve));
  }

  /**
   * A fresh media session for the same tab, after the server lost this
   * one's media (its worker died): the same loaded device, no transports
   * yet. This one's remote tracks are removed and its transports closed;
   * start the successor with `iceSettings`.
   */
  successor(): MediaSession {
    for (const remote of this.remote.values()) {
      remote.consumer.close();
      this.events.trackRemoved(remote);
    }
    this.remote.clear();
    this.close();
    return new MediaSession(this.request, this.events, this.device);
  }

  /** The ICE settings this session was started with. */
  get iceSettings(): IceSettings {
    return this.ice;
  }

  /** What `join` announces this tab can receive. */
  get rtpCapabilities(): types.RtpCapabilities {
    return this.device.recvRtpCapabilities;
  }

  /** Sets up both transports (the receive one alone for an attendee) and starts sending the camera and microphone. */
  async start({ ice, tracks, off = new Set(), transports, othersSending = false, receiveOnly = false }: StartOptions): Promise<void> {
    this.ice = ice;
    const [recv, send] = await Promise.all([
      transports?.recv ?? this.request('createWebRtcTransport', { direction: 'recv' }),
      receiveOnly ? undefined : (transports?.send ?? this.request('createWebRtcTransport', { direction: 'send' })),
    ]);
    this.recv = this.createTransport('recv', recv);
    this.resolveRecvTransport(this.recv);
    if (send) this.sendTransport = this.createTransport('send', send);
    reach('transportsReady');
    if (send) await this.sendTracks(tracks, off, othersSending);
  }

  /** Made a panelist: sends with the transport the server made, the camera and microphone on or off as chosen before joining. */
  async startSending(send: TransportParameters, tracks: Promise<MediaStreamTrack[]>, off: ReadonlySet<MediaSource>): Promise<void> {
    if (this.closed || this.sendTransport) return;
    this.sendTransport = this.createTransport('send', send);
    await this.sendTracks(tracks, off, false);
  }

  /** Made an attendee: the server closed what this tab sent; its side closes too. */
  stopSending(): void {
    this.producers.get('screen')?.track?.stop();
    for (const producer of this.producers.values()) producer.close();
    this.producers.clear();
    this.sendTransport?.close();
    this.sendTransport = undefined;
    this.sendingChanged();
  }

  private async sendTracks(tracks: StartOptions['tracks'], off: ReadonlySet<MediaSource>, othersSending: boolean): Promise<void> {
    // Receiving what others send comes first: the server handles one request of a connection at a time, and
    // starting a camera encoder takes the page's CPU. The microphone waits for the receive transport to connect,
    // the camera for the first remote video; each a moment at most.
    const started = await tracks;
    const sendOnce = async (kind: 'audio' | 'video', ready: Promise<void>) => {
      const track = started.find((candidate) => candidate.kind === kind && candidate.readyState !== 'ended');
      if (!track) return;
      if (othersSending) await Promise.race([ready, sleep(RECEIVE_FIRST_MAX_MS)]);
      const source = kind === 'audio' ? 'mic' : 'camera';
      await this.produce(track, source, off.has(source));
    };
    await sendOnce('audio', connected(this.recv!));
    await sendOnce('video', this.firstRemoteVideo);
    this.sendingChanged();
  }

  /**
   * Sends `track` instead of the current camera or microphone, without a new
   * producer: the others keep the same consumer and see the change at once.
   * The old track is the caller's to stop.
   */
  async replaceTrack(source: 'mic' | 'camera', track: MediaStreamTrack): Promise<void> {
    const producer = this.producers.get(source);
    if (producer && !producer.closed) {
      await producer.replaceTrack({ track });
      return;
    }
    // Joined without this device: start sending it now.
    if (!this.sendTransport || this.closed) return;
    await this.produce(track, source, false);
    this.sendingChanged();
  }

  /** The id of the producer sending `source`, if any (the server knows it by the same id). */
  producerId(source: MediaSource): string | undefined {
    return this.producers.get(source)?.id;
  }

  isSending(source: MediaSource): boolean {
    const producer = this.producers.get(source);
    return Boolean(producer && !producer.closed && !producer.paused);
  }

  /** Mutes or unmutes a local source; the server pauses the producer too. */
  async setSending(source: MediaSource, sending: boolean): Promise<void> {
    const producer = this.producers.get(source);
    if (!producer) return;
    try {
      if (sending) {
        producer.resume();
        await this.request('resumeProducer', { producerId: producer.id });
      } else {
        producer.pause();
        await this.request('pauseProducer', { producerId: producer.id });
      }
    } finally {
      this.sendingChanged();
    }
  }

  /** Shares a screen or tab, with its audio when the browser offers it. */
  async startScreenShare(): Promise<void> {
    const stream = await withTimeout(
      navigator.mediaDevices.getDisplayMedia({ video: true, audio: true }),
      DISPLAY_MEDIA_TIMEOUT_MS,
      t.screenShare.tooLate,
    ).catch((error: unknown) => {
      if (error instanceof DOMException && error.name === 'NotAllowedError') throw new PlainError(t.screenShare.refused);
      if (error instanceof DOMException) throw new PlainError(plainError(error));
      throw new PlainError(error instanceof Error ? error.message : t.screenShare.failed);
    });
    const [video] = stream.getVideoTracks();
    if (!video) throw new PlainError(t.screenShare.noVideo);
    video.addEventListener('ended', () => void this.stopScreenShare());
    try {
      await this.produce(video, 'screen');
      const [audio] = stream.getAudioTracks();
      if (audio) await this.produce(audio, 'screen-audio');
    } finally {
      this.sendingChanged();
    }
  }

  async stopScreenShare(): Promise<void> {
    for (const source of ['screen', 'screen-audio'] as const) {
      const producer = this.producers.get(source);
      if (!producer) continue;
      this.producers.delete(source);
      producer.track?.stop();
      producer.close();
      if (!this.closed) await this.request('closeProducer', { producerId: producer.id }).catch(() => {});
    }
    this.sendingChanged();
  }

  /**
   * A hidden tile's consumer is paused; a visible one gets the layer that
   * fits it. Only changes are sent, in the order they were made.
   */
  showConsumer(consumerId: string, visible: boolean, spatialLayer: number): Promise<void> {
    return this.changeConsumer(consumerId, visible ? { paused: false, spatialLayer } : { paused: true });
  }

  /** Queues a change to one consumer behind the ones before it. */
  private changeConsumer(consumerId: string, wanted: Partial<ConsumerSetting>): Promise<void> {
    const previous = this.visibilityChanges.get(consumerId) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.applySetting(consumerId, wanted));
    this.visibilityChanges.set(consumerId, next);
    return next;
  }

  private async applySetting(consumerId: string, { paused, spatialLayer }: Partial<ConsumerSetting>): Promise<void> {
    const remote = this.remote.get(consumerId);
    if (!remote || remote.consumer.closed) return;
    const { setting } = remote;
    if (paused === true && !setting.paused) {
      await this.request('pauseConsumer', { consumerId });
      setting.paused = true;
      return;
    }
    if (spatialLayer !== undefined && spatialLayer !== setting.spatialLayer && remote.consumer.kind === 'video') {
      await this.request('setConsumerPreferredLayers', { consumerId, spatialLayer });
      setting.spatialLayer = spatialLayer;
    }
    if (paused === false && setting.paused) {
      await this.request('resumeConsumer', { consumerId });
      setting.paused = false;
    }
  }

  /** A host stopped one of this tab's sources. */
  async stoppedByHost({ source }: NotificationData<'mediaStoppedByHost'>): Promise<void> {
    if (source === 'screen' || source === 'screen-audio') return this.stopScreenShare();
    this.producers.get(source)?.pause();
    this.sendingChanged();
  }

  async consume(data: NotificationData<'newConsumer'>): Promise<void> {
    const { consumerId, producerId, peerId, kind, source, rtpParameters, producerPaused } = data;
    const transport = await this.recvTransport;
    const consumer = await transport.consume({
      id: consumerId,
      producerId,
      kind,
      rtpParameters: rtpParameters as types.RtpParameters,
    });
    if (this.closedEarly.delete(consumerId)) return consumer.close();
    const remote = { consumerId, peerId, source, track: consumer.track, paused: producerPaused, consumer, setting: { paused: true } };
    this.remote.set(consumerId, remote);
    if (kind === 'video') {
      whenFirstPacket(consumer.track, () => {
        reach('firstPacket');
        this.resolveFirstRemoteVideo();
      });
    }
    // Resumed at once, at the layer the server started it at; the tile adjusts it once it knows its size.
    const resumed = this.changeConsumer(consumerId, { paused: false });
    this.events.trackAdded(remote);
    try {
      await resumed;
    } catch (error) {
      // Media that ended while it was being set up: nothing to do.
      if (!(error instanceof RequestError && error.body.code === 'not_found')) throw error;
    }
  }

  consumerClosed(consumerId: string): void {
    const remote = this.remote.get(consumerId);
    if (!remote) return void this.closedEarly.add(consumerId);
    this.remote.delete(consumerId);
    this.visibilityChanges.delete(consumerId);
    remote.consumer.close();
    this.events.trackRemoved(remote);
  }

  consumerPaused(consumerId: string, paused: boolean): void {
    const remote = this.remote.get(consumerId);
    if (!remote) return;
    remote.paused = paused;
    this.events.trackPaused(remote);
  }

  /** Closes transports; camera and microphone tracks stay open for a rejoin. */
  /** The receive transport's WebRTC statistics; undefined until it exists. */
  async linkStats(): Promise<RTCStatsReport | undefined> {
    return this.closed ? undefined : this.recv?.getStats();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.producers.get('screen')?.track?.stop();
    this.producers.clear();
    this.sendTransport?.close();
    void this.recvTransport.then((transport) => transport.close());
  }

  private sendingChanged(): void {
    this.events.sendingChanged(SOURCES.filter((source) => this.isSending(source)));
  }

  private async produce(track: MediaStreamTrack, source: MediaSource, paused = false): Promise<void> {
    if (!this.sendTransport) throw new Error('not connected yet');
    const producer = await this.sendTransport.produce({
      track,
      appData: { source, paused },
      ...(source === 'camera' ? { encodings: CAMERA_ENCODINGS, codecOptions: { videoGoogleStartBitrate: 1000 } } : {}),
      // Camera and microphone tracks outlive this session (a rejoin reuses them);
      // a screen share's tracks end with it.
      stopTracks: source === 'screen' || source === 'screen-audio',
    });
    // Turned off before joining: the server's producer starts paused too, so nothing is sent.
    if (paused) producer.pause();
    this.producers.set(source, producer);
  }

  private createTransport(direction: 'send' | 'recv', parameters: TransportParameters): types.Transport {
    const options = { ...(parameters as unknown as types.TransportOptions), ...this.ice };
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
        ...(appData['paused'] === true ? { paused: true } : {}),
      }).then(({ producerId }) => callback({ id: producerId }), errback);
    });
    transport.on('connectionstatechange', (state) => {
      if (state === 'connected' && direction === 'recv') reach('mediaConnected');
      if (state === 'failed' && !this.closed) void this.recover(transport);
    });
    return transport;
  }

  /**
   * A failed transport first tries an ICE restart; if it is not connected
   * again soon, the session is given up (and the call rejoins, behind a
   * load balancer perhaps on another node).
   */
  private async recover(transport: types.Transport): Promise<void> {
    try {
      const { iceParameters } = await this.request('restartIce', { transportId: transport.id });
      await transport.restartIce({ iceParameters: iceParameters as types.IceParameters });
      await new Promise((resolve) => setTimeout(resolve, ICE_RESTART_GRACE_MS));
      if (transport.connectionState === 'connected' || this.closed) return;
    } catch (error) {
      console.warn('ICE restart failed', error);
    }
    if (!this.closed) this.events.failed();
  }
}

/** Calls `then` once `track` has had its first packet: a remote track starts muted and unmutes when media arrives. */
function whenFirstPacket(track: MediaStreamTrack, then: () => void): void {
  if (!track.muted) return then();
  track.addEventListener('unmute', then, { once: true });
}

/** Settles once `transport` is connected. */
function connected(transport: types.Transport): Promise<void> {
  if (transport.connectionState === 'connected') return Promise.resolve();
  return new Promise((resolve) => {
    const onState = (state: string) => {
      if (state !== 'connected') return;
      transport.off('connectionstatechange', onState);
      resolve();
    };
    transport.on('connectionstatechange', onState);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
