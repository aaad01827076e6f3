// Security reviews held with the police (ballot security) and the completions of their actions.
// A review is a record never changed; an action marked done is a row of its own beside it.
import type { Queryable } from './queryable';

export interface ReviewAction {
  id: string;
  description: string;
  owner: string;
  dueBy: string;
}

export interface SecurityReviewRef {
  id: string;
  authorityId: string;
  forceId: string;
  actions: ReviewAction[];
}

export interface ActionCompletion {
  reviewId: string;
  actionId: string;
  doneBy: string;
  doneByName: string;
  doneAt: string;
  note: string;
}

interface ReviewRow {
  id: string;
  authority_id: string;
  force_id: string;
  actions: ReviewAction[];
}

interface CompletionRow {
  review_id: string;
  action_id: string;
  done_by: string;
  done_by_name: string;
  done_at: Date;
  note: string;
}

const toCompletion = (r: CompletionRow): ActionCompletion => ({
  reviewId: r.review_id,
  actionId: r.action_id,
  doneBy: r.done_by,
  doneByName: r.done_by_name,
  doneAt: new Date(r.done_at).toISOString(),
  note: r.note,
});

export class SecurityReviewsStore {
  constructor(private readonly db: Queryable) {}

  /** One of the authority's reviews, or undefined. */
  async findForAuthority(id: string, authorityId: string): Promise<SecurityReviewRef | undefined> {
    const [row]: ReviewRow[] = await this.db.query(
      'SELECT id, authority_id, force_id, actions FROM ballot_security_reviews WHERE id = $1 AND authority_id = $2',
      [id, authorityId],
    );
    return row ? { id: row.id, authorityId: row.authority_id, forceId: row.force_id, actions: row.actions } : undefined;
  }

  /** The completions of these reviews' actions. */
  async completions(reviewIds: string[]): Promise<ActionCompletion[]> {
    if (reviewIds.length === 0) return [];
    const rows: CompletionRow[] = await this.db.query('SELECT * FROM ballot_security_action_completions WHERE review_id = ANY($1::uuid[]) ORDER BY done_at', [
      reviewIds,
    ]);
    return rows.map(toCompletion);
  }

  /** Marks the action done; undefined when it already was (the first completion stands). */
  async complete(review: SecurityReviewRef, actionId: string, doneBy: { id: string; name: string }, note: string): Promise<ActionCompletion | undefined> {
    const [row]: CompletionRow[] = await this.db.query(
      `INSERT INTO ballot_security_action_completions (review_id, action_id, authority_id, force_id, done_by, done_by_name, note) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (review_id, action_id) DO NOTHING RETURNING *`,
      [review.id, actionId, review.authorityId, review.forceId, doneBy.id, doneBy.name, note],
    );
    return row ? toCompletion(row) : undefined;
  }
}
