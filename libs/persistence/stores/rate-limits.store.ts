// The API's rate-limit windows (rate_limit_windows, migration 1764936000000): one row per key (a
// user or a client address) with its current window's start and count, shared by every API process.
import type { Queryable } from './queryable';

export interface WindowCount {
  /** the key's count in its current window after this one, reserved slots included */
  count: number;
  /** how long until that window ends, on the database's clock */
  retryAfterMs: number;
}

interface WindowRow {
  count: number;
  retry_after_ms: number;
}

export class RateLimitsStore {
  constructor(private readonly db: Queryable) {}

  /**
   * Adds `slots` to the key's current window, or starts a new window with them when the last one
   * ended, on the database's clock. One atomic upsert: its row lock orders concurrent callers
   * from any process, so each sees the count its own slots brought the window to.
   */
  async add(key: string, windowMs: number, slots: number): Promise<WindowCount> {
    const [row]: WindowRow[] = await this.db.query(
      `INSERT INTO rate_limit_windows AS w (key, window_start, count) VALUES ($1, statement_timestamp(), $3)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN w.window_start + $2 * interval '1 millisecond' <= statement_timestamp() THEN $3 ELSE w.count + $3 END,
         window_start = CASE WHEN w.window_start + $2 * interval '1 millisecond' <= statement_timestamp() THEN statement_timestamp() ELSE w.window_start END
       RETURNING w.count, (extract(epoch FROM w.window_start + $2 * interval '1 millisecond' - statement_timestamp()) * 1000)::float8 AS retry_after_ms`,
      [key, windowMs, slots],
    );
    return { count: row.count, retryAfterMs: row.retry_after_ms };
  }

  /** Forgets keys whose window ended at least a window ago. */
  async forgetEnded(windowMs: number): Promise<void> {
    await this.db.query(`DELETE FROM rate_limit_windows WHERE window_start < statement_timestamp() - $1 * interval '2 milliseconds'`, [windowMs]);
  }
}
