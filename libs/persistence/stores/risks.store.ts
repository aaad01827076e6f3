// The risk register: `risks` and their `risk_reviews`. Written by the API's risks service and by
// the review-cycle workflow's projection (activities/risks.ts), read by both.
import type { Queryable } from './queryable';

export interface Mitigation {
  id: string;
  description: string;
  ownerId: string;
  status: string;
  [key: string]: unknown;
}

export interface Risk {
  id: string;
  authorityId: string;
  electionId: string | null;
  pollDate: string | null;
  title: string;
  category: string;
  likelihood: number;
  impact: number;
  ownerId: string;
  mitigations: Mitigation[];
  reviewEvery: string;
  status: 'open' | 'closed';
  lastReviewedAt: Date | null;
  nextReviewDueAt: Date | null;
  escalatedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
}

export interface RiskReview {
  id: string;
  reviewedBy: string;
  notes: string;
  likelihood: number;
  impact: number;
  mitigations: Mitigation[];
  reviewedAt: Date;
}

export interface NewRisk {
  id: string;
  authorityId: string;
  electionId: string | null;
  pollDate: string | null;
  title: string;
  category: string;
  likelihood: number;
  impact: number;
  ownerId: string;
  mitigations: Mitigation[];
  reviewEvery: string;
  createdBy: string;
  createdAt: Date;
}

export type RiskChanges = Pick<Risk, 'title' | 'category' | 'likelihood' | 'impact' | 'ownerId' | 'mitigations' | 'reviewEvery' | 'pollDate' | 'electionId'>;

/** A review notice that has fallen due: the owner's reminder, or the Returning Officer's escalation. */
export interface DueRiskNotice {
  riskId: string;
  title: string;
  ownerId: string;
  /** the review's due date, which the notice is for */
  dueAt: Date;
  notice: 'reminder' | 'escalation';
}

interface DueRiskNoticeRow {
  id: string;
  title: string;
  owner_id: string;
  next_review_due_at: Date;
  notice: 'reminder' | 'escalation';
}

export interface RiskFilter {
  status?: string;
  category?: string;
  overdue?: boolean;
}

interface RiskRow {
  id: string;
  authority_id: string;
  election_id: string | null;
  poll_date: string | null;
  title: string;
  category: string;
  likelihood: number;
  impact: number;
  owner_id: string;
  mitigations: Mitigation[];
  review_every: string;
  status: 'open' | 'closed';
  last_reviewed_at: Date | null;
  next_review_due_at: Date | null;
  escalated_at: Date | null;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
}

interface RiskReviewRow {
  id: string;
  reviewed_by: string;
  notes: string;
  likelihood: number;
  impact: number;
  mitigations: Mitigation[];
  reviewed_at: Date;
}

const toRisk = (r: RiskRow): Risk => ({
  id: r.id,
  authorityId: r.authority_id,
  electionId: r.election_id,
  pollDate: r.poll_date,
  title: r.title,
  category: r.category,
  likelihood: r.likelihood,
  impact: r.impact,
  ownerId: r.owner_id,
  mitigations: r.mitigations,
  reviewEvery: r.review_every,
  status: r.status,
  lastReviewedAt: r.last_reviewed_at,
  nextReviewDueAt: r.next_review_due_at,
  escalatedAt: r.escalated_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  closedAt: r.closed_at,
});

const toReview = (r: RiskReviewRow): RiskReview => ({
  id: r.id,
  reviewedBy: r.reviewed_by,
  notes: r.notes,
  likelihood: r.likelihood,
  impact: r.impact,
  mitigations: r.mitigations,
  reviewedAt: r.reviewed_at,
});

export class RisksStore {
  constructor(private readonly db: Queryable) {}

  async insert(r: NewRisk): Promise<void> {
    await this.db.query(
      `INSERT INTO risks (id, authority_id, election_id, poll_date, title, category, likelihood, impact, owner_id, mitigations, review_every, status, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12, $13, $13)`,
      [
        r.id,
        r.authorityId,
        r.electionId,
        r.pollDate,
        r.title,
        r.category,
        r.likelihood,
        r.impact,
        r.ownerId,
        JSON.stringify(r.mitigations),
        r.reviewEvery,
        r.createdBy,
        r.createdAt,
      ],
    );
  }

  /** Takes back a risk whose review cycle never started. */
  async delete(id: string): Promise<void> {
    await this.db.query('DELETE FROM risks WHERE id = $1', [id]);
  }

  async find(id: string): Promise<Risk | undefined> {
    const [row] = await this.db.query('SELECT * FROM risks WHERE id = $1', [id]);
    return row ? toRisk(row) : undefined;
  }

  /** The authority's register: overdue first, then by due date, then newest; at most 500. */
  async list(authorityId: string, filter: RiskFilter): Promise<Risk[]> {
    const where = ['authority_id = $1'];
    const params: unknown[] = [authorityId];
    if (filter.status) where.push(`status = $${params.push(filter.status)}`);
    if (filter.category) where.push(`category = $${params.push(filter.category)}`);
    if (filter.overdue === true) where.push("status = 'open' AND next_review_due_at < now()");
    if (filter.overdue === false) where.push("NOT (status = 'open' AND coalesce(next_review_due_at < now(), false))");
    const rows: RiskRow[] = await this.db.query(
      `SELECT * FROM risks WHERE ${where.join(' AND ')}
       ORDER BY (status = 'open' AND next_review_due_at < now()) DESC, next_review_due_at ASC NULLS LAST, created_at DESC LIMIT 500`,
      params,
    );
    return rows.map(toRisk);
  }

  /** Updates an open risk; false when it is closed. */
  async updateOpen(id: string, next: RiskChanges): Promise<boolean> {
    // TypeORM answers an UPDATE with [rows returned, rows affected].
    const [, updatedRows] = await this.db.query(
      `UPDATE risks SET title = $2, category = $3, likelihood = $4, impact = $5, owner_id = $6, mitigations = $7, review_every = $8, poll_date = $9, election_id = $10, updated_at = now() WHERE id = $1 AND status = 'open'`,
      [
        id,
        next.title,
        next.category,
        next.likelihood,
        next.impact,
        next.ownerId,
        JSON.stringify(next.mitigations),
        next.reviewEvery,
        next.pollDate,
        next.electionId,
      ],
    );
    return updatedRows !== 0;
  }

  /** Closes an open risk; false when it was closed already. */
  async closeOpen(id: string): Promise<boolean> {
    const [, closedRows] = await this.db.query(
      "UPDATE risks SET status = 'closed', closed_at = now(), next_review_due_at = NULL, updated_at = now() WHERE id = $1 AND status = 'open'",
      [id],
    );
    return closedRows !== 0;
  }

  async reviews(riskId: string): Promise<RiskReview[]> {
    const rows: RiskReviewRow[] = await this.db.query(
      'SELECT id, reviewed_by, notes, likelihood, impact, mitigations, reviewed_at FROM risk_reviews WHERE risk_id = $1 ORDER BY reviewed_at DESC',
      [riskId],
    );
    return rows.map(toReview);
  }

  /** Records a review and applies its ratings and mitigations to the risk. */
  async insertReview(riskId: string, review: Omit<RiskReview, 'mitigations'> & { mitigations: Mitigation[] }): Promise<void> {
    await this.db.query(
      'INSERT INTO risk_reviews (id, risk_id, reviewed_by, notes, likelihood, impact, mitigations, reviewed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [review.id, riskId, review.reviewedBy, review.notes, review.likelihood, review.impact, JSON.stringify(review.mitigations), review.reviewedAt],
    );
  }

  async applyReview(riskId: string, review: Pick<RiskReview, 'likelihood' | 'impact' | 'mitigations' | 'reviewedAt'>): Promise<void> {
    await this.db.query('UPDATE risks SET likelihood = $2, impact = $3, mitigations = $4, last_reviewed_at = $5, updated_at = now() WHERE id = $1', [
      riskId,
      review.likelihood,
      review.impact,
      JSON.stringify(review.mitigations),
      review.reviewedAt,
    ]);
  }

  /** The review workflow's projection of the next due date, which `GET /risks?overdue=true` reads. */
  async projectDue(riskId: string, nextReviewDueAt: string, escalated: boolean): Promise<void> {
    await this.db.query(
      `UPDATE risks SET next_review_due_at = $2, escalated_at = CASE WHEN $3 THEN COALESCE(escalated_at, now()) ELSE NULL END WHERE id = $1 AND status = 'open'`,
      [riskId, nextReviewDueAt, escalated],
    );
  }

  /**
   * The projection of a review workflow that leaves its notices to the authority's dispatcher:
   * when the review falls due and when it is escalated. A new due date clears the escalation
   * mark; the same one again (a change of owner, say) keeps it. The authority, or undefined when
   * the risk is closed.
   */
  async projectDispatchedDue(riskId: string, nextReviewDueAt: string, escalationDueAt: string): Promise<string | undefined> {
    const [rows] = await this.db.query(
      `UPDATE risks SET escalated_at = CASE WHEN next_review_due_at = $2 THEN escalated_at END,
              next_review_due_at = $2, escalation_due_at = $3, dispatched = true
        WHERE id = $1 AND status = 'open' RETURNING authority_id`,
      [riskId, nextReviewDueAt, escalationDueAt],
    );
    return (rows as { authority_id: string }[])[0]?.authority_id;
  }

  /**
   * The notices of an authority's dispatched risks that have fallen due by `now` and not been
   * sent: a reminder for each due date not yet reminded, an escalation for each due date reminded
   * but not escalated once its grace is over. Oldest first, at most `limit`; locked, so that a
   * retried batch waits for one still running (a worker killed mid-batch) instead of sending twice.
   */
  async dueNotices(authorityId: string, now: Date, limit: number): Promise<DueRiskNotice[]> {
    const rows: DueRiskNoticeRow[] = await this.db.query(
      `SELECT id, title, owner_id, next_review_due_at,
              CASE WHEN reminded_for IS DISTINCT FROM next_review_due_at THEN 'reminder' ELSE 'escalation' END AS notice
         FROM risks
        WHERE authority_id = $1 AND notice_due_at <= $2
        ORDER BY notice_due_at, id
        LIMIT $3
        FOR UPDATE`,
      [authorityId, now, limit],
    );
    return rows.map((r) => ({ riskId: r.id, title: r.title, ownerId: r.owner_id, dueAt: r.next_review_due_at, notice: r.notice }));
  }

  /**
   * Records the notices sent, each for the due date it was sent for (a risk whose due date has
   * moved on since keeps its new one pending). An escalation marks the risk as escalated.
   */
  async markNoticesSent(sent: DueRiskNotice[]): Promise<void> {
    const of = (notice: DueRiskNotice['notice']) => sent.filter((s) => s.notice === notice);
    const reminders = of('reminder');
    const escalations = of('escalation');
    if (reminders.length > 0) {
      await this.db.query(
        `UPDATE risks r SET reminded_for = s.due_at FROM unnest($1::uuid[], $2::timestamptz[]) AS s (id, due_at)
          WHERE r.id = s.id AND r.next_review_due_at = s.due_at`,
        [reminders.map((s) => s.riskId), reminders.map((s) => s.dueAt)],
      );
    }
    if (escalations.length > 0) {
      await this.db.query(
        `UPDATE risks r SET escalated_for = s.due_at, escalated_at = COALESCE(r.escalated_at, now())
           FROM unnest($1::uuid[], $2::timestamptz[]) AS s (id, due_at)
          WHERE r.id = s.id AND r.next_review_due_at = s.due_at`,
        [escalations.map((s) => s.riskId), escalations.map((s) => s.dueAt)],
      );
    }
  }

  /** When the authority's next unsent notice falls due, or null when none is pending. */
  async nextNoticeDue(authorityId: string): Promise<Date | null> {
    const [row] = await this.db.query('SELECT min(notice_due_at) AS due FROM risks WHERE authority_id = $1 AND notice_due_at IS NOT NULL', [authorityId]);
    return row?.due ?? null;
  }

  /** Authorities with a dispatched notice still to send, whose dispatchers must be running. */
  async authoritiesWithPendingNotices(): Promise<string[]> {
    const rows: { authority_id: string }[] = await this.db.query('SELECT DISTINCT authority_id FROM risks WHERE notice_due_at IS NOT NULL');
    return rows.map((r) => r.authority_id);
  }

  /**
   * Which of `ids` are users of the authority (owners must be). A read of the directory's table,
   * kept here beside the check it serves; the directory store owns its writes.
   */
  async usersOfAuthority(authorityId: string, ids: string[]): Promise<Set<string>> {
    const found: { id: string }[] = await this.db.query('SELECT id FROM users WHERE id = ANY($1::uuid[]) AND authority_id = $2', [ids, authorityId]);
    return new Set(found.map((u) => u.id));
  }
}
