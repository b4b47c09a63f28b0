/**
 * What WHEP players see: the stage of one meeting on this node. The newest
 * screen share (a WHIP stream is one) holds the stage; with none, the
 * active speaker's camera; with nobody speaking yet, the first camera. A
 * change of speaker moves the stage at most every few seconds, so players
 * are not flooded with keyframe waits; a share starting or ending moves it
 * at once.
 */
import { EventEmitter } from 'node:events';
import type { MediaRoom, ProducerEvent } from '../media/media-room.js';

/** The least time between two moves of the stage that only a new speaker asked for. */
const SPEAKER_HOLD_MS = 3_000;

export class Stage extends EventEmitter<{ changed: [] }> {
  /** Screen videos in the order they started: the newest is on stage. */
  private readonly screens: string[] = [];
  private speaker: string | undefined;
  private shown: string | undefined;
  private shownAt = 0;
  private pending: NodeJS.Timeout | undefined;
  private readonly detach: () => void;

  constructor(private readonly media: MediaRoom) {
    super();
    for (const video of media.videos()) if (video.source === 'screen') this.screens.push(video.producerId);
    const added = (event: ProducerEvent) => {
      if (event.source === 'screen') this.screens.push(event.producerId);
      this.update(event.source !== 'screen');
    };
    const closed = () => this.update(false);
    const speakers = (peerIds: string[]) => {
      if (!peerIds[0] || peerIds[0] === this.speaker) return;
      this.speaker = peerIds[0];
      this.update(true);
    };
    media.on('producerAdded', added);
    media.on('pipedAdded', added);
    media.on('producerClosed', closed);
    media.on('speakers', speakers);
    this.detach = () => {
      media.off('producerAdded', added);
      media.off('pipedAdded', added);
      media.off('producerClosed', closed);
      media.off('speakers', speakers);
    };
    this.shown = this.choose();
  }

  /** The video on stage now, if the meeting has any. */
  current(): string | undefined {
    return this.shown;
  }

  /** A viewer found its stage video gone (a piped producer closes without an event here). */
  recheck(): void {
    this.update(false);
  }

  close(): void {
    clearTimeout(this.pending);
    this.detach();
    this.removeAllListeners();
  }

  private choose(): string | undefined {
    const videos = this.media.videos();
    const present = new Set(videos.map((video) => video.producerId));
    for (let index = this.screens.length - 1; index >= 0; index--) {
      if (present.has(this.screens[index]!)) return this.screens[index];
      this.screens.splice(index, 1);
    }
    const cameras = videos.filter((video) => video.source === 'camera');
    return (cameras.find((camera) => camera.peerId === this.speaker) ?? cameras[0])?.producerId;
  }

  /** Moves the stage to what `choose` says; a move only a speaker asked for waits out the hold. */
  private update(bySpeaker: boolean): void {
    const next = this.choose();
    if (next === this.shown) return;
    const wait = this.shownAt + SPEAKER_HOLD_MS - performance.now();
    const shownStillThere = this.shown !== undefined && this.media.videos().some((video) => video.producerId === this.shown);
    if (bySpeaker && shownStillThere && wait > 0) {
      this.pending ??= setTimeout(() => {
        this.pending = undefined;
        this.update(false);
      }, wait);
      return;
    }
    clearTimeout(this.pending);
    this.pending = undefined;
    this.shown = next;
    this.shownAt = performance.now();
    this.emit('changed');
  }
}
