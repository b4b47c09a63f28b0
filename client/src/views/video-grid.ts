/**
 * The videos: a stage for screen shares and a grid of camera tiles, this
 * tab's own first until someone speaks; the loudest speaker's tile then
 * moves to the front. Tiles follow the meeting state (keyed by peer id);
 * remote tracks are attached as the media session delivers them.
 */
import { h } from '../dom.js';
import type { RemoteTrack } from '../media/media-session.js';
import type { MeetingState } from '../meeting/state.js';
import { Tile, type ShowConsumer } from './tile.js';

export class VideoGrid {
  readonly stage = h('section', { class: 'stage', 'aria-label': 'Screen shares' });
  readonly grid = h('section', { class: 'grid', 'aria-label': 'Participants video' });
  private readonly local: Tile;
  private readonly cameraTiles = new Map<string, Tile>();
  private readonly screenTiles = new Map<string, Tile>();
  private state: MeetingState | undefined;

  constructor(displayName: string, stream: MediaStream | undefined) {
    this.local = new Tile(`${displayName} (you)`, 'local');
    this.local.setLocalStream(stream ?? null);
    this.grid.append(this.local.root);
  }

  render(state: MeetingState): void {
    const previous = this.state;
    this.state = state;
    for (const [peerId, tile] of this.cameraTiles) {
      if (state.peers.has(peerId)) continue;
      tile.remove();
      this.cameraTiles.delete(peerId);
      this.removeScreen(peerId);
    }
    for (const peer of state.peers.values()) {
      let tile = this.cameraTiles.get(peer.id);
      if (!tile) {
        tile = new Tile(peer.displayName, 'camera');
        this.cameraTiles.set(peer.id, tile);
        this.grid.append(tile.root);
      }
      tile.setHandRaised(peer.handRaised);
    }
    this.local.setCameraOff(!state.self.sending.includes('camera'));
    if (state.speakers === previous?.speakers) return;
    this.local.setSpeaking(state.speakers.includes(state.self.id));
    for (const [peerId, tile] of this.cameraTiles) tile.setSpeaking(state.speakers.includes(peerId));
    const loudest = state.speakers[0] && this.cameraTiles.get(state.speakers[0]);
    if (loudest) this.grid.insertBefore(loudest.root, this.grid.firstChild);
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
      const name = this.state?.peers.get(remote.peerId)?.displayName ?? 'Someone';
      tile = new Tile(`${name}'s screen`, 'screen');
      this.screenTiles.set(remote.peerId, tile);
      this.stage.append(tile.root);
    }
    return tile;
  }

  private removeScreen(peerId: string): void {
    this.screenTiles.get(peerId)?.remove();
    this.screenTiles.delete(peerId);
  }
}
