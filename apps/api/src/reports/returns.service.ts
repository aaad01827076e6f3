import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '@libs/auth/principal';
import { RETURN_CATEGORY_OF } from '@libs/domain/returns';
import { ApiError } from '../common/api-error';
import { checkPeriod, withOffset } from '../common/instant';
import { toCsv, type CsvCell } from './csv';
import type { ReturnsQuery } from './dto/returns.query';

export const RETURNS_HEADER = ['authority_id', 'force_id', 'return_category', 'offence_category', 'status', 'outcome', 'cases'] as const;

export interface ReturnsRow {
  authority_id: string;
  /** the force the case is (or was, when it ended) referred to; null when no force kept it */
  force_id: string | null;
  return_category: string | null;
  offence_category: string;
  status: string;
  /** closed or withdrawn: the case's outcome; open: the police outcome recorded so far, or null */
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

/**
 * The national returns for the caller's own authority: counts of its cases by force, category,
 * status and outcome. Every role that may ask belongs to one authority and sees only its cases;
 * a national body merges the authorities' files.
 */
@Injectable()
export class ReturnsService {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async rows(principal: Principal, query: ReturnsQuery): Promise<ReturnsRow[]> {
    if (!principal.authorityId) {
      throw new ApiError(HttpStatus.FORBIDDEN, 'the returns are made by an electoral authority', [
        { field: 'authorityId', problem: 'is missing from the token' },
      ]);
    }
    checkPeriod(query.from, query.to, 'to');
    const categories = Object.entries(RETURN_CATEGORY_OF);
    return this.db.query(COUNT_RETURNS, [
      principal.authorityId,
      categories.map(([offence]) => offence),
      categories.map(([, group]) => group),
      withOffset(query.from),
      withOffset(query.to),
      query.electionId ?? null,
      query.pollDate ?? null,
    ]);
  }

  async csv(principal: Principal, query: ReturnsQuery): Promise<string> {
    const rows = await this.rows(principal, query);
    return toCsv(
      RETURNS_HEADER,
      rows.map((row) => RETURNS_HEADER.map((column): CsvCell => row[column])),
    );
  }
}
