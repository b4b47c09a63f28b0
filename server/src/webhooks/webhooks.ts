/**
 * Signed webhooks: `send(event)` turns an event into a delivery body (id,
 * type, time, node, sequence, data), spools it for each configured URL and
 * returns at once; each URL's DeliveryQueue then POSTs it in order, signed
 * (signature.ts), retrying with backoff. Nothing here throws at the caller or
 * waits for a receiver. docs/webhooks.md is the receiver's side.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { DeliveryQueue, describeUrl, type DeliveryPolicy, type LostReason } from './delivery-queue.js';
import { redactStreamTarget, type WebhookDelivery, type WebhookEvent } from './events.js';
import { Spool } from './spool.js';

export interface WebhooksOptions {
  urls: readonly string[];
  /** Signs every delivery (PARLEY_WEBHOOK_SECRET). */
  secret: string;
  /** Names this node in every delivery. */
  nodeId: string;
  /** Where undelivered events wait, across restarts: one spool per URL. Only this process may use it. */
  spoolDir: string;
  logger: FastifyBaseLogger;
  /** Called for each event given up (refused, too old, or dropped from a full queue), e.g. to count it. */
  onLost?: (reason: LostReason) => void;
  /** First wait after a failure; doubles with each failure up to maxBackoffMs. Default 1 s. */
  initialBackoffMs?: number;
  /** Default 5 minutes. */
  maxBackoffMs?: number;
  /** Default 10 s. */
  requestTimeoutMs?: number;
  /** A delivery still failing this long after its event is given up. Default 24 h. */
  maxAgeMs?: number;
  /** Deliveries queued per URL; past it the oldest is dropped. Default 10,000. */
  maxQueue?: number;
}

/** The spooled file that holds the last sequence number this node used. */
const SEQUENCE_FILE = 'sequence';

export class Webhooks {
  private readonly queues: DeliveryQueue[] = [];
  private readonly sequenceFile: string;
  private sequence: number;

  constructor(private readonly options: WebhooksOptions) {
    const { spoolDir, logger } = options;
    mkdirSync(spoolDir, { recursive: true });
    this.sequenceFile = path.join(spoolDir, SEQUENCE_FILE);
    const policy: DeliveryPolicy = {
      secret: options.secret,
      initialBackoffMs: options.initialBackoffMs ?? 1_000,
      maxBackoffMs: options.maxBackoffMs ?? 5 * 60_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      maxAgeMs: options.maxAgeMs ?? 24 * 3600_000,
      maxQueue: options.maxQueue ?? 10_000,
      logger,
      onLost: options.onLost ?? (() => {}),
    };
    let highest = this.readSequence();
    for (const url of options.urls) {
      const onDamaged = (line: string) => logger.warn({ webhook: describeUrl(url), line: line.slice(0, 200) }, 'skipped a damaged line of the webhook spool');
      const { spool, pending } = Spool.open(spoolDir, url, onDamaged);
      for (const delivery of pending) highest = Math.max(highest, delivery.sequence);
      this.queues.push(new DeliveryQueue(url, spool, pending, policy));
    }
    this.sequence = highest;
  }

  /** Queues `event` for every URL. Never throws and never waits: failures are logged. */
  send(event: WebhookEvent): void {
    try {
      const delivery: WebhookDelivery = {
        id: randomUUID(),
        type: event.type,
        createdAt: new Date().toISOString(),
        node: this.options.nodeId,
        sequence: this.nextSequence(),
        data: event.type === 'stream.started' ? { ...event.data, target: redactStreamTarget(event.data.target) } : event.data,
      };
      const body = JSON.stringify(delivery);
      const spooled = { id: delivery.id, type: delivery.type, createdAtMs: Date.parse(delivery.createdAt), sequence: delivery.sequence, body };
      for (const queue of this.queues) queue.push(spooled);
    } catch (error) {
      this.options.logger.error({ err: error, eventType: event.type }, 'could not queue a webhook event');
    }
  }

  /** Deliveries queued, over all URLs. */
  pending(): number {
    return this.queues.reduce((sum, queue) => sum + queue.size, 0);
  }

  /** Waits until every queue is empty or `timeoutMs` passes; true if all was delivered (or given up). */
  async flush(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const idle = Promise.all(this.queues.map((queue) => queue.idle())).then(() => true as const);
    try {
      return await Promise.race([idle, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops delivering (timers and requests in flight); what is left stays spooled for the next start. */
  close(): void {
    for (const queue of this.queues) queue.close();
  }

  private readSequence(): number {
    try {
      const value = Number(readFileSync(this.sequenceFile, 'utf8').trim());
      return Number.isSafeInteger(value) && value > 0 ? value : 0;
    } catch {
      return 0;
    }
  }

  /** The next sequence number, persisted so that a restart under the same node name goes on counting up. */
  private nextSequence(): number {
    this.sequence++;
    try {
      writeFileSync(`${this.sequenceFile}.tmp`, String(this.sequence));
      renameSync(`${this.sequenceFile}.tmp`, this.sequenceFile);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not save the webhook sequence number');
    }
    return this.sequence;
  }
}
