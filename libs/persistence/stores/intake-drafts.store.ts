// The web intake's drafts (`web_intake_drafts`): the answers a member of staff has given so far on
// the question pages, before the one POST /allegations. Row-level secured to the member of staff
// who started them (migration WebIntakeDrafts): run these in that user's tenant scope, but
// `deleteAbandoned`, which is cross-tenant housekeeping (system scope).
import type { Queryable } from './queryable';

export interface IntakeDraft {
  /** the answers so far, by question (apps/web/src/intake.ts) */
  answers: Record<string, unknown>;
  /** the case logged from it, once submitted */
  caseId: string | null;
}

export class IntakeDraftsStore {
  constructor(private readonly db: Queryable) {}

  /** Drafts a week untouched are abandoned: they hold a reporter's personal details, and go. */
  async deleteAbandoned(): Promise<void> {
    await this.db.query("DELETE FROM web_intake_drafts WHERE updated_at < now() - interval '7 days'");
  }

  async insert(id: string, ownerId: string, authorityId: string | undefined): Promise<void> {
    await this.db.query('INSERT INTO web_intake_drafts (id, owner_id, authority_id) VALUES ($1, $2, $3)', [id, ownerId, authorityId]);
  }

  /** The owner's draft; undefined for anyone else's. */
  async find(id: string, ownerId: string): Promise<IntakeDraft | undefined> {
    const [row] = await this.db.query('SELECT answers, case_id FROM web_intake_drafts WHERE id = $1 AND owner_id = $2', [id, ownerId]);
    return row ? { answers: row.answers, caseId: row.case_id } : undefined;
  }

  async saveAnswers(id: string, answers: Record<string, unknown>): Promise<void> {
    await this.db.query('UPDATE web_intake_drafts SET answers = $2, updated_at = now() WHERE id = $1', [id, JSON.stringify(answers)]);
  }

  /** Submitted: the draft keeps the case it became, and lets go of the answers. */
  async submitted(id: string, caseId: string): Promise<void> {
    await this.db.query(`UPDATE web_intake_drafts SET case_id = $2, answers = '{}'::jsonb, updated_at = now() WHERE id = $1`, [id, caseId]);
  }
}
