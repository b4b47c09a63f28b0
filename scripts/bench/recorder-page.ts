/**
 * Runs in the page, bundled by chromium-recorder.ts: the browser-based
 * recorder the recording benchmark measures Parley's against. It joins the
 * meeting as a participant that sends nothing, through Parley's signalling
 * and mediasoup-client as the real client does; plays each remote camera
 * in a video element and each microphone into one WebAudio mix; and, while
 * recording, draws the cameras 30 times a second into a 1280×720 canvas in
 * the grid Parley's recordings use (layout.ts), each with its name, and
 * records canvas and mix with MediaRecorder in the browser's default format
 * (WebM, VP8 and Opus). The chunks stay in memory until asked for.
 */
import { Device, type types } from 'mediasoup-client';
import { CANVAS, grid } from '../../server/src/recording/layout.js';

const FRAME_RATE = 30;
const BACKGROUND = '#202124';
/** MediaRecorder hands over what it has every second, as a long recording would be written out. */
const CHUNK_MS = 1000;

interface Camera {
  peerId: string;
  video: HTMLVideoElement;
  consumer: types.Consumer;
}

interface NewConsumer {
  consumerId: string;
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  rtpParameters: types.RtpParameters;
}

class PageRecorder {
  private readonly device = new Device();
  private readonly pending = new Map<number, { resolve(data: any): void; reject(error: Error): void }>();
  private nextId = 1;
  private readonly names = new Map<string, string>();
  private readonly cameras = new Map<string, Camera>();
  private readonly audio = new AudioContext();
  private readonly mix = this.audio.createMediaStreamDestination();
  private readonly canvas = Object.assign(document.createElement('canvas'), CANVAS);
  private readonly context = this.canvas.getContext('2d')!;
  private readonly recvTransport: Promise<types.Transport>;
  private resolveRecv!: (transport: types.Transport) => void;
  private givenRecv: types.TransportOptions | undefined;
  private drawing: ReturnType<typeof setInterval> | undefined;
  private recorder: MediaRecorder | undefined;
  private readonly chunks: Blob[] = [];
  private framesDrawn = 0;
  /** Consumers that could not be set up, for a caller left waiting for a camera. */
  private readonly failures: string[] = [];

  constructor(private readonly ws: WebSocket) {
    this.recvTransport = new Promise((resolve) => (this.resolveRecv = resolve));
    ws.addEventListener('message', (event) => this.receive(JSON.parse(String(event.data))));
  }

  static async open(serverUrl: string, roomId: string): Promise<PageRecorder> {
    const ws = new WebSocket(`${serverUrl.replace(/^http/, 'ws')}/ws?room=${roomId}`);
    await new Promise((resolve, reject) => {
      ws.addEventListener('open', resolve, { once: true });
      ws.addEventListener('error', () => reject(new Error('the signalling socket did not open')), { once: true });
    });
    return new PageRecorder(ws);
  }

  private request(method: string, data: object = {}): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ type: 'request', id, method, data }));
    });
  }

  async join(displayName: string): Promise<void> {
    const { rtpCapabilities } = await this.request('getRouterRtpCapabilities');
    await this.device.load({ routerRtpCapabilities: rtpCapabilities });
    await this.request('join', { displayName, rtpCapabilities: this.device.rtpCapabilities });
    const options = this.givenRecv ?? (await this.request('createWebRtcTransport', { direction: 'recv' }));
    const transport = this.device.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.request('connectWebRtcTransport', { transportId: transport.id, dtlsParameters }).then(callback, errback);
    });
    this.resolveRecv(transport);
    await this.audio.resume();
  }

  private receive(message: any): void {
    if (message.type === 'response') {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.ok) waiter?.resolve(message.data);
      else waiter?.reject(new Error(`${message.error.code}: ${message.error.message}`));
      return;
    }
    const { method, data } = message;
    if (method === 'joined') {
      this.givenRecv = data.transports?.recv;
      for (const peer of data.peers) this.names.set(peer.id, peer.displayName);
    }
    if (method === 'peerJoined' || method === 'peerUpdated') this.names.set(data.peer.id, data.peer.displayName);
    if (method === 'newConsumer') this.consume(data).catch((error: Error) => this.failures.push(`${data.kind} ${data.consumerId}: ${error.message}`));
    if (method === 'consumerClosed') this.cameras.delete(data.consumerId);
  }

  private async consume({ consumerId, producerId, peerId, kind, rtpParameters }: NewConsumer): Promise<void> {
    const transport = await this.recvTransport;
    const consumer = await transport.consume({ id: consumerId, producerId, kind, rtpParameters });
    const stream = new MediaStream([consumer.track]);
    if (kind === 'video') {
      const video = Object.assign(document.createElement('video'), { muted: true, playsInline: true, srcObject: stream });
      void video.play();
      this.cameras.set(consumerId, { peerId, video, consumer });
    } else {
      // Chromium feeds a remote WebRTC stream to WebAudio only while a media element holds it.
      const element = Object.assign(new Audio(), { muted: true, srcObject: stream });
      void element.play();
      this.audio.createMediaStreamSource(stream).connect(this.mix);
    }
    await this.request('resumeConsumer', { consumerId });
  }

  /** Cameras whose first frame has been decoded. */
  playing(): number {
    return [...this.cameras.values()].filter(({ video }) => video.videoWidth > 0).length;
  }

  /** Each camera's state and what its receiver counted, and any consumer that failed: why a camera does not play. */
  async diagnosis(): Promise<string> {
    const cameras = await Promise.all(
      [...this.cameras.values()].map(async ({ peerId, video, consumer }) => {
        const counted: Record<string, unknown> = {};
        (await consumer.getStats()).forEach((report: Record<string, unknown>) => {
          if (report['type'] !== 'inbound-rtp') return;
          for (const key of ['packetsReceived', 'packetsLost', 'framesReceived', 'framesDecoded', 'keyFramesDecoded', 'framesDropped', 'pliCount', 'nackCount']) {
            counted[key] = report[key];
          }
        });
        return { name: this.names.get(peerId), width: video.videoWidth, readyState: video.readyState, paused: consumer.paused, ...counted };
      }),
    );
    return JSON.stringify({ cameras, failures: this.failures });
  }

  private draw(): void {
    this.framesDrawn++;
    const context = this.context;
    context.fillStyle = BACKGROUND;
    context.fillRect(0, 0, CANVAS.width, CANVAS.height);
    const cameras = [...this.cameras.values()].sort((a, b) => (this.names.get(a.peerId) ?? '').localeCompare(this.names.get(b.peerId) ?? ''));
    const tiles = grid(cameras.length, { x: 0, y: 0, ...CANVAS });
    cameras.forEach(({ peerId, video }, index) => {
      const tile = tiles[index]!;
      if (video.videoWidth > 0) {
        const scale = Math.min(tile.width / video.videoWidth, tile.height / video.videoHeight);
        const [width, height] = [video.videoWidth * scale, video.videoHeight * scale];
        context.drawImage(video, tile.x + (tile.width - width) / 2, tile.y + (tile.height - height) / 2, width, height);
      }
      const name = this.names.get(peerId) ?? '';
      context.font = '22px sans-serif';
      const textWidth = context.measureText(name).width;
      context.fillStyle = 'rgba(0, 0, 0, 0.55)';
      context.fillRect(tile.x + 2, tile.y + tile.height - 40, textWidth + 12, 34);
      context.fillStyle = 'white';
      context.fillText(name, tile.x + 8, tile.y + tile.height - 16);
    });
  }

  start(): void {
    const tracks = [...this.canvas.captureStream(FRAME_RATE).getVideoTracks(), ...this.mix.stream.getAudioTracks()];
    const recorder = new MediaRecorder(new MediaStream(tracks));
    recorder.addEventListener('dataavailable', (event) => event.data.size > 0 && this.chunks.push(event.data));
    this.draw();
    this.drawing = setInterval(() => this.draw(), 1000 / FRAME_RATE);
    recorder.start(CHUNK_MS);
    this.recorder = recorder;
  }

  /** Stops recording and drawing; resolves with the recording's size and format, and how many frames were drawn. */
  async stop(): Promise<{ bytes: number; mimeType: string; framesDrawn: number }> {
    const recorder = this.recorder!;
    const stopped = new Promise((resolve) => recorder.addEventListener('stop', resolve, { once: true }));
    recorder.stop();
    await stopped;
    clearInterval(this.drawing);
    return { bytes: this.chunks.reduce((sum, chunk) => sum + chunk.size, 0), mimeType: recorder.mimeType, framesDrawn: this.framesDrawn };
  }

  /** The recording as a data: URL, to hand it out of the page. */
  file(): Promise<string> {
    const reader = new FileReader();
    const read = new Promise<string>((resolve) => reader.addEventListener('load', () => resolve(String(reader.result)), { once: true }));
    reader.readAsDataURL(new Blob(this.chunks, { type: this.recorder?.mimeType ?? 'video/webm' }));
    return read;
  }
}

let recorder: PageRecorder | undefined;
Object.assign(window, {
  benchRecorder: {
    async join(serverUrl: string, roomId: string, name: string) {
      recorder = await PageRecorder.open(serverUrl, roomId);
      await recorder.join(name);
    },
    playing: () => recorder!.playing(),
    diagnosis: () => recorder!.diagnosis(),
    start: () => recorder!.start(),
    stop: () => recorder!.stop(),
    file: () => recorder!.file(),
  },
});
