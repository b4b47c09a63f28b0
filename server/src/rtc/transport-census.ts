/**
 * Every transport on this node's mediasoup workers, followed through
 * mediasoup's observer events, for /metrics: how many there are of each
 * type, the producers and consumers on them, and the bytes they have sent.
 * On 'pipe' transports (to other nodes) a consumer is one stream leaving
 * this node for another and a producer one arriving from another, so these
 * figures show that a stream crosses between two nodes once, however many
 * people watch it on the far side.
 */
import type { types } from 'mediasoup';

export type TransportKind = types.TransportType;

export interface TransportFigures {
  transports: number;
  producers: number;
  consumers: number;
}

interface Followed {
  transport: types.Transport;
  producers: number;
  consumers: number;
}

export class TransportCensus {
  private readonly followed = new Set<Followed>();

  /** Follows the transports of every router `worker` creates from now on. */
  watch(worker: types.Worker): void {
    worker.observer.on('newrouter', (router) => router.observer.on('newtransport', (transport) => this.follow(transport)));
  }

  /** Transports open now, and the producers and consumers on them, by transport type. */
  counts(): Partial<Record<TransportKind, TransportFigures>> {
    const counts: Partial<Record<TransportKind, TransportFigures>> = {};
    for (const { transport, producers, consumers } of this.followed) {
      const figures = (counts[transport.type] ??= { transports: 0, producers: 0, consumers: 0 });
      figures.transports++;
      figures.producers += producers;
      figures.consumers += consumers;
    }
    return counts;
  }

  /** Bytes sent so far by the transports open now, by type (one stats request to the worker per transport). */
  async bytesSent(): Promise<Partial<Record<TransportKind, number>>> {
    const sent: Partial<Record<TransportKind, number>> = {};
    await Promise.all(
      [...this.followed].map(async ({ transport }) => {
        // A transport that closes while asked is left out.
        const stats = (await transport.getStats().catch(() => [])) as types.BaseTransportStats[];
        for (const stat of stats) sent[transport.type] = (sent[transport.type] ?? 0) + stat.bytesSent;
      }),
    );
    return sent;
  }

  private follow(transport: types.Transport): void {
    const entry: Followed = { transport, producers: 0, consumers: 0 };
    this.followed.add(entry);
    transport.observer.once('close', () => this.followed.delete(entry));
    transport.observer.on('newproducer', (producer) => {
      entry.producers++;
      producer.observer.once('close', () => entry.producers--);
    });
    transport.observer.on('newconsumer', (consumer) => {
      entry.consumers++;
      consumer.observer.once('close', () => entry.consumers--);
    });
  }
}
