/**
 * Real media for bots, encoded once and replayed: a 1280×720, 30 fps VP8
 * clip of ffmpeg's moving test pattern (testsrc2), and an Opus tone. Unlike
 * synthetic-media.ts, what these send decodes, so a receiver that decodes
 * (a browser, a recorder) does its real work, and the same bits every time.
 * Werift neither encodes nor decodes, so the bot packetizes the frames
 * itself: VP8 as Chromium does (RFC 7741 descriptor with a 15-bit picture
 * id), Opus one 20 ms frame a packet. The clip loops (it starts with a
 * keyframe and has one every 2 s); keyframe requests are not answered.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { RtpHeader, RtpPacket, type MediaStreamTrack } from 'msc-node';
import { createEncoder, frameSamples, OPUS } from '../../server/src/audio/codecs.js';
import { runTool } from '../../server/testkit/processes.js';

export interface EncodedClip {
  kind: 'audio' | 'video';
  clockRate: number;
  frameMs: number;
  frames: Buffer[];
}

export interface RecordedMedia {
  video: EncodedClip;
  audio: EncodedClip;
}

const VIDEO_FPS = 30;
const CLIP_SECONDS = 10;
/** Payload bytes per RTP packet, below a loopback MTU with SRTP and header extensions. */
const MAX_PAYLOAD = 1100;
/** After a stall, catch up by at most this much media at once rather than send a burst. */
const MAX_CATCH_UP_MS = 100;

/** Encodes the camera clip into `dir` (about 1.5 Mbit/s, like a browser's 720p camera) and reads its frames. */
export async function cameraClip(dir: string): Promise<EncodedClip> {
  const file = path.join(dir, 'camera-720p.ivf');
  await runTool(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=${VIDEO_FPS}`, '-t', String(CLIP_SECONDS)]
      .concat(['-c:v', 'libvpx', '-b:v', '1500k', '-g', '60', '-keyint_min', '60', '-deadline', 'realtime', '-cpu-used', '8'])
      .concat(['-lag-in-frames', '0', '-auto-alt-ref', '0', '-error-resilient', '1', '-f', 'ivf', file]),
    { timeoutMs: 180_000 },
  );
  return { kind: 'video', clockRate: 90_000, frameMs: 1000 / VIDEO_FPS, frames: ivfFrames(await readFile(file)) };
}

/** The frames of an IVF file: a 32-byte file header, then each frame after a 12-byte header holding its size. */
function ivfFrames(ivf: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  for (let at = ivf.readUInt16LE(6); at + 12 <= ivf.length; ) {
    const size = ivf.readUInt32LE(at);
    frames.push(ivf.subarray(at + 12, at + 12 + size));
    at += 12 + size;
  }
  return frames;
}

/**
 * The same clip, looped from frame `first` on: senders of one clip, each
 * started elsewhere, do not send their keyframes at the same moment.
 */
export function startingAt(clip: EncodedClip, first: number): EncodedClip {
  const at = first % clip.frames.length;
  return { ...clip, frames: [...clip.frames.slice(at), ...clip.frames.slice(0, at)] };
}

/** One second of a sine tone at `frequency` Hz (a whole number, so it loops without a click), as Opus packets. */
export function toneClip(frequency: number): EncodedClip {
  const encoder = createEncoder(OPUS);
  const samples = frameSamples(48_000);
  const frames: Buffer[] = [];
  for (let frame = 0; frame < 50; frame++) {
    const pcm = new Int16Array(samples);
    for (let i = 0; i < samples; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * frequency * (frame * samples + i)) / 48_000));
    frames.push(Buffer.from(encoder.encode(pcm)));
  }
  encoder.close();
  return { kind: 'audio', clockRate: 48_000, frameMs: 20, frames };
}

/** VP8 payloads of one frame: a descriptor with S on the first, X and a 15-bit picture id on all. */
function vp8Payloads(frame: Buffer, pictureId: number): Buffer[] {
  const payloads: Buffer[] = [];
  for (let at = 0; at < frame.length; at += MAX_PAYLOAD) {
    const descriptor = Buffer.from([at === 0 ? 0x90 : 0x80, 0x80, 0x80 | ((pictureId >> 8) & 0x7f), pictureId & 0xff]);
    payloads.push(Buffer.concat([descriptor, frame.subarray(at, at + MAX_PAYLOAD)]));
  }
  return payloads;
}

export interface ClipSender {
  stop(): void;
  /** RTP packets sent so far. */
  readonly sent: number;
}

/** Feeds `track` with `clip`, looped, frame by frame at the clip's rate by the clock, until stopped. */
export function sendClip(track: MediaStreamTrack, clip: EncodedClip, ssrc: number): ClipSender {
  let sequence = 0;
  let index = 0;
  let owed = 0;
  let last = performance.now();
  const sendFrame = () => {
    const frame = clip.frames[index % clip.frames.length]!;
    const timestamp = Math.round((index * clip.frameMs * clip.clockRate) / 1000) >>> 0;
    const payloads = clip.kind === 'video' ? vp8Payloads(frame, index & 0x7fff) : [frame];
    payloads.forEach((payload, at) => {
      const marker = clip.kind === 'video' && at === payloads.length - 1;
      track.writeRtp(new RtpPacket(new RtpHeader({ payloadType: 0, sequenceNumber: sequence++ & 0xffff, timestamp, ssrc, marker }), payload));
    });
    index++;
  };
  const timer = setInterval(() => {
    const now = performance.now();
    owed += Math.min(now - last, MAX_CATCH_UP_MS) / clip.frameMs;
    last = now;
    for (; owed >= 1; owed--) sendFrame();
  }, Math.min(20, clip.frameMs));
  return {
    stop: () => clearInterval(timer),
    get sent() {
      return sequence;
    },
  };
}
