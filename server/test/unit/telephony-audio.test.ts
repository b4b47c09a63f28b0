/**
 * The phone bridge's audio engine (server/src/audio/): tones sent
 * as RTP through the mixer come out at the right frequency and level, the
 * resampler keeps the band and stops aliases, lost packets are concealed,
 * a fast sender's clock is caught up with, and the RTP, RFC 6464 level,
 * jitter-buffer and DTMF pieces hold their contracts for any input
 * (property tests with fast-check).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import FFT from 'fft.js';
import { createDecoder, createEncoder, frameSamples, OPUS, PCMA, PCMU, type PhoneCodec } from '../../src/audio/codecs.js';
import { DtmfReceiver, parseDtmfInfo } from '../../src/audio/dtmf.js';
import { JitterBuffer } from '../../src/audio/jitter-buffer.js';
import { audioLevel } from '../../src/audio/level.js';
import { Mixer } from '../../src/audio/mixer.js';
import { OpusHandle } from '../../src/audio/opus-wasm.js';
import { createResampler, type AudioRate } from '../../src/audio/resample.js';
import { buildRtp, parseRtp, rewriteRtp, RtpStream } from '../../src/audio/rtp.js';
import { QUICK } from '../helpers/timeouts.js';

const PT = { PCMU: 0, PCMA: 8, opus: 111 } as const;

/** A sine tone, continuing across calls from `startSample`. */
function tone(frequency: number, rate: number, length: number, amplitude: number, startSample = 0): Int16Array {
  return Int16Array.from({ length }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * frequency * (startSample + i)) / rate)));
}

function rms(samples: Int16Array): number {
  let energy = 0;
  for (const sample of samples) energy += sample * sample;
  return Math.sqrt(energy / samples.length);
}

const decibels = (ratio: number) => 20 * Math.log10(ratio);

/** Magnitude spectrum of the first 2^k samples (Hann window). */
function spectrum(samples: Int16Array, size: number): Float64Array {
  assert.ok(samples.length >= size, `need ${size} samples, have ${samples.length}`);
  const fft = new FFT(size);
  const input = Array.from({ length: size }, (_, i) => samples[i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size)));
  const out = fft.createComplexArray() as number[];
  fft.realTransform(out, input);
  return Float64Array.from({ length: size / 2 }, (_, bin) => Math.hypot(out[2 * bin]!, out[2 * bin + 1]!));
}

function peakFrequency(samples: Int16Array, rate: number, size = 2048): number {
  const magnitudes = spectrum(samples, size);
  let peak = 1;
  for (let bin = 1; bin < magnitudes.length; bin++) if (magnitudes[bin]! > magnitudes[peak]!) peak = bin;
  return (peak * rate) / size;
}

/** Spectral magnitude near `frequency` (the strongest of the nearest three bins). */
function magnitudeAt(samples: Int16Array, rate: number, frequency: number, size = 2048): number {
  const magnitudes = spectrum(samples, size);
  const bin = Math.round((frequency * size) / rate);
  return Math.max(magnitudes[bin - 1]!, magnitudes[bin]!, magnitudes[bin + 1]!);
}

function concat(frames: Int16Array[]): Int16Array {
  const out = new Int16Array(frames.reduce((length, frame) => length + frame.length, 0));
  let offset = 0;
  for (const frame of frames) {
    out.set(frame, offset);
    offset += frame.length;
  }
  return out;
}

/** RTP packets, one per 20 ms, of a tone encoded in `codec`. */
function tonePackets(codec: PhoneCodec, frequency: number, frames: number, amplitude = 8000, ssrc = 1234): Uint8Array[] {
  const encoder = createEncoder(codec);
  const perFrame = frameSamples(codec.clockRate);
  const stream = new RtpStream({ ssrc, payloadType: PT[codec.name], samplesPerFrame: perFrame, initialSequenceNumber: 65530 });
  const packets = Array.from({ length: frames }, (_, frame) =>
    stream.next(encoder.encode(tone(frequency, codec.clockRate, perFrame, amplitude, frame * perFrame))),
  );
  encoder.close();
  return packets;
}

/** Plays packets into a mixer in real time (one per 20 ms tick, or as `keep` says) and returns every tick's output. */
function runMixer(mixer: Mixer, streams: Record<string, Uint8Array[]>, keep: (id: string, index: number) => boolean = () => true): Int16Array[] {
  const ticks = Math.max(...Object.values(streams).map((packets) => packets.length));
  const output: Int16Array[] = [];
  for (let index = 0; index < ticks; index++) {
    for (const [id, packets] of Object.entries(streams)) {
      if (index < packets.length && keep(id, index)) mixer.push(id, packets[index]!, index * 20);
    }
    output.push(mixer.tick());
  }
  return output;
}

/** The output once playback has certainly begun (skipping the jitter buffer's start-up). */
const steady = (frames: Int16Array[]) => concat(frames.slice(15, -5));

test('a 1 kHz tone sent as PCMU comes out of an 8 kHz mix at 1 kHz and at its level', QUICK, () => {
  const mixer = new Mixer(8000);
  mixer.addInput('a', PCMU, PT.PCMU);
  const output = steady(runMixer(mixer, { a: tonePackets(PCMU, 1000, 100) }));
  assert.ok(Math.abs(peakFrequency(output, 8000) - 1000) < 8, `peak at ${peakFrequency(output, 8000)} Hz`);
  const levelError = decibels(rms(output) / (8000 / Math.SQRT2));
  assert.ok(Math.abs(levelError) < 0.5, `level off by ${levelError.toFixed(2)} dB`);
  const stats = mixer.stats('a')!;
  assert.equal(stats.received, 100);
  assert.equal(stats.lost, 0);
  assert.equal(stats.concealed, 0);
  mixer.close();
});

test('PCMA round-trips a tone through its encoder and decoder', QUICK, () => {
  const encoder = createEncoder(PCMA);
  const decoder = createDecoder(PCMA);
  const input = tone(700, 8000, 160, 10000);
  const output = decoder.decode(encoder.encode(input))!;
  assert.equal(output.length, 160);
  assert.ok(decibels(rms(input) / rms(Int16Array.from(input, (x, i) => x - output[i]!))) > 30, 'G.711 SNR above 30 dB');
});

test('a 440 Hz Opus stream at 48 kHz keeps its peak and level when mixed to 8 kHz', QUICK, () => {
  const mixer = new Mixer(8000);
  mixer.addInput('browser', OPUS, PT.opus);
  const output = steady(runMixer(mixer, { browser: tonePackets(OPUS, 440, 100) }));
  assert.ok(Math.abs(peakFrequency(output, 8000) - 440) < 8, `peak at ${peakFrequency(output, 8000)} Hz`);
  const levelError = decibels(rms(output) / (8000 / Math.SQRT2));
  assert.ok(Math.abs(levelError) < 1.5, `level off by ${levelError.toFixed(2)} dB`);
  assert.equal(mixer.stats('browser')!.invalid, 0);
  mixer.close();
});

test('a stereo Opus packet (as browsers may send) decodes to one channel holding the tone', QUICK, () => {
  const stereo = new OpusHandle(48000, 2);
  const decoder = createDecoder(OPUS);
  const frames: Int16Array[] = [];
  for (let frame = 0; frame < 20; frame++) {
    const mono = tone(440, 48000, 960, 8000, frame * 960);
    const interleaved = Int16Array.from({ length: 1920 }, (_, i) => mono[i >> 1]!);
    frames.push(decoder.decode(stereo.encode(interleaved, 960))!);
  }
  assert.ok(frames.every((frame) => frame.length === 960));
  const output = concat(frames.slice(5));
  assert.ok(Math.abs(decibels(rms(output) / (8000 / Math.SQRT2))) < 1.5, `level ${rms(output)}`);
  assert.ok(Math.abs(peakFrequency(output, 48000, 8192) - 440) < 8);
  stereo.close();
  decoder.close();
});

test('Opus handles write only their own memory: sixty of them, interleaved, keep their streams apart', QUICK, () => {
  const handles = Array.from({ length: 60 }, () => new OpusHandle(48000, 1));
  const decoded: Int16Array[] = [];
  for (let frame = 0; frame < 20; frame++) {
    const packets = handles.map((handle, index) => handle.encode(tone(300 + index * 10, 48000, 960, 8000, frame * 960), 960));
    // Every handle decodes its neighbour's packet: a decoder that shared scratch memory would mix streams.
    const frames = handles.map((handle, index) => handle.decode(packets[(index + 1) % handles.length]!)!);
    decoded.push(frames[0]!);
  }
  const output = concat(decoded.slice(5));
  assert.ok(Math.abs(peakFrequency(output, 48000, 8192) - 310) < 8, `peak at ${peakFrequency(output, 48000, 8192)}`);
  for (const handle of handles) handle.close();
  assert.throws(() => handles[0]!.encode(new Int16Array(960), 960), /closed/);
});

test('the resampler keeps the telephone band, stops what would alias, and has no seams between frames', QUICK, () => {
  const down = (frequency: number) => {
    const resampler = createResampler(48000, 8000);
    return concat(Array.from({ length: 50 }, (_, frame) => resampler.process(tone(frequency, 48000, 960, 10000, frame * 960)))).subarray(400);
  };
  const inputRms = 10000 / Math.SQRT2;
  assert.ok(Math.abs(decibels(rms(down(1000)) / inputRms)) < 0.2, '1 kHz passes');
  assert.ok(Math.abs(decibels(rms(down(3000)) / inputRms)) < 1, '3 kHz passes');
  const alias = decibels(rms(down(6000)) / inputRms);
  assert.ok(alias < -30, `a 6 kHz tone would fold to 2 kHz: only ${alias.toFixed(1)} dB down`);
  assert.ok(decibels(rms(down(4500)) / inputRms) < -30, '4.5 kHz is stopped');

  const up = createResampler(8000, 48000);
  const upsampled = concat(Array.from({ length: 50 }, (_, frame) => up.process(tone(1000, 8000, 160, 10000, frame * 160)))).subarray(2400);
  assert.ok(Math.abs(decibels(rms(upsampled) / inputRms)) < 0.2, '1 kHz passes upwards');
  assert.ok(Math.abs(peakFrequency(upsampled, 48000, 16384) - 1000) < 6);
  const image = magnitudeAt(upsampled, 48000, 7000, 16384) / magnitudeAt(upsampled, 48000, 1000, 16384);
  assert.ok(decibels(image) < -50, `the 7 kHz image is ${decibels(image).toFixed(1)} dB`);

  // Frame by frame equals all at once: the state carries across boundaries.
  const whole = tone(1234, 48000, 960 * 5, 12000);
  const inOneGo = createResampler(48000, 8000).process(whole);
  const chunked = createResampler(48000, 8000);
  const inFrames = concat(Array.from({ length: 5 }, (_, frame) => chunked.process(whole.subarray(frame * 960, (frame + 1) * 960))));
  assert.deepEqual(inFrames, inOneGo);
});

test('two inputs are summed, and removing one removes it from the mix', QUICK, () => {
  const mixer = new Mixer(8000);
  mixer.addInput('a', PCMU, PT.PCMU);
  mixer.addInput('b', PCMA, PT.PCMA);
  const both = steady(runMixer(mixer, { a: tonePackets(PCMU, 1000, 60), b: tonePackets(PCMA, 2500, 60) }));
  const one = magnitudeAt(both, 8000, 1000);
  const other = magnitudeAt(both, 8000, 2500);
  assert.ok(Math.abs(decibels(one / other)) < 1, 'both tones at the same level');
  assert.ok(Math.abs(decibels(rms(both) / 8000)) < 0.5, 'the energies add');

  mixer.removeInput('b');
  assert.equal(mixer.hasInput('b'), false);
  assert.equal(mixer.push('b', tonePackets(PCMA, 2500, 1)[0]!, 0), false);
  const alone = steady(runMixer(mixer, { a: tonePackets(PCMU, 1000, 60).map((packet) => rewriteSequence(packet, 60)) }));
  assert.ok(decibels(magnitudeAt(alone, 8000, 2500) / magnitudeAt(alone, 8000, 1000)) < -40, '2.5 kHz is gone');
  mixer.close();
});

/** The packet with its sequence number moved on, as a continuing stream would send it. */
function rewriteSequence(packet: Uint8Array, by: number): Uint8Array {
  const fields = parseRtp(packet)!;
  return buildRtp({ ...fields, sequenceNumber: fields.sequenceNumber + by, timestamp: fields.timestamp + by * 160 }, fields.payload);
}

test('a prompt is mixed in at the output rate, after which the mix is the inputs alone', QUICK, () => {
  const mixer = new Mixer(48000);
  mixer.play(tone(600, 8000, 8000, 8000), 8000);
  assert.equal(mixer.promptPlaying, true);
  const frames = Array.from({ length: 60 }, () => mixer.tick());
  assert.ok(frames.every((frame) => frame.length === 960));
  const prompt = concat(frames.slice(2, 45));
  assert.ok(Math.abs(peakFrequency(prompt, 48000, 16384) - 600) < 6);
  assert.ok(Math.abs(decibels(rms(prompt) / (8000 / Math.SQRT2))) < 0.5);
  assert.equal(mixer.promptPlaying, false);
  assert.equal(rms(frames[59]!), 0);

  mixer.play(tone(600, 8000, 8000, 8000), 8000);
  mixer.tick();
  mixer.clearPrompts();
  assert.equal(rms(mixer.tick()), 0);
});

test('loud inputs saturate smoothly rather than wrapping', QUICK, () => {
  const mixer = new Mixer(8000);
  for (const id of ['a', 'b', 'c']) mixer.addInput(id, PCMU, PT.PCMU);
  const packets = tonePackets(PCMU, 500, 40, 30000);
  const output = steady(runMixer(mixer, { a: packets, b: packets, c: packets }));
  assert.ok(Math.max(...output) <= 32767 && Math.min(...output) >= -32768);
  assert.ok(Math.max(...output) > 28000, 'loud stays loud');
  // No wrap-around: where the three tones push up together, the mix never flips sign.
  assert.ok(Math.abs(peakFrequency(output, 8000) - 500) < 8);
  mixer.close();
});

/** A seeded generator, so that a failure can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

for (const codec of [PCMU, OPUS]) {
  test(`with 10% of ${codec.name} packets lost, concealment leaves no silent gap in a tone`, QUICK, () => {
    const mixer = new Mixer(8000);
    mixer.addInput('a', codec, PT[codec.name]);
    const random = seededRandom(7);
    const dropped = new Set<number>();
    for (let index = 1; index < 200; index++) if (random() < 0.1 && !dropped.has(index - 1)) dropped.add(index);
    const frames = runMixer(mixer, { a: tonePackets(codec, 800, 200) }, (_, index) => !dropped.has(index));
    const toneRms = 8000 / Math.SQRT2;
    const quietest = Math.min(...frames.slice(15, -5).map(rms));
    // Opus's speech decoder takes a few frames to regain its level after a concealed loss: it dips, but never to silence.
    const floor = codec.name === 'opus' ? 0.15 : 0.3;
    assert.ok(quietest > toneRms * floor, `a frame fell to ${((100 * quietest) / toneRms).toFixed(0)}% of the tone`);
    const stats = mixer.stats('a')!;
    assert.ok(dropped.size >= 15, `dropped ${dropped.size}`);
    // Those dropped before playback began or still buffered at the end are not counted as lost.
    assert.ok(stats.lost >= dropped.size - 5 && stats.lost <= dropped.size, `lost ${stats.lost} of ${dropped.size}`);
    assert.equal(stats.concealed, stats.lost + stats.stretched);
    assert.equal(stats.received, 200 - dropped.size);
    mixer.close();
  });
}

test('a sender whose clock runs 1% fast keeps the buffer bounded and frames are dropped to catch up', QUICK, () => {
  const buffer = new JitterBuffer({ clockRate: 8000 });
  const sendInterval = 20 / 1.01;
  let sent = 0;
  let played = 0;
  let maxDepth = 0;
  for (let now = 0; now < 60_000; now += 20) {
    for (; sent * sendInterval <= now; sent++) {
      buffer.push({ sequenceNumber: sent & 0xffff, timestamp: sent * 160, payload: Uint8Array.of(sent & 0xff) }, sent * sendInterval);
    }
    if (buffer.pull() instanceof Uint8Array) played++;
    const stats = buffer.stats();
    if (now > 2000) maxDepth = Math.max(maxDepth, stats.depth);
  }
  const stats = buffer.stats();
  const extra = sent - played - stats.depth;
  assert.ok(maxDepth <= stats.targetDelayMs / 20 + 3, `depth reached ${maxDepth} frames`);
  assert.ok(stats.droppedForDrift >= 20, `dropped ${stats.droppedForDrift} for drift`);
  assert.ok(stats.droppedForDrift <= extra, `dropped ${stats.droppedForDrift} of ${extra} extra frames`);
  assert.equal(stats.lost, 0);
});

test('after a long underrun the jitter buffer buffers afresh, and a new SSRC starts the stream over', QUICK, () => {
  const buffer = new JitterBuffer({ clockRate: 8000 });
  for (let i = 0; i < 5; i++) buffer.push({ sequenceNumber: i, timestamp: i * 160, payload: Uint8Array.of(i) }, i * 20);
  const pulls = Array.from({ length: 12 }, () => buffer.pull());
  assert.ok(pulls.slice(0, 5).every((pull) => pull instanceof Uint8Array));
  assert.ok(pulls.slice(5, 10).every((pull) => pull === 'lost'));
  assert.equal(pulls[10], 'empty');
  assert.equal(buffer.stats().rebuffers, 1);
  buffer.push({ sequenceNumber: 40, timestamp: 40 * 160, payload: Uint8Array.of(40) }, 800);
  assert.equal(buffer.pull(), 'empty', 'waits for the target depth again');

  const mixer = new Mixer(8000);
  mixer.addInput('a', PCMU, PT.PCMU);
  runMixer(mixer, { a: tonePackets(PCMU, 1000, 10, 8000, 1) });
  assert.equal(mixer.push('a', tonePackets(PCMU, 1000, 1, 8000, 2)[0]!, 200), true);
  assert.equal(mixer.stats('a')!.ssrcChanges, 1);
  assert.equal(mixer.push('a', buildRtp({ payloadType: 101, sequenceNumber: 1, timestamp: 0, ssrc: 2 }, Uint8Array.of(1, 0, 0, 160)), 200), false);
  assert.equal(mixer.stats('a')!.ignored, 1);
  mixer.close();
});

test('a packet too late to play is dropped, and the playout delay grows by a frame at once', QUICK, () => {
  const buffer = new JitterBuffer({ clockRate: 8000 });
  const push = (n: number, now: number) => buffer.push({ sequenceNumber: n, timestamp: n * 160, payload: Uint8Array.of(n) }, now);
  for (const n of [0, 1, 2]) push(n, n * 20);
  const targetBefore = buffer.stats().targetDelayMs;
  const results: (string | number)[] = [];
  const pull = () => {
    const result = buffer.pull();
    results.push(result instanceof Uint8Array ? result[0]! : result);
  };
  pull();
  push(4, 80);
  pull();
  pull();
  pull(); // frame 3 has not come: lost
  push(3, 140); // now it comes, too late
  push(5, 140);
  push(6, 140);
  pull(); // the stretch: one more concealed frame before 4
  pull();
  pull();
  assert.deepEqual(results, [0, 1, 2, 'lost', 'lost', 4, 5]);
  const stats = buffer.stats();
  assert.deepEqual([stats.late, stats.lost, stats.stretched], [1, 1, 1]);
  assert.ok(stats.targetDelayMs > targetBefore, `target ${targetBefore} -> ${stats.targetDelayMs} ms`);
});

test('the jitter buffer returns frames in order, once each, within its bound, for any arrival order, duplication and loss', QUICK, () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 5, max: 120 }),
      fc.integer({ min: 0, max: 0xffff }),
      fc.array(fc.nat(), { maxLength: 300 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 4, max: 50 }),
      (count, firstSequence, arrivalPicks, pushesPerPull, capacity) => {
        const buffer = new JitterBuffer({ clockRate: 8000, capacity });
        const arrivals = arrivalPicks.map((pick) => pick % count);
        const played: number[] = [];
        const pullOnce = () => {
          const result = buffer.pull();
          if (result instanceof Uint8Array) played.push(new DataView(result.buffer).getUint16(0));
        };
        arrivals.forEach((index, n) => {
          const payload = new Uint8Array(2);
          new DataView(payload.buffer).setUint16(0, index);
          buffer.push({ sequenceNumber: (firstSequence + index) & 0xffff, timestamp: index * 160, payload }, n * 7);
          assert.ok(buffer.size <= capacity);
          if (n % pushesPerPull === 0) pullOnce();
        });
        for (let i = 0; i < count + 20; i++) pullOnce();
        for (let i = 1; i < played.length; i++) assert.ok(played[i]! > played[i - 1]!, `played ${played.join(',')}`);
        const stats = buffer.stats();
        assert.ok(stats.received <= count);
        assert.equal(stats.received + stats.late + stats.duplicate, arrivals.length);
      },
    ),
    { numRuns: 300 },
  );
});

test('RFC 6464 levels: silence is 127, full scale is 0, and -20 dBov is 20', QUICK, () => {
  assert.deepEqual(audioLevel(new Int16Array(160)), { level: 127, voice: false });
  assert.deepEqual(audioLevel(Int16Array.from({ length: 160 }, (_, i) => (i % 2 ? 32767 : -32767))), { level: 0, voice: true });
  const quiet = Int16Array.from({ length: 160 }, (_, i) => (i % 2 ? 3277 : -3277));
  assert.deepEqual(audioLevel(quiet), { level: 20, voice: true });
  assert.equal(audioLevel(Int16Array.from({ length: 160 }, (_, i) => (i % 2 ? 10 : -10))).voice, false);
});

test("the rewrite helper gives a phone's packet our SSRC and payload type plus an audio level that parses back", QUICK, () => {
  const original = buildRtp({ payloadType: 0, sequenceNumber: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef, marker: true }, new Uint8Array(160).fill(0xff));
  const level = audioLevel(tone(1000, 8000, 160, 3000));
  const rewritten = rewriteRtp(parseRtp(original)!, { ssrc: 42, payloadType: 100, audioLevelExtensionId: 10, audioLevel: level });
  const fields = parseRtp(rewritten, 10)!;
  assert.equal(fields.ssrc, 42);
  assert.equal(fields.payloadType, 100);
  assert.equal(fields.sequenceNumber, 65535);
  assert.equal(fields.timestamp, 0xfffffff0);
  assert.equal(fields.marker, true);
  assert.deepEqual(fields.audioLevel, level);
  assert.deepEqual(fields.payload, new Uint8Array(160).fill(0xff));
});

test('RtpStream numbers its packets on, across the 16-bit wrap, and skip() moves only the timestamp', QUICK, () => {
  const stream = new RtpStream({ ssrc: 7, payloadType: 0, samplesPerFrame: 160, initialSequenceNumber: 65535, initialTimestamp: 2 ** 32 - 160 });
  const first = parseRtp(stream.next(new Uint8Array(160), { marker: true }))!;
  stream.skip(2);
  const second = parseRtp(stream.next(new Uint8Array(160)))!;
  assert.deepEqual([first.sequenceNumber, first.timestamp, first.marker], [65535, 2 ** 32 - 160, true]);
  assert.deepEqual([second.sequenceNumber, second.timestamp, second.marker, second.ssrc], [0, 320, false, 7]);
});

test('parsing RTP never throws on arbitrary bytes, nor on a valid packet with bytes changed', QUICK, () => {
  const valid = buildRtp({ payloadType: 111, sequenceNumber: 1, timestamp: 2, ssrc: 3, audioLevel: { level: 30, voice: true }, audioLevelExtensionId: 1 }, new Uint8Array(20));
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), fc.array(fc.tuple(fc.nat(valid.length - 1), fc.nat(255)), { maxLength: 4 }), fc.nat(valid.length), (random, edits, cut) => {
      const mutated = valid.slice(0, Math.max(cut, 12));
      for (const [at, value] of edits) if (at < mutated.length) mutated[at] = value;
      for (const bytes of [random, mutated]) {
        const fields = parseRtp(bytes, 1);
        if (fields === undefined) continue;
        assert.ok(fields.payloadType < 128 && fields.sequenceNumber < 65536 && fields.payload.length <= bytes.length - 12);
      }
    }),
    { numRuns: 1000 },
  );
  assert.equal(parseRtp(Uint8Array.of(0x40, ...new Uint8Array(20))), undefined, 'version 1');
});

test('DTMF over RTP: one digit per event, whatever is duplicated, lost or reordered within the event', QUICK, () => {
  const digits = '0123456789*#ABCD';
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(15), fc.integer({ min: 1, max: 6 }), fc.array(fc.nat(), { minLength: 1, maxLength: 12 })), { minLength: 1, maxLength: 12 }),
      (events) => {
        const receiver = new DtmfReceiver();
        const heard: string[] = [];
        events.forEach(([event, updates, picks], index) => {
          // The event's packets: updates, then the end packet three times; `picks` chooses which arrive, in which order, how often.
          const packets = Array.from({ length: updates + 3 }, (_, n) => {
            const end = n >= updates;
            return Uint8Array.of(event, (end ? 0x80 : 0) | 10, 0, Math.min(n + 1, updates) * 160);
          });
          for (const pick of picks) {
            const digit = receiver.push({ timestamp: 1000 + index * 8000, payload: packets[pick % packets.length]! });
            if (digit !== undefined) heard.push(digit);
          }
        });
        assert.deepEqual(heard, events.map(([event]) => digits[event]));
      },
    ),
    { numRuns: 300 },
  );
  const receiver = new DtmfReceiver();
  assert.equal(receiver.push({ timestamp: 1, payload: Uint8Array.of(16, 0, 0, 160) }), undefined, 'event 16 (not a key) is ignored');
  assert.equal(receiver.push({ timestamp: 2, payload: Uint8Array.of(5, 0, 0) }), undefined, 'a short payload is ignored');
  assert.equal(receiver.push({ timestamp: 2, payload: Uint8Array.of(5, 0x80, 0, 160) }), '5', 'an end packet alone still gives its digit');
});

test('DTMF in SIP INFO: dtmf-relay and dtmf bodies give their digit; anything malformed gives none', QUICK, () => {
  assert.equal(parseDtmfInfo('application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n'), '5');
  assert.equal(parseDtmfInfo('Application/DTMF-Relay; charset=utf-8', 'signal= #\nduration = 250'), '#');
  assert.equal(parseDtmfInfo('application/dtmf-relay', 'Signal=10\r\nDuration=160'), '*');
  assert.equal(parseDtmfInfo('application/dtmf-relay', 'Signal=d'), 'D');
  assert.equal(parseDtmfInfo('application/dtmf', '7\r\n'), '7');
  assert.equal(parseDtmfInfo('application/dtmf', '11'), '#');
  for (const [type, body] of [
    ['application/dtmf-relay', 'Duration=160'],
    ['application/dtmf-relay', 'Signal=55\r\nDuration=160'],
    ['application/dtmf-relay', 'Signal=5\r\nSignal=6'],
    ['application/dtmf-relay', 'Signal=5\r\nDuration=-1'],
    ['application/dtmf-relay', 'Signal=5\r\ngarbage'],
    ['application/dtmf-relay', 'Signal=E'],
    ['application/dtmf', '5 6'],
    ['application/dtmf', ''],
    ['text/plain', 'Signal=5'],
    ['application/dtmf-relay', `Signal=5\r\n${' '.repeat(300)}`],
  ]) {
    assert.equal(parseDtmfInfo(type!, body!), undefined, JSON.stringify([type, body]));
  }
  fc.assert(
    fc.property(fc.constantFrom('application/dtmf-relay', 'application/dtmf', 'x/y'), fc.string({ maxLength: 60 }), (type, body) => {
      const digit = parseDtmfInfo(type, body);
      assert.ok(digit === undefined || /^[0-9*#A-D]$/.test(digit));
    }),
    { numRuns: 500 },
  );
});

test('each codec encodes 20 ms frames its decoder reads back, and conceals a loss with a fade', QUICK, () => {
  for (const codec of [PCMU, PCMA, OPUS]) {
    const rate = codec.clockRate as AudioRate;
    const encoder = createEncoder(codec);
    const decoder = createDecoder(codec);
    assert.equal(decoder.conceal().length, frameSamples(rate), `${codec.name} conceals silence before any packet`);
    for (let frame = 0; frame < 10; frame++) decoder.decode(encoder.encode(tone(500, rate, frameSamples(rate), 8000, frame * frameSamples(rate))));
    const concealed = Array.from({ length: 8 }, () => decoder.conceal());
    assert.ok(rms(concealed[0]!) > 1000, `${codec.name} conceals with sound`);
    if (codec.name !== 'opus') assert.equal(rms(concealed[3]!), 0, `${codec.name} fades to silence`);
    assert.ok(rms(concealed[7]!) < rms(concealed[0]!) / 4, `${codec.name} fades`);
    assert.equal(decoder.decode(new Uint8Array(0)), undefined);
    encoder.close();
    decoder.close();
  }
});
