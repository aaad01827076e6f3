// The national returns: counts of an authority's cases (`allegations`, read only) by force, offence
// category, status and outcome. Read by the API's reports service for GET /reports/returns.csv.
import type { Queryable } from './queryable';

/** Which cases count; instants carry their offset, null bounds and filters are not applied. */
export interface ReturnsFilter {
  /** each offence category's group in the national returns (campaigning, registration, ...) */
  returnCategoryOf: Record<string, string>;
  from: string | null;
  to: string | null;
  electionId: string | null;
  /** YYYY-MM-DD */
  pollDate: string | null;
}

export interface ReturnsCount {
  authorityId: string;
  /** the force the case is (or was, when it ended) referred to; null when no force kept it */
  forceId: string | null;
  /** null for an offence category the returns do not group */
  returnCategory: string | null;
  offenceCategory: string;
  status: string;
  /** closed or withdrawn: the case's outcome; open: the police outcome recorded so far, or null */
  outcome: string | null;
  cases: number;
}

interface CountRow {
  authority_id: string;
  force_id: string | null;
  return_category: string | null;
  offence_category: string;
  status: string;
  outcome: string | null;
  cases: number;
}

// One row per authority, force, offence category, status and outcome that has any case. A
// referral the force returned does not count for that force: the case went back to the authority.
// A case withdrawn while referred stays with the force, which was told of the withdrawal.
const COUNT_RETURNS = `
  SELECT a.authority_id,
         CASE WHEN a.state->'referral'->>'status' IN ('pending', 'accepted', 'withdrawn') THEN a.state->'referral'->>'forceId' END AS force_id,
         m.return_category,
         a.category AS offence_category,
         a.status,
         COALESCE(a.outcome, a.state->'policeOutcome'->>'outcome') AS outcome,
         count(*)::int AS cases
    FROM allegations a
    LEFT JOIN unnest($2::text[], $3::text[]) AS m(offence_category, return_category) ON m.offence_category = a.category
   WHERE a.authority_id = $1
     AND ($4::timestamptz IS NULL OR a.created_at >= $4)
     AND ($5::timestamptz IS NULL OR a.created_at < $5)
     AND ($6::text IS NULL OR a.election_id = $6)
     AND ($7::date IS NULL OR a.poll_date = $7)
   GROUP BY 1, 2, 3, 4, 5, 6
   ORDER BY 1, 2 NULLS FIRST, 3, 4, 5, 6 NULLS FIRST`;

export class ReturnsStore {
  constructor(private readonly db: Queryable) {}

  /** The authority's counts, ordered by authority, force (none first), return and offence category, status and outcome. */
  async count(authorityId: string, f: ReturnsFilter): Promise<ReturnsCount[]> {
    const categories = Object.entries(f.returnCategoryOf);
    const rows: CountRow[] = await this.db.query(COUNT_RETURNS, [
      authorityId,
      categories.map(([offence]) => offence),
      categories.map(([, group]) => group),
      f.from,
      f.to,
      f.electionId,
      f.pollDate,
    ]);
    return rows.map((r) => ({
      authorityId: r.authority_id,
      forceId: r.force_id,
      returnCategory: r.return_category,
      offenceCategory: r.offence_category,
      status: r.status,
      outcome: r.outcome,
      cases: Number(r.cases),
    }));
  }
}
