/**
 * The capacity benchmark's receivers. They join in groups; each group's
 * media must flow before the next group joins (a receiver still silent after
 * a minute is replaced, saying why), and in 'native' mode the group's
 * sockets then go to a counter process of their own, so Node never counts
 * more than one group's packets: counting hundreds of receivers' headers in
 * Node saturates its event loop, which starves the next joins.
 */
import { Bot } from '../load/bot.js';
import { RtpCounterProcess } from '../load/rtp-counter-process.js';
import { waitUntil } from '../../server/testkit/wait.js';
import type { CapacitySettings } from './capacity-settings.js';

export const CONSUMERS_PER_RECEIVER = 2;

export interface ReceiverShape {
  /** Streams each receiver gets once media flows; CONSUMERS_PER_RECEIVER unless said. */
  streams?: number;
  /** Receivers are named this followed by a number; 'r' unless said. */
  namePrefix?: string;
}
/** Receivers per group, so per counter process. */
const GROUP = 100;
/** Joining and connecting receivers is slow on a busy machine; a receiver still without media after this is replaced. */
const MEDIA_FLOWING_TIMEOUT_MS = 60_000;
const REPLACEMENT_ROUNDS = 3;

export class ReceiverPool {
  readonly receivers: Bot[] = [];
  private readonly counterProcesses: RtpCounterProcess[] = [];
  private joined = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly roomId: string,
    private readonly settings: Pick<CapacitySettings, 'receive' | 'joinConcurrency'>,
    private readonly shape: ReceiverShape = {},
  ) {}

  /** The counter processes, and how to bring the receivers' counts up to date, for a measurement window. */
  readonly counters = {
    pids: () => this.counterProcesses.map((counter) => counter.pid),
    refresh: async () => {
      await Promise.all(this.counterProcesses.map((counter) => counter.report()));
    },
  };

  async fillTo(wanted: number): Promise<void> {
    while (this.receivers.length < wanted) {
      const group = await this.joinGroup(Math.min(GROUP, wanted - this.receivers.length));
      if (this.settings.receive === 'native') this.counterProcesses.push(await RtpCounterProcess.start(group.flatMap((bot) => bot.tapped)));
      this.receivers.push(...group);
    }
  }

  close(): void {
    for (const counter of this.counterProcesses) counter.stop();
    for (const bot of this.receivers) bot.close();
  }

  private async joinGroup(size: number): Promise<Bot[]> {
    // 'native' receivers count headers in Node until they are handed to a counter process.
    const receive = this.settings.receive === 'native' ? 'headers' : this.settings.receive;
    const group: Bot[] = [];
    for (let round = 1; ; round++) {
      while (group.length < size) {
        const batch = Math.min(this.settings.joinConcurrency, size - group.length);
        const names = Array.from({ length: batch }, () => `${this.shape.namePrefix ?? 'r'}${this.joined++}`);
        group.push(...(await Promise.all(names.map((name) => Bot.join({ baseUrl: this.baseUrl, roomId: this.roomId, name, publish: false, subscribe: true, receive })))));
      }
      const streams = this.shape.streams ?? CONSUMERS_PER_RECEIVER;
      const silent = () => group.filter((bot) => [...bot.received.values()].filter((stream) => stream.packets > 0).length < streams);
      // Waiting in vain is handled below: silent receivers are replaced, a few times at most.
      await waitUntil(async () => silent().length, (count) => count === 0, MEDIA_FLOWING_TIMEOUT_MS, 'media to flow to every receiver').catch(() => {});
      const stuck = silent();
      if (stuck.length === 0) return group;
      const why = stuck
        .map((bot) => `${bot.name}: transport ${bot.recvConnectionState}, ${bot.tapped.length} sockets tapped${bot.consumeFailure ? `, ${bot.consumeFailure.message}` : ''}`)
        .join('; ');
      if (round === REPLACEMENT_ROUNDS) {
        for (const bot of group) bot.close();
        throw new Error(`${stuck.length} receivers got no media within ${MEDIA_FLOWING_TIMEOUT_MS / 1000} s, ${round} rounds running (${why})`);
      }
      console.log(`  ${stuck.length} receivers got no media within ${MEDIA_FLOWING_TIMEOUT_MS / 1000} s (${why}): replacing them`);
      for (const bot of stuck) {
        bot.close();
        group.splice(group.indexOf(bot), 1);
      }
    }
  }
}
