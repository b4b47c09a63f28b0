/**
 * Follows a meeting for the recorder and the live stream: who is there
 * under which name (through the roster, as a participant would hear it),
 * and a MediaTap on every producer, this node's or piped in from another,
 * as soon as it is available here. When the room's first router dies, its
 * taps die with it and everything is tapped again on the new one.
 */
import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type { Meeting } from '../meeting/meeting.js';
import type { PeerInfo } from '../protocol/messages.js';
import { MediaTap, type TapSource } from './media-tap.js';

export interface MeetingTapsEvents {
  person: [peerId: string, name: string];
  left: [peerId: string];
  tap: [tap: MediaTap];
}

export class MeetingTaps extends EventEmitter<MeetingTapsEvents> {
  readonly names = new Map<string, string>();
  private readonly taps = new Map<string, MediaTap>();
  /** Producers known from the people's info but not (yet) available here. */
  private readonly pending = new Map<string, TapSource>();
  /** Producers being tapped now, so two events cannot tap one twice. */
  private readonly tapping = new Set<string>();
  private readonly cleanups: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly meeting: Meeting,
    private readonly logger: FastifyBaseLogger,
  ) {
    super();
  }

  /** Starts following; listeners should be attached first. */
  start(): void {
    const { meeting } = this;
    this.everyone();
    this.cleanups.push(
      meeting.roster.observe((method, data) => {
        if (method === 'peerJoined' || method === 'peerUpdated') this.person((data as { peer: PeerInfo }).peer);
        else if (method === 'peerLeft') this.left((data as { peerId: string }).peerId);
      }),
    );
    const retry = () => this.tapPending();
    const again = () => this.everyone();
    meeting.media.on('pipedAdded', retry);
    meeting.media.on('producerAdded', retry);
    meeting.media.on('primaryReplaced', again);
    this.cleanups.push(() => {
      meeting.media.off('pipedAdded', retry);
      meeting.media.off('producerAdded', retry);
      meeting.media.off('primaryReplaced', again);
    });
  }

  /** The taps open now. */
  open(): MediaTap[] {
    return [...this.taps.values()];
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const cleanup of this.cleanups) cleanup();
    for (const tap of this.taps.values()) tap.close();
    this.taps.clear();
  }

  private everyone(): void {
    for (const info of this.meeting.roster.infos((peer) => this.meeting.info(peer))) this.person(info);
  }

  private person(info: PeerInfo): void {
    if (this.stopped) return;
    if (this.names.get(info.id) !== info.displayName) {
      this.names.set(info.id, info.displayName);
      this.emit('person', info.id, info.displayName);
    }
    for (const producer of info.producers) {
      if (this.taps.has(producer.id) || this.pending.has(producer.id)) continue;
      this.pending.set(producer.id, { producerId: producer.id, peerId: info.id, source: producer.source });
    }
    this.tapPending();
  }

  private left(peerId: string): void {
    if (this.stopped || !this.names.delete(peerId)) return;
    this.emit('left', peerId);
    for (const [producerId, source] of this.pending) if (source.peerId === peerId) this.pending.delete(producerId);
  }

  private tapPending(): void {
    for (const source of [...this.pending.values()]) {
      this.tap(source).catch((error: unknown) => this.logger.warn({ err: error, producerId: source.producerId }, 'could not take a stream'));
    }
  }

  private async tap(source: TapSource): Promise<void> {
    if (this.tapping.has(source.producerId)) return;
    this.tapping.add(source.producerId);
    try {
      const producer = await this.meeting.media.inPrimary(source.producerId);
      if (!producer || this.stopped || !this.pending.has(source.producerId)) return;
      this.pending.delete(source.producerId);
      const tap = await MediaTap.open(this.meeting.media.router, producer, source);
      if (!tap) return;
      if (this.stopped) return tap.close();
      this.taps.set(source.producerId, tap);
      tap.once('closed', () => {
        if (this.taps.get(source.producerId) === tap) this.taps.delete(source.producerId);
      });
      this.emit('tap', tap);
    } finally {
      this.tapping.delete(source.producerId);
    }
  }
}
