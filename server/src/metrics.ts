/**
 * Prometheus metrics (prom-client), served at GET /metrics. Gauges are read
 * from the live state when scraped; the histograms and the error counter are
 * fed as things happen.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RoomManager } from './rooms/room-manager.js';
import type { WorkerPool } from './rtc/worker-pool.js';

export class Metrics {
  readonly registry = new Registry();
  readonly joinDuration = new Histogram({
    name: 'parley_join_duration_seconds',
    help: 'From a signalling connection opening to its peer being in the meeting, measured on the server.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
  readonly timeToFirstMedia = new Histogram({
    name: 'parley_time_to_first_media_seconds',
    help: 'From opening the meeting link to the first decoded remote video frame, reported by browsers.',
    buckets: [0.5, 1, 2, 3, 5, 8, 13, 21, 60],
    registers: [this.registry],
  });
  readonly signallingErrors = new Counter({
    name: 'parley_signalling_errors_total',
    help: 'Signalling requests answered with an error, by error code.',
    labelNames: ['code'],
    registers: [this.registry],
  });

  constructor(rooms: () => RoomManager | undefined, pool: () => WorkerPool | undefined) {
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_node_' });
    const liveRooms = async () => (await rooms()?.liveRooms()) ?? [];
    const count = (name: string, help: string, measure: (room: Awaited<ReturnType<typeof liveRooms>>[number]) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          this.set((await liveRooms()).reduce((sum, room) => sum + measure(room), 0));
        },
      });
    count('parley_rooms', 'Rooms with at least one peer on this node.', () => 1);
    count('parley_peers', 'Peers in a meeting on this node.', (room) => room.joinedPeers().length);
    count('parley_lobby_peers', 'Peers waiting in a lobby on this node.', (room) => room.waitingPeers().length);
    count('parley_producers', 'Producers of peers on this node.', (room) =>
      room.joinedPeers().reduce((sum, peer) => sum + peer.producers.size, 0),
    );
    count('parley_consumers', 'Consumers of peers on this node.', (room) =>
      room.joinedPeers().reduce((sum, peer) => sum + peer.consumers.size, 0),
    );
    const usage = async () =>
      Promise.all((pool()?.liveWorkers() ?? []).map(async (worker) => ({ pid: String(worker.pid), usage: await worker.getResourceUsage() })));
    new Gauge({
      name: 'parley_worker_cpu_seconds',
      help: 'CPU time (user + system) used by each mediasoup worker.',
      labelNames: ['pid'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { pid, usage: ru } of await usage()) this.set({ pid }, (ru.ru_utime + ru.ru_stime) / 1000);
      },
    });
    new Gauge({
      name: 'parley_worker_max_rss_bytes',
      help: 'Peak resident memory of each mediasoup worker.',
      labelNames: ['pid'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { pid, usage: ru } of await usage()) this.set({ pid }, ru.ru_maxrss * 1024);
      },
    });
  }
}
