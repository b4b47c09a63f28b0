/**
 * Video tiles. A remote camera tile asks for the simulcast layer that fits
 * its size and pauses its consumer while it is hidden (zero size).
 */
import type { RemoteTrack } from '../media/media-session.js';
import { h } from '../dom.js';

/** Spatial layer for a tile this many CSS pixels wide: 0 (quarter), 1 (half) or 2 (full). */
export function layerForWidth(width: number): number {
  const pixels = width * (window.devicePixelRatio || 1);
  if (pixels <= 240) return 0;
  if (pixels <= 480) return 1;
  return 2;
}

export type ShowConsumer = (consumerId: string, visible: boolean, spatialLayer: number) => void;

export class Tile {
  readonly root: HTMLElement;
  readonly video = h('video', { autoplay: true, playsinline: true, muted: true });
  private readonly audio = h('audio', { autoplay: true });
  private readonly micOff = h('span', { class: 'badge', hidden: true }, 'mic off');
  private readonly hand = h('span', { class: 'badge', hidden: true }, '✋');
  private readonly nameLabel = h('span', { class: 'name' });
  private observer: ResizeObserver | undefined;

  constructor(label: string, kind: 'camera' | 'screen' | 'local') {
    this.nameLabel.textContent = label;
    this.root = h(
      'figure',
      { class: `tile ${kind}`, role: 'group', 'aria-label': label },
      this.video,
      this.audio,
      h('figcaption', {}, this.nameLabel, this.micOff, this.hand),
    );
  }

  setSpeaking(speaking: boolean): void {
    this.root.classList.toggle('speaking', speaking);
    this.root.dataset['speaking'] = String(speaking);
  }

  setHandRaised(raised: boolean): void {
    this.hand.hidden = !raised;
  }

  setLocalStream(stream: MediaStream | null): void {
    this.video.srcObject = stream;
  }

  setCameraOff(off: boolean): void {
    this.root.classList.toggle('camera-off', off);
  }

  /** Plays a remote track; a video track follows the tile's size. */
  attach(remote: RemoteTrack, show: ShowConsumer): void {
    if (remote.track.kind === 'audio') {
      this.audio.srcObject = new MediaStream([remote.track]);
      this.micOff.hidden = !remote.paused;
      return;
    }
    this.video.srcObject = new MediaStream([remote.track]);
    this.setCameraOff(remote.paused);
    this.observer?.disconnect();
    let last = '';
    this.observer = new ResizeObserver(([entry]) => {
      const width = entry?.contentRect.width ?? 0;
      const visible = width > 0;
      const layer = layerForWidth(width);
      const key = `${visible}:${layer}`;
      if (key === last) return;
      last = key;
      this.root.dataset['layer'] = visible ? String(layer) : 'paused';
      show(remote.consumerId, visible, layer);
    });
    this.observer.observe(this.video);
  }

  /** A remote producer was paused or resumed by its owner. */
  update(remote: RemoteTrack): void {
    if (remote.track.kind === 'audio') this.micOff.hidden = !remote.paused;
    else this.setCameraOff(remote.paused);
  }

  detach(remote: RemoteTrack): void {
    if (remote.track.kind === 'audio') {
      this.audio.srcObject = null;
      return;
    }
    this.observer?.disconnect();
    this.observer = undefined;
    this.video.srcObject = null;
  }

  remove(): void {
    this.observer?.disconnect();
    this.root.remove();
  }
}
