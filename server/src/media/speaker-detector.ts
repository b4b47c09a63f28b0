/**
 * Who is speaking, from mediasoup's AudioLevelObserver on the room's mic
 * producers. Emits `changed` with peer ids (loudest first) only when the set
 * of speakers changes, so a steady talker costs no signalling.
 */
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';

/**
 * The values the mediasoup demo uses; speech through a browser mic sits well
 * above -80 dBov. Exported so the forwarding benchmark's baseline can run the
 * same observer.
 */
export const AUDIO_LEVEL_OPTIONS = { maxEntries: 8, threshold: -80, interval: 800 } satisfies types.AudioLevelObserverOptions;

export class SpeakerDetector extends EventEmitter<{ changed: [peerIds: string[]] }> {
  private readonly peerOfProducer = new Map<string, string>();
  private current: string[] = [];

  private constructor(private readonly observer: types.AudioLevelObserver) {
    super();
    observer.on('volumes', (volumes) => {
      const peerIds = [...new Set(volumes.map(({ producer }) => this.peerOfProducer.get(producer.id)))];
      this.update(peerIds.filter((peerId): peerId is string => peerId !== undefined));
    });
    observer.on('silence', () => this.update([]));
  }

  static async create(router: types.Router): Promise<SpeakerDetector> {
    const observer = await router.createAudioLevelObserver(AUDIO_LEVEL_OPTIONS);
    return new SpeakerDetector(observer);
  }

  async add(producer: types.Producer, peerId: string): Promise<void> {
    this.peerOfProducer.set(producer.id, peerId);
    producer.observer.once('close', () => {
      this.peerOfProducer.delete(producer.id);
      if (this.current.includes(peerId)) this.update(this.current.filter((id) => id !== peerId));
    });
    await this.observer.addProducer({ producerId: producer.id });
  }

  private update(peerIds: string[]): void {
    const same = peerIds.length === this.current.length && peerIds.every((id, index) => id === this.current[index]);
    if (same) return;
    this.current = peerIds;
    this.emit('changed', peerIds);
  }
}
