/**
 * The videos. Without a screen share or a pinned tile, every camera tile is
 * in one grid whose columns and rows are chosen from the number of tiles
 * and the shape of the space (16:9 tiles, as large as fit). A screen share,
 * or a tile someone pinned, goes on the stage, big, and the other tiles
 * move to a strip under it; the strip has a height of its own, so it never
 * slides under the controls.
 *
 * A stream published over WHIP (OBS, an encoder) sends a screen and its
 * sound only: it has its screen tile, named by its label, and no camera tile.
 *
 * Tiles are keyed (this tab, a camera per peer, a screen per peer) and
 * updated in place: speaker changes only toggle classes, so no tile is
 * rebuilt or moved and focus inside a tile survives them. When tiles do
 * not all fit (a long strip, a very large meeting), the loudest speaker is
 * drawn first by CSS order, again without moving anything in the DOM.
 */
import type { MediaSource, PeerInfo } from '@protocol/messages';
import { h } from '../dom.js';
import type { RemoteTrack } from '../media/media-session.js';
import type { MeetingState } from '../meeting/state.js';
import { fitGrid } from './layout.js';
import { Tile, type ShowConsumer } from './tile.js';
import { t } from '../strings/index.js';

const GAP = 8;
/** Below this a tile's name and picture stop being useful: the grid scrolls instead. */
const MIN_TILE_WIDTH = 150;

const hasLive = (peer: PeerInfo, source: MediaSource) =>
  peer.producers.some((producer) => producer.source === source && !producer.paused);

export class VideoGrid {
  readonly stage = h('section', { class: 'stage', 'aria-label': t.tiles.screens });
  readonly grid = h('section', { class: 'grid', 'aria-label': t.tiles.grid });
  /** The whole video area: the stage above, the grid (or strip) below. */
  readonly root = h('div', { class: 'videos' }, this.stage, this.grid);
  private readonly local: Tile;
  private readonly cameraTiles = new Map<string, Tile>();
  private readonly screenTiles = new Map<string, Tile>();
  private pinned: Tile | undefined;
  private state: MeetingState | undefined;
  private frame = 0;

  constructor(displayName: string, stream: MediaStream | undefined) {
    this.local = new Tile(displayName, 'local', (tile) => this.togglePin(tile));
    this.local.setLocalStream(stream ?? null);
    this.grid.append(this.local.root);
    new ResizeObserver(() => this.scheduleLayout()).observe(this.root);
    this.place();
  }

  /** This person's own camera, shown in their tile. */
  setLocalStream(stream: MediaStream | undefined): void {
    this.local.setLocalStream(stream ?? null);
  }

  render(state: MeetingState): void {
    const previous = this.state;
    this.state = state;
    let changed = false;
    // A webinar's attendees send nothing: they have no tile (the panel sees them in the people panel); a WHIP stream has its screen tile only.
    const hasTile = (peerId: string) => {
      const peer = state.peers.get(peerId);
      return peer !== undefined && peer.role !== 'attendee' && !peer.stream;
    };
    for (const [peerId, tile] of this.cameraTiles) {
      if (hasTile(peerId)) continue;
      this.drop(tile);
      this.cameraTiles.delete(peerId);
      changed = true;
    }
    for (const peerId of this.screenTiles.keys()) if (!state.peers.has(peerId)) this.removeScreen(peerId);
    for (const peer of state.peers.values()) {
      const screen = this.screenTiles.get(peer.id);
      screen?.setName(peer.displayName);
      screen?.setStream(peer.stream === true);
      if (peer.stream || peer.role === 'attendee') continue;
      let tile = this.cameraTiles.get(peer.id);
      if (!tile) {
        tile = new Tile(peer.displayName, 'camera', (pinned) => this.togglePin(pinned));
        this.cameraTiles.set(peer.id, tile);
        changed = true;
      }
      tile.setName(peer.displayName);
      tile.setPhone(peer.phone === true);
      tile.setHandRaised(peer.handRaised);
      tile.setCameraOff(!hasLive(peer, 'camera'));
      tile.setMicOff(!hasLive(peer, 'mic'));
    }
    // An attendee is not on stage: no tile of their own either.
    if (this.local.root.hidden !== (state.self.role === 'attendee')) {
      this.local.root.hidden = state.self.role === 'attendee';
      changed = true;
    }
    if (changed) this.place();
    this.local.setCameraOff(!state.self.sending.includes('camera'));
    this.local.setMicOff(!state.self.sending.includes('mic'));
    this.local.setHandRaised(state.self.handRaised);
    if (state.speakers === previous?.speakers) return;
    const loudest = state.speakers[0];
    this.local.setSpeaking(state.speakers.includes(state.self.id));
    this.local.root.classList.toggle('dominant', loudest !== undefined && loudest === state.self.id);
    for (const [peerId, tile] of this.cameraTiles) {
      tile.setSpeaking(state.speakers.includes(peerId));
      tile.root.classList.toggle('dominant', peerId === loudest);
    }
  }

  trackAdded(remote: RemoteTrack, show: ShowConsumer): Tile | undefined {
    const tile = this.tileFor(remote);
    tile?.attach(remote, show);
    return tile;
  }

  trackPaused(remote: RemoteTrack): void {
    this.tileFor(remote)?.update(remote);
  }

  trackRemoved(remote: RemoteTrack): void {
    if (remote.source === 'screen') return this.removeScreen(remote.peerId);
    const tile = remote.source === 'screen-audio' ? this.screenTiles.get(remote.peerId) : this.cameraTiles.get(remote.peerId);
    tile?.detach(remote);
  }

  private tileFor(remote: RemoteTrack): Tile | undefined {
    if (remote.source === 'mic' || remote.source === 'camera') return this.cameraTiles.get(remote.peerId);
    let tile = this.screenTiles.get(remote.peerId);
    if (!tile) {
      const peer = this.state?.peers.get(remote.peerId);
      tile = new Tile(peer?.displayName ?? t.tiles.someone, 'screen', (pinned) => this.togglePin(pinned));
      tile.setStream(peer?.stream === true);
      this.screenTiles.set(remote.peerId, tile);
      this.place();
    }
    return tile;
  }

  private removeScreen(peerId: string): void {
    const tile = this.screenTiles.get(peerId);
    if (!tile) return;
    this.drop(tile);
    this.screenTiles.delete(peerId);
    this.place();
  }

  private drop(tile: Tile): void {
    if (this.pinned === tile) this.pinned = undefined;
    tile.remove();
  }

  private togglePin(tile: Tile): void {
    const previous = this.pinned;
    this.pinned = previous === tile ? undefined : tile;
    previous?.setPinned(false);
    this.pinned?.setPinned(true);
    this.place();
    // Moving a tile to or from the stage takes focus from its button: give it back.
    tile.pin.focus();
  }

  /**
   * Puts each tile where it belongs: the pinned tile (or else every screen
   * share) on the stage, the rest in the grid in a stable order. Only tiles
   * out of place move, so this runs on joins, leaves, shares and pins only.
   */
  private place(): void {
    const screens = [...this.screenTiles.values()];
    const onStage = this.pinned ? [this.pinned] : screens;
    const local = this.local.root.hidden ? [] : [this.local];
    const inGrid = [...local, ...this.cameraTiles.values(), ...screens].filter((tile) => !onStage.includes(tile));
    arrange(this.stage, onStage);
    arrange(this.grid, inGrid);
    const label = onStage.every((tile) => tile.kind === 'screen') ? t.tiles.screens : t.tiles.pinned;
    if (this.stage.getAttribute('aria-label') !== label) this.stage.setAttribute('aria-label', label);
    this.root.classList.toggle('has-stage', onStage.length > 0);
    this.grid.hidden = inGrid.length === 0;
    this.scheduleLayout();
  }

  private scheduleLayout(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.layout();
    });
  }

  /**
   * Sizes the tiles for the space there is now. With a stage on a wide
   * area the others go in a strip under it; on a tall (portrait) area the
   * stage takes the height its 16:9 content needs, at most half, and the
   * others share the rest as a grid, since a strip would leave most of a
   * phone's screen empty.
   */
  private layout(): void {
    if (!this.root.isConnected) return;
    const stageTiles = this.stage.children.length;
    const [width, height] = inner(this.root);
    const portrait = stageTiles > 0 && height > width && !this.grid.hidden;
    this.grid.classList.toggle('strip', stageTiles > 0 && !portrait);
    let stageHeight = '';
    if (portrait) {
      const fit = fitGrid(stageTiles, width, height / 2, GAP);
      stageHeight = `0 0 ${fit.rows * fit.height + GAP * (fit.rows - 1)}px`;
    }
    if (this.stage.style.flex !== stageHeight) this.stage.style.flex = stageHeight;
    if (stageTiles > 0) size(this.stage, fitGrid(stageTiles, ...inner(this.stage), GAP));
    if (!this.grid.classList.contains('strip')) {
      size(this.grid, fitGrid(this.grid.children.length, ...inner(this.grid), GAP, 16 / 9, MIN_TILE_WIDTH));
    }
    const overflowing = this.grid.scrollWidth > this.grid.clientWidth + 1 || this.grid.scrollHeight > this.grid.clientHeight + 1;
    this.grid.classList.toggle('overflowing', overflowing);
    // A region that scrolls must be reachable by keyboard.
    if (overflowing) this.grid.setAttribute('tabindex', '0');
    else this.grid.removeAttribute('tabindex');
  }
}

/** Makes `container`'s tiles exactly `tiles`, in that order, moving only those out of place. */
function arrange(container: HTMLElement, tiles: Tile[]): void {
  tiles.forEach((tile, index) => {
    const at = container.children[index];
    if (at !== tile.root) container.insertBefore(tile.root, at ?? null);
  });
  while (container.children.length > tiles.length) container.lastElementChild!.remove();
}

/** The content box of `element`: its size without padding. */
function inner(element: HTMLElement): [number, number] {
  const style = getComputedStyle(element);
  const width = element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const height = element.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  return [Math.max(0, width), Math.max(0, height)];
}

function size(container: HTMLElement, fit: { width: number; height: number; columns: number }): void {
  container.style.setProperty('--tile-w', `${fit.width}px`);
  container.style.setProperty('--tile-h', `${fit.height}px`);
  container.dataset['columns'] = String(fit.columns);
}
