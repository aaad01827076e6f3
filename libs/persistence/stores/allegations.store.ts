// Allegations (cases). Written by the API's intake (intake.store.ts) and the worker's projections
// of the case's workflow; read here for the case view, the lists, the search and the referral queues.
import type { AllegationLocation, AllegationStatus, OffenceCategory, Reporter, Urgency } from '@libs/domain';
import type { Queryable } from './queryable';

/** A case as its row holds it. */
export interface Allegation {
  id: string;
  authorityId: string;
  reference: string;
  category: OffenceCategory;
  electionId: string | null;
  /** the calendar date, YYYY-MM-DD */
  pollDate: string | null;
  location: AllegationLocation;
  occurredAt: Date;
  reporter: Reporter;
  description: string;
  urgency: Urgency;
  safetyConcern: boolean;
  peopleInvolved: unknown[];
  status: AllegationStatus;
  triageDueAt: Date | null;
  referredForceId: string | null;
  escalatedAt: Date | null;
  /** the workflow's state as last projected (AllegationState); `{}` until the first decision */
  state: Record<string, unknown>;
  stateVersion: number;
  spocDueAt: Date | null;
  informationDueAt: Date | null;
  nextDueAt: Date | null;
  outcome: string | null;
  closedAt: Date | null;
  duplicateOf: string | null;
  referralForceIds: string[];
  operationFord: boolean;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Filters of the authority's case list (GET /allegations); each one set narrows it. */
export interface CaseListFilter {
  status?: string;
  category?: string;
  /** matched, as a substring, against the reference, the description and the place */
  text?: string;
  /** the page after this position of the list (newest first) */
  before?: { createdAt: string; id: string };
  limit: number;
}

/** Filters of the full-text search (GET /allegations/search); instants carry their offset. */
export interface CaseSearchFilter {
  /** the words; with them the best matches come first */
  words?: string;
  status?: string;
  category?: string;
  urgency?: string;
  safetyConcern?: boolean;
  /** a force the case was ever referred to */
  forceId?: string;
  occurredFrom?: string | null;
  occurredTo?: string | null;
  createdFrom?: string | null;
  createdTo?: string | null;
  /** the page after this position of the search's order (rank: with words only) */
  after?: { rank: string | null; createdAt: string; id: string };
  limit: number;
}

/** A case found by a search, with its place in the search's order as PostgreSQL printed it. */
export interface SearchMatch {
  allegation: Allegation;
  /** ts_rank as text, exactly as a cursor must give it back; null without words */
  rank: string | null;
  /** created_at to the microsecond, in UTC */
  createdAt: string;
}

interface AllegationRow {
  id: string;
  authority_id: string;
  reference: string;
  category: OffenceCategory;
  election_id: string | null;
  poll_date: Date | string | null;
  location: AllegationLocation;
  occurred_at: Date;
  reporter: Reporter;
  description: string;
  urgency: Urgency;
  safety_concern: boolean;
  people_involved: unknown[];
  status: AllegationStatus;
  triage_due_at: Date | null;
  referred_force_id: string | null;
  escalated_at: Date | null;
  state: Record<string, unknown>;
  state_version: number;
  spoc_due_at: Date | null;
  information_due_at: Date | null;
  next_due_at: Date | null;
  outcome: string | null;
  closed_at: Date | null;
  duplicate_of: string | null;
  referral_force_ids: string[];
  operation_ford: boolean;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

interface SearchRow extends AllegationRow {
  position_created_at: string;
  position_rank?: string;
}

// Every column but the search vector.
const COLUMNS = `a.id, a.authority_id, a.reference, a.category, a.election_id, a.poll_date, a.location, a.occurred_at, a.reporter, a.description,
  a.urgency, a.safety_concern, a.people_involved, a.status, a.triage_due_at, a.referred_force_id, a.escalated_at, a.state, a.state_version,
  a.spoc_due_at, a.information_due_at, a.next_due_at, a.outcome, a.closed_at, a.duplicate_of, a.referral_force_ids, a.operation_ford,
  a.created_by, a.created_at, a.updated_at`;

/** node-postgres reads a `date` as local midnight; give it back as the calendar date it was. */
const day = (d: Date | string | null) =>
  d instanceof Date ? `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}` : d;

const toAllegation = (r: AllegationRow): Allegation => ({
  id: r.id,
  authorityId: r.authority_id,
  reference: r.reference,
  category: r.category,
  electionId: r.election_id,
  pollDate: day(r.poll_date),
  location: r.location,
  occurredAt: r.occurred_at,
  reporter: r.reporter,
  description: r.description,
  urgency: r.urgency,
  safetyConcern: r.safety_concern,
  peopleInvolved: r.people_involved,
  status: r.status,
  triageDueAt: r.triage_due_at,
  referredForceId: r.referred_force_id,
  escalatedAt: r.escalated_at,
  state: r.state,
  stateVersion: r.state_version,
  spocDueAt: r.spoc_due_at,
  informationDueAt: r.information_due_at,
  nextDueAt: r.next_due_at,
  outcome: r.outcome,
  closedAt: r.closed_at,
  duplicateOf: r.duplicate_of,
  referralForceIds: r.referral_force_ids,
  operationFord: r.operation_ford,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Numbered parameters for a statement built from optional filters. */
class Parameters {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

// Written out in SELECT, WHERE and ORDER BY alike; parsing a 200-character query is cheap.
const tsquery = (q: string) => `websearch_to_tsquery('english', ${q})`;
const rankOf = (q: string) => `ts_rank(a.search, ${tsquery(q)})`;
// created_at to the microsecond, in UTC, so a cursor compares exactly with the stored value.
const CREATED_AT_TEXT = `to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** What the case row says of the workflow's state, read under a row lock before projecting. */
export interface ProjectedState {
  status: string;
  triageDueAt: Date | null;
  /** the version of the workflow state last projected; 0 before the first decision */
  stateVersion: number;
}

/** The case row as the workflow's state puts it. */
export interface CaseProjection {
  status: string;
  /** the workflow's whole state, kept as JSON */
  state: unknown;
  stateVersion: number;
  triageDueAt: string | null;
  spocDueAt: string | null;
  informationDueAt: string | null;
  nextDueAt: string | null;
  referredForceId: string | null;
  outcome: string | null;
  closedAt: string | null;
  duplicateOf: string | null;
}

export class AllegationsStore {
  constructor(private readonly db: Queryable) {}

  /** The case, whichever tenant's it is (row-level security aside): callers check who may see it. */
  async find(id: string): Promise<Allegation | undefined> {
    const [row]: AllegationRow[] = await this.db.query(`SELECT ${COLUMNS} FROM allegations a WHERE a.id = $1`, [id]);
    return row ? toAllegation(row) : undefined;
  }

  /** The authority's cases, newest first; one more than `limit` when there is a next page. */
  async list(authorityId: string, f: CaseListFilter): Promise<Allegation[]> {
    const p = new Parameters();
    const where = [`a.authority_id = ${p.add(authorityId)}`];
    if (f.status) where.push(`a.status = ${p.add(f.status)}`);
    if (f.category) where.push(`a.category = ${p.add(f.category)}`);
    if (f.text) {
      const like = p.add(`%${f.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(a.reference ILIKE ${like} OR a.description ILIKE ${like} OR a.location::text ILIKE ${like})`);
    }
    if (f.before) where.push(`(a.created_at, a.id) < (${p.add(f.before.createdAt)}, ${p.add(f.before.id)})`);
    const rows: AllegationRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM allegations a WHERE ${where.join(' AND ')} ORDER BY a.created_at DESC, a.id DESC LIMIT ${p.add(f.limit + 1)}`,
      p.values,
    );
    return rows.map(toAllegation);
  }

  /**
   * Full-text search over the authority's cases (the `search` tsvector of the Search migration).
   * With words, the best matches come first; without, the newest. Either way the order ends in
   * created_at and id, so every row has one place. One more than `limit` when there is a next page.
   */
  async search(authorityId: string, f: CaseSearchFilter): Promise<SearchMatch[]> {
    const p = new Parameters();
    const where = [`a.authority_id = ${p.add(authorityId)}`];
    if (f.status) where.push(`a.status = ${p.add(f.status)}`);
    if (f.category) where.push(`a.category = ${p.add(f.category)}`);
    if (f.urgency) where.push(`a.urgency = ${p.add(f.urgency)}`);
    if (f.safetyConcern !== undefined) where.push(`a.safety_concern = ${p.add(f.safetyConcern)}`);
    if (f.forceId) where.push(`a.referral_force_ids @> ARRAY[${p.add(f.forceId)}]::text[]`);
    if (f.occurredFrom) where.push(`a.occurred_at >= ${p.add(f.occurredFrom)}`);
    if (f.occurredTo) where.push(`a.occurred_at < ${p.add(f.occurredTo)}`);
    if (f.createdFrom) where.push(`a.created_at >= ${p.add(f.createdFrom)}`);
    if (f.createdTo) where.push(`a.created_at < ${p.add(f.createdTo)}`);
    let rankColumn = '';
    const order: string[] = [];
    if (f.words !== undefined) {
      const q = p.add(f.words);
      const rank = rankOf(q);
      rankColumn = `, ${rank}::text AS position_rank`;
      // Through the GIN index: under row-level security `a.search @@ …` could not use it (the
      // function's comment in migration 1764666000000-TenantIsolation says why).
      where.push(`a.id IN (SELECT allegations_matching(${tsquery(q)}))`);
      order.push(`${rank} DESC`);
      if (f.after)
        where.push(
          `(${rank}, a.created_at, a.id) < (CAST(${p.add(f.after.rank)} AS real), CAST(${p.add(f.after.createdAt)} AS timestamptz), CAST(${p.add(f.after.id)} AS uuid))`,
        );
    } else if (f.after) {
      where.push(`(a.created_at, a.id) < (CAST(${p.add(f.after.createdAt)} AS timestamptz), CAST(${p.add(f.after.id)} AS uuid))`);
    }
    order.push('a.created_at DESC', 'a.id DESC');
    const rows: SearchRow[] = await this.db.query(
      `SELECT ${COLUMNS}, ${CREATED_AT_TEXT} AS position_created_at${rankColumn}
         FROM allegations a WHERE ${where.join(' AND ')} ORDER BY ${order.join(', ')} LIMIT ${p.add(f.limit + 1)}`,
      p.values,
    );
    return rows.map((r) => ({ allegation: toAllegation(r), rank: r.position_rank ?? null, createdAt: r.position_created_at }));
  }

  /** How many terms the words make as a search; 0 when they are all stop words or punctuation. */
  async searchTerms(words: string): Promise<number> {
    const [{ nodes }] = await this.db.query(`SELECT numnode(websearch_to_tsquery('english', $1)) AS nodes`, [words]);
    return Number(nodes);
  }

  /**
   * The cases referred to the force now, in these statuses: a pending referral (with a response
   * deadline) before an accepted one (which met it: NULL), then newest first.
   */
  async referredTo(forceId: string, statuses: string[], limit: number): Promise<Allegation[]> {
    const rows: AllegationRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM allegations a WHERE a.referred_force_id = $1 AND a.status = ANY($2::text[])
        ORDER BY a.spoc_due_at ASC NULLS LAST, a.created_at DESC, a.id DESC LIMIT $3`,
      [forceId, statuses, limit],
    );
    return rows.map(toAllegation);
  }

  /** The authority's case's id and reference; undefined when it has no such case. */
  async referenceOf(authorityId: string, id: string): Promise<{ id: string; reference: string } | undefined> {
    const [row] = await this.db.query('SELECT id, reference FROM allegations WHERE id = $1 AND authority_id = $2', [id, authorityId]);
    return row ? { id: row.id, reference: row.reference } : undefined;
  }

  /** Marks the case escalated (the first time counts) when an escalation notification went out. */
  async markEscalated(caseId: string): Promise<void> {
    await this.db.query('UPDATE allegations SET escalated_at = COALESCE(escalated_at, now()), updated_at = now() WHERE id = $1', [caseId]);
  }

  /** The case's projected state, held (FOR UPDATE) for the rest of the transaction. */
  async lockProjection(caseId: string): Promise<ProjectedState | undefined> {
    const [row] = await this.db.query('SELECT status, triage_due_at, state_version FROM allegations WHERE id = $1 FOR UPDATE', [caseId]);
    return row ? { status: row.status, triageDueAt: row.triage_due_at, stateVersion: row.state_version } : undefined;
  }

  async openTriage(caseId: string, dueAt: Date): Promise<void> {
    await this.db.query("UPDATE allegations SET status = 'triage', triage_due_at = $2, updated_at = now() WHERE id = $1", [caseId, dueAt]);
  }

  /** The row follows the workflow's state; a force referred to joins the case's referral history. */
  async project(caseId: string, p: CaseProjection): Promise<void> {
    await this.db.query(
      `UPDATE allegations SET status = $2, state = $3, state_version = $4, triage_due_at = $5, spoc_due_at = $6, information_due_at = $7,
         next_due_at = $8, referred_force_id = $9, outcome = $10, closed_at = $11, duplicate_of = $12,
         referral_force_ids = CASE WHEN $9::text IS NULL OR $9 = ANY(referral_force_ids) THEN referral_force_ids ELSE referral_force_ids || $9::text END,
         updated_at = now()
       WHERE id = $1`,
      [
        caseId,
        p.status,
        JSON.stringify(p.state),
        p.stateVersion,
        p.triageDueAt,
        p.spocDueAt,
        p.informationDueAt,
        p.nextDueAt,
        p.referredForceId,
        p.outcome,
        p.closedAt,
        p.duplicateOf,
      ],
    );
  }
}
