/**
 * A capture turned into a file ffmpeg can read with exact timing: video
 * frames into IVF, audio decoded into WAV, each placed by its RTP timestamp
 * and starting at its first frame. The caller learns where on the
 * recording's clock (ms from its start) the file begins. Media placed well
 * outside the recording is left out: a sender's timestamp that jumped would
 * otherwise put a packet hours away, and the gap would be written as silence.
 */
import { createDecoder } from '../audio/codecs.js';
import { readCapture } from './capture-file.js';
import { IvfWriter, WavWriter } from './containers.js';
import { depacketizerFor, vp8Size } from './depacketize.js';
import type { TapCodec } from './media-tap.js';
import { audioCodec, rtpView } from './rtp-payload.js';
import { senderReports, TimestampUnwrapper } from './track-sync.js';

export interface ExtractedTrack {
  path: string;
  /** Where the file begins on the recording's clock (ms from its start). */
  startMs: number;
  durationMs: number;
}

/** Media that sync places up to this far before the recording's start is kept (sync's error: taps open after the start). */
const EARLY_TOLERANCE_MS = 1_000;

const withinRecording = (atMs: number, endMs: number) => atMs >= -EARLY_TOLERANCE_MS && atMs <= endMs;

/** Packets of a capture with unwrapped timestamps (sender reports unwrap along, as when the capture was measured). */
async function* rtpPackets(capture: string) {
  const unwrapper = new TimestampUnwrapper();
  for await (const { rtcp, packet } of readCapture(capture)) {
    if (rtcp) {
      for (const report of senderReports(packet)) unwrapper.unwrap(report.rtpTimestamp);
      continue;
    }
    const view = rtpView(packet);
    if (view) yield { ...view, timestamp: unwrapper.unwrap(view.timestamp) };
  }
}

/**
 * Video frames into IVF, from the first keyframe on. `offsetMs` maps media
 * time to this process's clock (see track-sync.ts); `originMs` is the
 * recording's start on that clock; `endMs` is its end on its own clock
 * (its length).
 */
export async function extractVideo(
  capture: string,
  codec: TapCodec,
  offsetMs: number,
  originMs: number,
  endMs: number,
  path: string,
): Promise<ExtractedTrack | undefined> {
  const assembler = depacketizerFor(codec.mimeType);
  if (!assembler) return undefined;
  let writer: IvfWriter | undefined;
  let firstMs = 0;
  let lastMs = -Infinity;
  for await (const packet of rtpPackets(capture)) {
    const frame = assembler.push(packet);
    if (!frame) continue;
    const atMs = (frame.timestamp * 1000) / codec.clockRate + offsetMs - originMs;
    if (!withinRecording(atMs, endMs)) continue;
    if (!writer) {
      const size = vp8Size(frame.data) ?? { width: 1280, height: 720 };
      writer = await IvfWriter.create(path, codec.mimeType.toLowerCase() === 'video/vp8' ? 'VP80' : 'H264', size.width, size.height);
      firstMs = atMs;
    }
    // Frames never go back in time, whatever the network reordered.
    if (atMs < lastMs) continue;
    lastMs = atMs;
    await writer.frame(frame.data, atMs - firstMs);
  }
  if (!writer) return undefined;
  await writer.close();
  return { path, startMs: firstMs, durationMs: lastMs - firstMs };
}

/** A packet this little behind its place (rounding, a sender's clock running fast) is still written. */
const LATE_TOLERANCE_MS = 5;

/** Audio decoded to mono WAV at the codec's rate, every packet at its timestamp's place, silence in gaps. */
export async function extractAudio(
  capture: string,
  codec: TapCodec,
  offsetMs: number,
  originMs: number,
  endMs: number,
  path: string,
): Promise<ExtractedTrack | undefined> {
  const phoneCodec = audioCodec(codec.mimeType);
  if (!phoneCodec) return undefined;
  const decoder = createDecoder(phoneCodec, 48000);
  const rate = decoder.sampleRate;
  let writer: WavWriter | undefined;
  let firstTimestamp = 0;
  let firstMs = 0;
  try {
    for await (const packet of rtpPackets(capture)) {
      const atMs = (packet.timestamp * 1000) / codec.clockRate + offsetMs - originMs;
      if (!withinRecording(atMs, endMs)) continue;
      const pcm = decoder.decode(packet.payload);
      if (!pcm) continue;
      if (!writer) {
        writer = await WavWriter.create(path, rate);
        firstTimestamp = packet.timestamp;
        firstMs = atMs;
      }
      const position = Math.round(((packet.timestamp - firstTimestamp) * rate) / codec.clockRate);
      // A duplicate or a packet too late for its place is dropped; a gap becomes silence.
      if (position < writer.length - (rate * LATE_TOLERANCE_MS) / 1000) continue;
      await writer.padTo(position);
      await writer.write(pcm);
    }
  } finally {
    decoder.close();
  }
  if (!writer) return undefined;
  const durationMs = (writer.length * 1000) / rate;
  await writer.close();
  return { path, startMs: firstMs, durationMs };
}
