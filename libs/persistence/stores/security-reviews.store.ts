// Security reviews held with the police (ballot security, `ballot_security_reviews`) and the
// completions of their actions (`ballot_security_action_completions`). A review is a record never
// changed; an action marked done is a row of its own beside it.
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

/** A review as recorded: its actions as they were agreed (each with status 'open'). */
export interface SecurityReview {
  id: string;
  authorityId: string;
  pollId: string | null;
  forceId: string;
  /** the calendar date, YYYY-MM-DD */
  heldOn: string;
  attendees: string[];
  findings: string;
  actions: ReviewAction[];
  createdBy: string;
  createdAt: Date;
}

export interface NewSecurityReview {
  id: string;
  authorityId: string;
  pollId: string | null;
  forceId: string;
  /** YYYY-MM-DD */
  heldOn: string;
  attendees: string[];
  findings: string;
  actions: ReviewAction[];
  createdBy: string;
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

interface FullReviewRow extends ReviewRow {
  poll_id: string | null;
  held_on: Date | string;
  attendees: string[];
  findings: string;
  created_by: string;
  created_at: Date;
}

interface CompletionRow {
  review_id: string;
  action_id: string;
  done_by: string;
  done_by_name: string;
  done_at: Date;
  note: string;
}

/** node-postgres reads a `date` as local midnight; give it back as the calendar date it was. */
const day = (d: Date | string) =>
  typeof d === 'string' ? d.slice(0, 10) : `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

const toReview = (r: FullReviewRow): SecurityReview => ({
  id: r.id,
  authorityId: r.authority_id,
  pollId: r.poll_id,
  forceId: r.force_id,
  heldOn: day(r.held_on),
  attendees: r.attendees,
  findings: r.findings,
  actions: r.actions,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

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

  async insert(r: NewSecurityReview): Promise<SecurityReview> {
    const [row]: FullReviewRow[] = await this.db.query(
      `INSERT INTO ballot_security_reviews (id, authority_id, poll_id, force_id, held_on, attendees, findings, actions, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [r.id, r.authorityId, r.pollId, r.forceId, r.heldOn, r.attendees, r.findings, JSON.stringify(r.actions), r.createdBy],
    );
    return toReview(row);
  }

  /** The authority's reviews, the latest held first; at most 200. */
  async listForAuthority(authorityId: string): Promise<SecurityReview[]> {
    const rows: FullReviewRow[] = await this.db.query(
      'SELECT * FROM ballot_security_reviews WHERE authority_id = $1 ORDER BY held_on DESC, created_at DESC LIMIT 200',
      [authorityId],
    );
    return rows.map(toReview);
  }

  /** The force's reviews, with any authority, the latest held first; at most 200. */
  async listForForce(forceId: string): Promise<SecurityReview[]> {
    const rows: FullReviewRow[] = await this.db.query(
      'SELECT * FROM ballot_security_reviews WHERE force_id = $1 ORDER BY held_on DESC, created_at DESC LIMIT 200',
      [forceId],
    );
    return rows.map(toReview);
  }

  /**
   * Whether the police force exists: a read of the directory's table, kept here beside the check
   * it serves (a review is held with a force); the directory store owns its writes.
   */
  async forceExists(forceId: string): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM police_forces WHERE id = $1', [forceId])).length > 0;
  }

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
