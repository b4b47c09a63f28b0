/**
 * A microphone level meter: Web Audio's AnalyserNode on the track, shown in
 * a <meter> with an accessible name and value (and a text value for screen
 * readers), updated ten times a second.
 */
import { h } from '../dom.js';
import { t } from '../strings/index.js';

export class LevelMeter {
  readonly root: HTMLMeterElement = h('meter', {
    class: 'level-meter',
    min: '0',
    max: '1',
    low: '0.05',
    high: '0.8',
    optimum: '0.4',
    value: '0',
    'aria-label': t.devices.level,
    'aria-valuetext': t.devices.silent,
  });
  private context: AudioContext | undefined;
  private source: MediaStreamAudioSourceNode | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  /** Measures `track` (undefined: nothing to measure). */
  follow(track: MediaStreamTrack | undefined): void {
    this.source?.disconnect();
    this.source = undefined;
    clearInterval(this.timer);
    this.show(0);
    if (!track) return;
    this.context ??= new AudioContext();
    // Browsers that hold audio until a gesture start it on the first one.
    if (this.context.state === 'suspended') {
      const resume = () => void this.context?.resume();
      document.addEventListener('pointerdown', resume, { once: true });
      document.addEventListener('keydown', resume, { once: true });
      void this.context.resume();
    }
    const analyser = this.context.createAnalyser();
    analyser.fftSize = 512;
    this.source = this.context.createMediaStreamSource(new MediaStream([track]));
    this.source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    this.timer = setInterval(() => {
      if (!track.enabled || track.readyState === 'ended') return this.show(0);
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const sample of samples) sum += sample * sample;
      const rms = Math.sqrt(sum / samples.length);
      // About -60 dBFS to 0 dBFS onto 0..1.
      const level = Math.max(0, Math.min(1, (20 * Math.log10(rms + 1e-9) + 60) / 60));
      this.show(level);
    }, 100);
  }

  stop(): void {
    this.follow(undefined);
    void this.context?.close();
    this.context = undefined;
  }

  private show(level: number): void {
    const rounded = Math.round(level * 100) / 100;
    if (this.root.value === rounded) return;
    this.root.value = rounded;
    this.root.setAttribute('aria-valuetext', rounded < 0.05 ? t.devices.silent : t.devices.percent(Math.round(rounded * 100)));
  }
}
