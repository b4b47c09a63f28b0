/**
 * A WHIP publisher on another WebRTC stack than Chromium's: werift in Node,
 * sending what ffmpeg encodes (a test pattern in VP8 or H.264, and a tone
 * in Opus) as RTP to a local socket. It speaks only RFC 9725: POST the
 * offer with the bearer key, apply the answer, DELETE the Location to stop.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { TestProcess } from '../../server/testkit/processes.js';
import { waitUntil } from '../../server/testkit/wait.js';

export type VideoCodec = 'VP8' | 'H264';

const FEEDBACK = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }];
const CODECS: Record<VideoCodec, RTCRtpCodecParameters> = {
  VP8: new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: FEEDBACK }),
  H264: new RTCRtpCodecParameters({
    mimeType: 'video/H264',
    clockRate: 90000,
    rtcpFeedback: FEEDBACK,
    parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  }),
};
const ENCODERS: Record<VideoCodec, string[]> = {
  VP8: ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '600k', '-g', '30'],
  H264: ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-level', '3.1', '-pix_fmt', 'yuv420p', '-g', '30', '-b:v', '600k'],
};
/** RTP must fit a WebRTC packet with its SRTP and header extensions. */
const PACKET_SIZE = 1100;
// werift leaves out loopback candidates unless told to add them.
const LOOPBACK = { iceAdditionalHostAddresses: ['127.0.0.1'] };

export interface WhipPublication {
  /** The session's URL, from the answer's Location. */
  location: string;
  status: number;
  close(): Promise<void>;
}

/** Publishes `codec` video and Opus audio to `endpoint` (…/whip/<room>) with `key`; resolves once the answer is applied. */
export async function publishWhip(endpoint: string, key: string, codec: VideoCodec): Promise<WhipPublication> {
  const pc = new RTCPeerConnection({
    codecs: { video: [CODECS[codec]], audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })] },
    ...LOOPBACK,
    // One transport, as the answer BUNDLEs everything; werift's unbundled extra socket would outlive close().
    bundlePolicy: 'max-bundle',
  });
  const sockets: Socket[] = [];
  const encoders: TestProcess[] = [];
  const close = async () => {
    for (const encoder of encoders) await encoder.kill();
    for (const socket of sockets) socket.close();
    await pc.close();
  };
  try {
    for (const kind of ['video', 'audio'] as const) {
      const track = new MediaStreamTrack({ kind });
      pc.addTransceiver(track, { direction: 'sendonly' });
      const socket = createSocket('udp4');
      socket.on('message', (packet) => track.writeRtp(packet));
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      sockets.push(socket);
      encoders.push(await encode(kind, codec, (socket.address() as AddressInfo).port));
    }
    await pc.setLocalDescription(await pc.createOffer());
    await waitUntil(async () => pc.iceGatheringState, (state) => state === 'complete', 10_000, 'werift to gather candidates');
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp', authorization: `Bearer ${key}` },
      body: pc.localDescription!.sdp,
    });
    if (response.status !== 201) throw new Error(`WHIP answered ${response.status}: ${await response.text()}`);
    await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
    const location = new URL(response.headers.get('location')!, endpoint).href;
    return {
      location,
      status: response.status,
      close: async () => {
        await fetch(location, { method: 'DELETE', headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(10_000) }).catch(() => {});
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** ffmpeg encoding a test pattern (video) or a 440 Hz tone (audio) as RTP to `port`, in real time. */
function encode(kind: 'video' | 'audio', codec: VideoCodec, port: number): Promise<TestProcess> {
  const input = kind === 'video' ? ['-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=30'] : ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'];
  const output = kind === 'video' ? ENCODERS[codec] : ['-c:a', 'libopus', '-b:a', '64k', '-ar', '48000', '-ac', '2'];
  return TestProcess.start(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'warning', '-re', ...input, ...output, '-f', 'rtp', `rtp://127.0.0.1:${port}?pkt_size=${PACKET_SIZE}`],
    { what: `ffmpeg encoding ${kind === 'video' ? codec : 'Opus'}`, ready: () => true },
  );
}
