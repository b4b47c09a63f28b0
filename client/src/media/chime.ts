/** A short two-note chime made with an oscillator (no audio file): someone is at the door. */
let context: AudioContext | undefined;

export function playKnock(): void {
  try {
    context ??= new AudioContext();
    if (context.state === 'suspended') void context.resume();
    const start = context.currentTime + 0.01;
    [660, 880].forEach((frequency, index) => {
      const at = start + index * 0.16;
      const oscillator = context!.createOscillator();
      const gain = context!.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.15);
      oscillator.connect(gain).connect(context!.destination);
      oscillator.start(at);
      oscillator.stop(at + 0.16);
    });
  } catch (error) {
    // No sound is no reason to miss the knock: the toast and the title still say it.
    console.warn('could not play the knock', error);
  }
}
