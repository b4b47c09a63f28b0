/**
 * A small indicator of this tab's connection quality in the top bar, from
 * the receive transport's statistics every few seconds (media/link-quality).
 * Its accessible name says it in words ("Connection: good").
 */
import { h } from '../dom.js';
import { t } from '../strings/index.js';
import { classifyLink, sampleLink, type LinkQuality, type LinkTotals } from '../media/link-quality.js';
import { setIcon } from './icons.js';

const SAMPLE_MS = 3_000;
const ICON = { good: 'signalGood', fair: 'signalFair', poor: 'signalPoor' } as const;

export class LinkIndicator {
  readonly root = h('span', { class: 'link-quality', role: 'img', hidden: true });
  private totals: LinkTotals | undefined;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(stats: () => Promise<RTCStatsReport | undefined>) {
    this.timer = setInterval(() => {
      stats()
        .then((report) => {
          if (!report) return;
          const sample = sampleLink(report.values(), this.totals);
          this.totals = sample.totals;
          this.show(classifyLink(sample));
        })
        .catch(() => this.stop());
    }, SAMPLE_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private show(quality: LinkQuality): void {
    this.root.hidden = false;
    this.root.dataset['quality'] = quality;
    const label = t.link.quality(t.link.words[quality]);
    if (this.root.getAttribute('aria-label') !== label) {
      this.root.setAttribute('aria-label', label);
      this.root.title = label;
    }
    setIcon(this.root, ICON[quality]);
  }
}
