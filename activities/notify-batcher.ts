// Group commit for notifications: the notify activities that run at the same time in one worker
// (a burst of reminders falling due together, as on polling day) share one transaction and one
// multi-row insert instead of one transaction each.
import type { DataSource } from 'typeorm';
import { isDigestible } from './notification-digests';
import { notifyMany, NotifyInput, NotifyResult } from './notifications';

interface Waiting {
  input: NotifyInput;
  resolve: (result: NotifyResult) => void;
  reject: (error: unknown) => void;
}

export interface NotifyBatcherOptions {
  /** most due events in one transaction */
  maxBatch?: number;
  /** most batch transactions under way at once; further events wait and go in the next batch */
  maxInFlight?: number;
  /**
   * how long an event waits for others to join its batch before it is written, in ms. 0 (the
   * default): only what arrives in the same turn of the event loop, or while both batches are
   * being written, joins it, so a lone event is written at once.
   */
  waitMs?: number;
  /**
   * how long, in ms, a digest-able due event (activities/notification-digests.ts) is held for
   * others to the same people, which then share one digest notification per recipient. The
   * window opens with the first such event and closes after this long, or once `maxBatch`
   * events are held. 0 or absent (the default): no digests; each due event is its own notice.
   */
  digestWindowMs?: number;
}

/**
 * While fewer than `maxInFlight` batches are being written, an event is written at once (with
 * whatever else arrived in the same turn of the event loop); otherwise it waits for a batch to
 * finish and goes in the next one (or, with `waitMs`, waits that long for company first). So a
 * lone reminder is not delayed, and a burst is written in batches that grow with the backlog. Each caller gets its own event's result. If a batch fails,
 * each of its events is tried again on its own, so one bad event fails only its own activity.
 */
export class NotifyBatcher {
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly waitMs: number;
  private readonly digestWindowMs: number;
  private pending: Waiting[] = [];
  /** digest-able events held until the digest window closes */
  private held: Waiting[] = [];
  private digestWindow: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private scheduled = false;
  /** batches written and events in them, for the logs and the benchmarks */
  readonly stats = { batches: 0, events: 0, largest: 0, fallbacks: 0 };

  constructor(
    private readonly db: DataSource,
    options: NotifyBatcherOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 100;
    this.maxInFlight = options.maxInFlight ?? 2;
    this.waitMs = options.waitMs ?? 0;
    this.digestWindowMs = options.digestWindowMs ?? 0;
  }

  submit(input: NotifyInput): Promise<NotifyResult> {
    return new Promise<NotifyResult>((resolve, reject) => {
      if (this.digestWindowMs > 0 && isDigestible(input)) {
        this.held.push({ input, resolve, reject });
        if (this.held.length >= this.maxBatch) this.closeDigestWindow();
        else this.digestWindow ??= setTimeout(() => this.closeDigestWindow(), this.digestWindowMs);
        return;
      }
      this.pending.push({ input, resolve, reject });
      this.schedule();
    });
  }

  /** The held events join the next batches, in arrival order, and a new window may open. */
  private closeDigestWindow(): void {
    clearTimeout(this.digestWindow);
    this.digestWindow = undefined;
    this.pending.push(...this.held.splice(0));
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.pending.length === 0 || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    const flush = () => {
      this.scheduled = false;
      while (this.pending.length > 0 && this.inFlight < this.maxInFlight) {
        void this.write(this.pending.splice(0, this.maxBatch));
      }
    };
    if (this.waitMs > 0 && this.pending.length < this.maxBatch) setTimeout(flush, this.waitMs);
    else setImmediate(flush);
  }

  private async write(batch: Waiting[]): Promise<void> {
    this.inFlight += 1;
    this.stats.batches += 1;
    this.stats.events += batch.length;
    this.stats.largest = Math.max(this.stats.largest, batch.length);
    try {
      const results = await notifyMany(
        this.db,
        batch.map((w) => w.input),
        { digests: this.digestWindowMs > 0 },
      );
      batch.forEach((w, i) => w.resolve(results[i]));
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
      } else {
        this.stats.fallbacks += 1;
        for (const w of batch) {
          await notifyMany(this.db, [w.input], { digests: this.digestWindowMs > 0 }).then(([result]) => w.resolve(result), w.reject);
        }
      }
    } finally {
      this.inFlight -= 1;
      this.schedule();
    }
  }
}
