/**
 * The audio level of a frame as RFC 6464 carries it in the ssrc-audio-level
 * RTP header extension: 0 to 127, the level in -dBov (127 is silence, 0 a
 * full-scale square wave), from the frame's RMS. mediasoup's
 * AudioLevelObserver reads this value, so a phone that speaks shows up as a
 * speaker like a browser does.
 */

export interface AudioLevel {
  /** -dBov, 0 (loudest) to 127 (silence). */
  level: number;
  /** The RFC 6464 V flag: whether the frame likely holds speech. */
  voice: boolean;
}

/** Louder than -50 dBov counts as voice: well above a phone line's noise floor, well below speech. */
export const VOICE_LEVEL_THRESHOLD = 50;

export function audioLevel(samples: Int16Array): AudioLevel {
  if (samples.length === 0) return { level: 127, voice: false };
  let energy = 0;
  for (let i = 0; i < samples.length; i++) energy += samples[i]! * samples[i]!;
  const rms = Math.sqrt(energy / samples.length) / 32767;
  const level = rms === 0 ? 127 : Math.min(127, Math.max(0, Math.round(-20 * Math.log10(rms))));
  return { level, voice: level < VOICE_LEVEL_THRESHOLD };
}
