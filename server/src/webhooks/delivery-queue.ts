/**
 * One webhook URL's queue: deliveries are sent strictly in order, one at a
 * time (the next waits until the one before is delivered or given up), each
 * retried with backoff until it is delivered, refused for good (a 4xx other
 * than 408/429), or older than the maximum age. Everything queued is in the
 * URL's spool first, so a restart picks up where this left off.
 */
import type { FastifyBaseLogger } from 'fastify';
import { backoffDelay, outcomeOf, type AttemptOutcome } from './retry-policy.js';
import { SIGNATURE_HEADER, signatureHeader } from './signature.js';
import type { Spool, SpooledDelivery } from './spool.js';

export type LostReason = 'rejected' | 'expired' | 'overflow';

export interface DeliveryPolicy {
  secret: string;
  initialBackoffMs: number;
  maxBackoffMs: number;
  requestTimeoutMs: number;
  /** A delivery still failing this long after its event happened is given up. */
  maxAgeMs: number;
  /** Past this many queued, the oldest is dropped. */
  maxQueue: number;
  logger: FastifyBaseLogger;
  onLost: (reason: LostReason) => void;
}

/** The URL without what may be secret in it (credentials, query), for logs. */
export function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

export class DeliveryQueue {
  private readonly queue: SpooledDelivery[];
  private readonly target: string;
  /** Failed attempts of the head. */
  private failures = 0;
  private running = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private inFlight: AbortController | undefined;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly url: string,
    private readonly spool: Spool,
    pending: SpooledDelivery[],
    private readonly policy: DeliveryPolicy,
  ) {
    this.target = describeUrl(url);
    this.queue = pending;
    if (pending.length > 0) {
      policy.logger.info({ webhook: this.target, pending: pending.length }, 'webhook deliveries left from before the restart are sent first');
    }
    this.kick();
  }

  get size(): number {
    return this.queue.length;
  }

  /** Queues a delivery (in the spool first); the oldest goes when the queue is full. */
  push(delivery: SpooledDelivery): void {
    try {
      this.spool.append(delivery);
    } catch (error) {
      this.policy.logger.error(
        { err: error, webhook: this.target, eventId: delivery.id },
        'could not spool a webhook event: it is lost if Parley restarts before delivering it',
      );
    }
    this.queue.push(delivery);
    while (this.queue.length > this.policy.maxQueue) {
      const oldest = this.queue[0]!;
      this.inFlight?.abort();
      this.finish(oldest, 'overflow');
    }
    this.kick();
  }

  /** Resolves once nothing is queued. */
  idle(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.inFlight?.abort();
  }

  private kick(): void {
    if (!this.running && !this.retryTimer && !this.closed) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const head = this.queue[0]!;
        const { outcome, status, error } = await this.attempt(head);
        if (this.queue[0] !== head || this.closed) continue; // dropped meanwhile, or closing
        if (outcome === 'delivered') {
          this.finish(head, 'delivered');
        } else if (outcome === 'rejected') {
          this.finish(head, 'rejected', { status });
        } else if (Date.now() - head.createdAtMs >= this.policy.maxAgeMs) {
          this.finish(head, 'expired', { status, err: error, failures: this.failures + 1 });
        } else {
          this.failures++;
          const delayMs = backoffDelay(this.failures, this.policy.initialBackoffMs, this.policy.maxBackoffMs);
          this.policy.logger.warn(
            { webhook: this.target, eventId: head.id, status, err: error, failures: this.failures, retryInMs: delayMs },
            'webhook delivery failed; will retry',
          );
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            this.kick();
          }, delayMs);
          this.retryTimer.unref();
          return;
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** One POST of the head: the outcome, with the answer's status or the error; network errors and timeouts are retried. */
  private async attempt(delivery: SpooledDelivery): Promise<{ outcome: AttemptOutcome; status?: number; error?: unknown }> {
    const inFlight = (this.inFlight = new AbortController());
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Parley-Webhooks',
          'Parley-Event-Id': delivery.id,
          'Parley-Event-Type': delivery.type,
          [SIGNATURE_HEADER]: signatureHeader(this.policy.secret, delivery.body),
        },
        body: delivery.body,
        signal: AbortSignal.any([inFlight.signal, AbortSignal.timeout(this.policy.requestTimeoutMs)]),
      });
      await response.body?.cancel().catch(() => {});
      return { outcome: outcomeOf(response.status), status: response.status };
    } catch (error) {
      return { outcome: 'retry', error };
    } finally {
      if (this.inFlight === inFlight) this.inFlight = undefined;
    }
  }

  /** The head is done: delivered, or given up (logged as an error and counted). */
  private finish(head: SpooledDelivery, how: 'delivered' | LostReason, detail: object = {}): void {
    this.queue.shift();
    this.failures = 0;
    try {
      this.spool.done(head, this.queue);
    } catch (error) {
      this.policy.logger.error({ err: error, webhook: this.target }, 'could not update the webhook spool: a restart may send some events again');
    }
    if (how !== 'delivered') {
      const ageSeconds = Math.round((Date.now() - head.createdAtMs) / 1000);
      this.policy.logger.error(
        { webhook: this.target, eventId: head.id, eventType: head.type, reason: how, ageSeconds, ...detail },
        'webhook event given up: the receiver will not get it',
      );
      this.policy.onLost(how);
    }
    if (this.queue.length === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}
