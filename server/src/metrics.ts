/**
 * Prometheus metrics (prom-client), served at GET /metrics. Gauges are read
 * from the live state when scraped; the histograms and the counters are fed
 * as things happen.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * How often the event-loop delay histogram samples the loop. prom-client's
 * default, 10 ms, wakes the process 100 times a second even when it has
 * nothing to do: under the forwarding benchmark that was nearly all of the
 * Node process's CPU (3.4 ms a second, a seventh of what its mediasoup
 * worker spent forwarding 24 streams). Ten samples a second between scrapes
 * still show a loop that is falling behind; a stall shorter than the
 * interval is caught only when a sample falls inside it.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

/** What this node serves now, counted when scraped. */
export interface NodeLoad {
  rooms: number;
  peers: number;
  lobbyPeers: number;
  /** Phone calls in a meeting or its lobby. */
  phones: number;
  producers: number;
  consumers: number;
  /** Meetings being recorded and streamed here, and stopped recordings waiting to be finished. */
  recordings: number;
  streams: number;
  recordingsFinishing: number;
}

/** The transports on this node's workers, by type (rtc/transport-census.ts). */
export interface TransportTally {
  counts(): Partial<Record<string, { transports: number; producers: number; consumers: number }>>;
  bytesSent(): Promise<Partial<Record<string, number>>>;
}

export interface WorkerUsage {
  pid: number;
  cpuSeconds: number;
  maxRssBytes: number;
}

export class Metrics {
  readonly registry = new Registry();
  readonly joinDuration = new Histogram({
    name: 'parley_join_duration_seconds',
    help: 'How long the server took to let a peer straight into the meeting, from its join request to the answer.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
  readonly timeToFirstMedia = new Histogram({
    name: 'parley_time_to_first_media_seconds',
    help: 'From opening the meeting link to the first decoded remote video frame, reported by browsers.',
    buckets: [0.5, 1, 2, 3, 5, 8, 13, 21, 60],
    registers: [this.registry],
  });
  readonly firstMediaStage = new Histogram({
    name: 'parley_first_media_stage_seconds',
    help: 'When each stage of a join was reached, from opening the meeting link, reported by browsers with their time to first media.',
    labelNames: ['stage'],
    buckets: [0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 60],
    registers: [this.registry],
  });
  readonly signallingErrors = new Counter({
    name: 'parley_signalling_errors_total',
    help: 'Signalling requests answered with an error, by error code.',
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly webhookEventsLost = new Counter({
    name: 'parley_webhook_events_lost_total',
    help: 'Webhook events given up for one URL, by reason: rejected (a 4xx answer), expired (still failing after 24 h) or overflow (dropped from a full queue).',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  constructor(load: () => Promise<NodeLoad>, workers: () => Promise<WorkerUsage[]>, transports: TransportTally) {
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_node_', eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    const count = (name: string, help: string, measure: keyof NodeLoad) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          this.set((await load())[measure]);
        },
      });
    count('parley_rooms', 'Rooms with at least one peer on this node.', 'rooms');
    count('parley_peers', 'Peers in a meeting on this node.', 'peers');
    count('parley_lobby_peers', 'Peers waiting in a lobby on this node.', 'lobbyPeers');
    count('parley_phone_peers', 'Phone calls in a meeting or its lobby on this node.', 'phones');
    count('parley_producers', 'Producers of peers on this node.', 'producers');
    count('parley_consumers', 'Consumers of peers on this node.', 'consumers');
    count('parley_recordings', 'Meetings being recorded on this node.', 'recordings');
    count('parley_streams', 'Meetings being streamed live from this node.', 'streams');
    count('parley_recordings_finishing', 'Stopped recordings this node has yet to finish (compose); it finishes one at a time.', 'recordingsFinishing');
    const perWorker = (name: string, help: string, measure: 'cpuSeconds' | 'maxRssBytes') =>
      new Gauge({
        name,
        help,
        labelNames: ['pid'],
        registers: [this.registry],
        async collect() {
          this.reset();
          for (const usage of await workers()) this.set({ pid: String(usage.pid) }, usage[measure]);
        },
      });
    perWorker('parley_worker_cpu_seconds', 'CPU time (user + system) used by each mediasoup worker.', 'cpuSeconds');
    perWorker('parley_worker_max_rss_bytes', 'Peak resident memory of each mediasoup worker.', 'maxRssBytes');
    const perTransportType = (name: string, help: string, measure: 'transports' | 'producers' | 'consumers') =>
      new Gauge({
        name,
        help,
        labelNames: ['type'],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const [type, figures] of Object.entries(transports.counts())) this.set({ type }, figures![measure]);
        },
      });
    perTransportType('parley_transports', 'Transports open on this node, by type: webrtc (participants), pipe (one per other node sharing a room), plain (phones, recorders).', 'transports');
    perTransportType('parley_transport_producers', 'Producers on this node, by transport type; on pipe transports, streams arriving from other nodes.', 'producers');
    perTransportType(
      'parley_transport_consumers',
      'Consumers on this node, by transport type; on pipe transports, streams leaving for other nodes: one per stream and node that wants it, however many watch it there.',
      'consumers',
    );
    new Gauge({
      name: 'parley_transport_sent_bytes',
      help: 'Bytes sent so far by the transports open now, by transport type: the node\'s egress. It drops when a transport closes; rate() it only while the set of transports stays.',
      labelNames: ['type'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [type, bytes] of Object.entries(await transports.bytesSent())) this.set({ type }, bytes!);
      },
    });
  }
}
