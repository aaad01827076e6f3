// An authority's policy document (deadlines, reminders, evidence retention), and the open work
// that must hear when it changes.
import type { Queryable } from './queryable';

export interface StoredPolicy {
  /** as stored: fields added since it was written are absent (withPolicyDefaults completes it) */
  document: Record<string, unknown>;
  updatedAt: string;
  updatedBy: string | null;
}

interface PolicyRow {
  document: Record<string, unknown>;
  updated_at: Date;
  updated_by: string | null;
}

const toStoredPolicy = (row: PolicyRow): StoredPolicy => ({
  document: row.document,
  updatedAt: new Date(row.updated_at).toISOString(),
  updatedBy: row.updated_by,
});

export class PoliciesStore {
  constructor(private readonly db: Queryable) {}

  /** The stored document, or undefined while the authority still runs on the defaults. */
  async find(authorityId: string, forUpdate = false): Promise<StoredPolicy | undefined> {
    const [row]: PolicyRow[] = await this.db.query(
      `SELECT document, updated_at, updated_by FROM policies WHERE authority_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [authorityId],
    );
    return row ? toStoredPolicy(row) : undefined;
  }

  async save(authorityId: string, document: object, by: string): Promise<StoredPolicy> {
    const [row]: PolicyRow[] = await this.db.query(
      `INSERT INTO policies (authority_id, document, updated_at, updated_by) VALUES ($1, $2, now(), $3)
       ON CONFLICT (authority_id) DO UPDATE SET document = EXCLUDED.document, updated_at = now(), updated_by = EXCLUDED.updated_by
       RETURNING document, updated_at, updated_by`,
      [authorityId, JSON.stringify(document), by],
    );
    return toStoredPolicy(row);
  }

  /** Stores the document for an authority that has none; false when it has one (which stays as it is). */
  async addIfAbsent(authorityId: string, document: object): Promise<boolean> {
    const rows: unknown[] = await this.db.query('INSERT INTO policies (authority_id, document) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING authority_id', [
      authorityId,
      JSON.stringify(document),
    ]);
    return rows.length > 0;
  }

  /**
   * Sets the given top-level fields of the stored document, straight in the table: no running
   * workflow hears of it (the history recorder sets its short test deadlines this way).
   */
  async mergeFields(authorityId: string, fields: Record<string, unknown>): Promise<void> {
    await this.db.query(`UPDATE policies SET document = document || $2::jsonb WHERE authority_id = $1`, [authorityId, JSON.stringify(fields)]);
  }

  /** Cases still running, whose deadlines follow the policy. */
  async openCaseIds(authorityId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query("SELECT id FROM allegations WHERE authority_id = $1 AND status NOT IN ('closed', 'withdrawn')", [
      authorityId,
    ]);
    return rows.map((r) => r.id);
  }

  /** Open risks, whose review cycles follow the policy's grace and near-poll cadence. */
  async openRiskIds(authorityId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query("SELECT id FROM risks WHERE authority_id = $1 AND status = 'open'", [authorityId]);
    return rows.map((r) => r.id);
  }
}
