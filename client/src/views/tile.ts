/**
 * Video tiles. A remote camera tile asks for the simulcast layer that fits
 * its size and pauses its consumer while it is hidden (zero size). With the
 * camera off a tile shows the person's initials (for someone on the phone,
 * who never has video, a phone icon and a badge). A stream published over
 * WHIP (OBS, an encoder) is a screen tile named by its label alone, with a
 * broadcast badge. The name is in the caption
 * (cut with an ellipsis only past the tile's width) and, in full, in the
 * tile's accessible name and tooltip. Each tile can be pinned (it goes on
 * the stage, big) and shown full screen.
 */
import type { RemoteTrack } from '../media/media-session.js';
import { h } from '../dom.js';
import { icon, setIcon } from './icons.js';
import { hueOf, initials } from './layout.js';
import { t } from '../strings/index.js';

/** Spatial layer for a tile this many CSS pixels wide: 0 (quarter), 1 (half) or 2 (full). */
export function layerForWidth(width: number): number {
  const pixels = width * (window.devicePixelRatio || 1);
  if (pixels <= 240) return 0;
  if (pixels <= 480) return 1;
  return 2;
}

export type ShowConsumer = (consumerId: string, visible: boolean, spatialLayer: number) => void;
export type TileKind = 'camera' | 'screen' | 'local';

export class Tile {
  readonly root: HTMLElement;
  readonly video = h('video', { autoplay: true, playsinline: true, muted: true });
  readonly pin: HTMLButtonElement;
  private readonly audio = h('audio', { autoplay: true });
  private readonly avatar = h('span', { class: 'avatar', 'aria-hidden': 'true' });
  private readonly micOff = h('span', { class: 'badge mic-off', hidden: true }, icon('micOff'), h('span', { class: 'visually-hidden' }, t.tiles.micOff));
  private readonly hand = h('span', { class: 'badge hand', hidden: true }, icon('hand'), h('span', { class: 'visually-hidden' }, t.tiles.handRaised));
  private readonly phone = h('span', { class: 'badge phone', hidden: true }, icon('phone'), h('span', { class: 'visually-hidden' }, t.phone.onThePhone));
  private readonly stream = h('span', { class: 'badge stream', hidden: true }, icon('broadcast'), h('span', { class: 'visually-hidden' }, t.tiles.stream));
  private readonly nameLabel = h('span', { class: 'name' });
  private readonly fullscreen: HTMLButtonElement;
  private observer: ResizeObserver | undefined;
  private name: string | undefined;
  private label = '';
  /** Why no picture shows: the meeting state says the camera is off, or no playing video track is attached. */
  private readonly noVideo = { state: false, track: true };

  /** `name` is the person's: a local tile adds "(you)", a screen tile says whose screen it is (a WHIP stream's is its name alone). */
  constructor(name: string, readonly kind: TileKind, onPin: (tile: Tile) => void) {
    this.pin = h('button', { type: 'button', class: 'tile-button icon-only', 'aria-pressed': 'false' }, icon('pin'));
    this.fullscreen = h('button', { type: 'button', class: 'tile-button icon-only' }, icon('fullscreen'));
    this.pin.addEventListener('click', () => onPin(this));
    this.fullscreen.addEventListener('click', () => void this.toggleFullscreen());
    this.root = h(
      'div',
      { class: `tile ${kind}`, role: 'group' },
      this.video,
      this.audio,
      this.avatar,
      h('div', { class: 'tile-tools' }, this.pin, this.fullscreen),
      h('div', { class: 'caption' }, this.phone, this.stream, this.micOff, this.hand, this.nameLabel),
    );
    this.root.addEventListener('fullscreenchange', () => this.refreshFullscreen());
    this.setName(name);
    this.setPinned(false);
    this.refreshFullscreen();
  }

  setName(name: string): void {
    if (name === this.name) return;
    this.name = name;
    this.relabel();
  }

  /** A stream published over WHIP: what it sends is the whole of it, so its screen tile is its name alone, with a broadcast badge. */
  setStream(stream: boolean): void {
    if (stream === !this.stream.hidden) return;
    this.stream.hidden = !stream;
    this.relabel();
  }

  private relabel(): void {
    const name = this.name ?? '';
    const label = this.kind === 'local' ? t.tiles.you(name) : this.kind === 'screen' && this.stream.hidden ? t.tiles.screenOf(name) : name;
    this.label = label;
    this.root.setAttribute('aria-label', label);
    this.nameLabel.textContent = label;
    this.nameLabel.title = label;
    this.drawAvatar();
    this.root.style.setProperty('--hue', String(hueOf(name)));
    this.setPinned(this.pin.getAttribute('aria-pressed') === 'true');
    this.refreshFullscreen();
  }

  setPinned(pinned: boolean): void {
    this.pin.setAttribute('aria-pressed', String(pinned));
    const name = pinned ? t.tiles.unpin(this.label) : t.tiles.pin(this.label);
    this.pin.setAttribute('aria-label', name);
    this.pin.title = name;
    setIcon(this.pin, pinned ? 'unpin' : 'pin');
    this.root.classList.toggle('pinned', pinned);
  }

  setSpeaking(speaking: boolean): void {
    this.root.classList.toggle('speaking', speaking);
    this.root.dataset['speaking'] = String(speaking);
  }

  setHandRaised(raised: boolean): void {
    this.hand.hidden = !raised;
  }

  /** Someone on the phone: a phone icon where the initials would be, and a badge that says so. */
  setPhone(phone: boolean): void {
    if (phone === !this.phone.hidden) return;
    this.phone.hidden = !phone;
    this.drawAvatar();
  }

  setMicOff(off: boolean): void {
    this.micOff.hidden = !off;
  }

  setLocalStream(stream: MediaStream | null): void {
    this.video.srcObject = stream;
    this.setTrackOff(!stream?.getVideoTracks().length);
  }

  /** What the meeting state says of this person's camera. */
  setCameraOff(off: boolean): void {
    this.noVideo.state = off;
    this.root.classList.toggle('camera-off', this.noVideo.state || this.noVideo.track);
  }

  /** A screen tile's avatar stands for the person sharing it. */
  private drawAvatar(): void {
    if (!this.phone.hidden) this.avatar.replaceChildren(icon('phone'));
    else if (!this.stream.hidden) this.avatar.replaceChildren(icon('broadcast'));
    else this.avatar.textContent = initials(this.name ?? '');
  }

  private setTrackOff(off: boolean): void {
    this.noVideo.track = off;
    this.setCameraOff(this.noVideo.state);
  }

  /** Plays a remote track; a video track follows the tile's size. */
  attach(remote: RemoteTrack, show: ShowConsumer): void {
    if (remote.track.kind === 'audio') {
      this.audio.srcObject = new MediaStream([remote.track]);
      if (remote.source === 'mic') this.setMicOff(remote.paused);
      return;
    }
    this.video.srcObject = new MediaStream([remote.track]);
    this.setTrackOff(remote.paused);
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
    if (remote.track.kind === 'audio') {
      if (remote.source === 'mic') this.setMicOff(remote.paused);
    } else this.setTrackOff(remote.paused);
  }

  detach(remote: RemoteTrack): void {
    if (remote.track.kind === 'audio') {
      this.audio.srcObject = null;
      return;
    }
    this.observer?.disconnect();
    this.observer = undefined;
    this.video.srcObject = null;
    this.setTrackOff(true);
  }

  remove(): void {
    this.observer?.disconnect();
    if (document.fullscreenElement === this.root) void document.exitFullscreen().catch(() => {});
    this.root.remove();
  }

  private async toggleFullscreen(): Promise<void> {
    try {
      if (document.fullscreenElement === this.root) await document.exitFullscreen();
      else await this.root.requestFullscreen();
    } catch {
      // Refused (no user gesture, or not allowed here): the tile just stays where it is.
    }
  }

  private refreshFullscreen(): void {
    const on = document.fullscreenElement === this.root;
    const name = on ? t.tiles.exitFullScreen : t.tiles.fullScreen(this.label);
    this.fullscreen.setAttribute('aria-label', name);
    this.fullscreen.title = name;
    setIcon(this.fullscreen, on ? 'exitFullscreen' : 'fullscreen');
    this.fullscreen.hidden = !document.fullscreenEnabled;
  }
}
