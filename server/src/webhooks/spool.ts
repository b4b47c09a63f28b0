/**
 * The durable outbox of one webhook URL: every accepted delivery is appended
 * to `<dir>/<sha256(url) first 16 hex>.jsonl` (one JSON body a line) before
 * it is sent, and `<same>.cursor` names the last one done (delivered or given
 * up), so a restart resumes after it. Done deliveries always form a prefix of
 * the file: the queue only ever finishes its head.
 *
 * The file is emptied when its queue empties, rewritten without its done
 * prefix once that prefix outweighs the rest, and rewritten at start. A
 * cursor whose delivery is no longer in the file therefore means "none of
 * these is done". A crash costs at most a repeat: the cursor is written after
 * a delivery and before any rewrite. A torn last line (a crash mid-write) is
 * skipped with a warning.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A delivery as spooled: its body (sent as is) and what the queue needs to know of it. */
export interface SpooledDelivery {
  id: string;
  type: string;
  createdAtMs: number;
  sequence: number;
  body: string;
}

/** Rewrite the file once this many done lines lead it (and they outnumber the rest). */
const COMPACT_AFTER = 1_000;

export function spoolName(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 16);
}

/** A spooled line's delivery, or undefined if the line is damaged. */
export function parseSpooled(line: string): SpooledDelivery | undefined {
  try {
    const parsed = JSON.parse(line) as { id?: unknown; type?: unknown; createdAt?: unknown; sequence?: unknown };
    const createdAtMs = typeof parsed.createdAt === 'string' ? Date.parse(parsed.createdAt) : NaN;
    if (typeof parsed.id !== 'string' || typeof parsed.type !== 'string' || typeof parsed.sequence !== 'number' || Number.isNaN(createdAtMs)) {
      return undefined;
    }
    return { id: parsed.id, type: parsed.type, createdAtMs, sequence: parsed.sequence, body: line };
  } catch {
    return undefined;
  }
}

/** Writes `content` to `file` whole or not at all (a crash leaves the old file). */
function replaceFile(file: string, content: string): void {
  writeFileSync(`${file}.tmp`, content);
  renameSync(`${file}.tmp`, file);
}

function readIfThere(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

export class Spool {
  /** Done lines at the head of the file. */
  private doneLines = 0;

  private constructor(
    private readonly file: string,
    private readonly cursorFile: string,
  ) {}

  /** The spool of `url` in `dir`, and what it holds that is not yet done, in order; the file is rewritten to hold only that. */
  static open(dir: string, url: string, onDamagedLine: (line: string) => void): { spool: Spool; pending: SpooledDelivery[] } {
    const base = path.join(dir, spoolName(url));
    const spool = new Spool(`${base}.jsonl`, `${base}.cursor`);
    const cursor = readIfThere(spool.cursorFile).trim();
    const deliveries: SpooledDelivery[] = [];
    for (const line of readIfThere(spool.file).split('\n')) {
      if (line === '') continue;
      const delivery = parseSpooled(line);
      if (delivery) deliveries.push(delivery);
      else onDamagedLine(line);
    }
    const pending = deliveries.slice(deliveries.findIndex((delivery) => delivery.id === cursor) + 1);
    replaceFile(spool.file, pending.map((delivery) => `${delivery.body}\n`).join(''));
    return { spool, pending };
  }

  append(delivery: SpooledDelivery): void {
    appendFileSync(this.file, `${delivery.body}\n`);
  }

  /** The queue's head is done; `rest` is what remains queued, in order. */
  done(delivery: SpooledDelivery, rest: readonly SpooledDelivery[]): void {
    replaceFile(this.cursorFile, delivery.id);
    this.doneLines++;
    if (rest.length === 0) {
      writeFileSync(this.file, '');
      this.doneLines = 0;
    } else if (this.doneLines >= COMPACT_AFTER && this.doneLines >= rest.length) {
      replaceFile(this.file, rest.map((queued) => `${queued.body}\n`).join(''));
      this.doneLines = 0;
    }
  }
}
