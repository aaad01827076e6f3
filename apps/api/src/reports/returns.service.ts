import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '@libs/auth/principal';
import { RETURN_CATEGORY_OF } from '@libs/domain/returns';
import { ReturnsStore, type ReturnsCount } from '@libs/persistence/stores/returns.store';
import { ApiError } from '../common/api-error';
import { checkPeriod, withOffset } from '../common/instant';
import { toCsv, type CsvCell } from './csv';
import type { ReturnsQuery } from './dto/returns.query';

export const RETURNS_HEADER = ['authority_id', 'force_id', 'return_category', 'offence_category', 'status', 'outcome', 'cases'] as const;

/** Each CSV column's field of a count. */
const FIELD_OF: Record<(typeof RETURNS_HEADER)[number], keyof ReturnsCount> = {
  authority_id: 'authorityId',
  force_id: 'forceId',
  return_category: 'returnCategory',
  offence_category: 'offenceCategory',
  status: 'status',
  outcome: 'outcome',
  cases: 'cases',
};

/**
 * The national returns for the caller's own authority: counts of its cases by force, category,
 * status and outcome. Every role that may ask belongs to one authority and sees only its cases;
 * a national body merges the authorities' files.
 */
@Injectable()
export class ReturnsService {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async rows(principal: Principal, query: ReturnsQuery): Promise<ReturnsCount[]> {
    if (!principal.authorityId) {
      throw new ApiError(HttpStatus.FORBIDDEN, 'the returns are made by an electoral authority', [
        { field: 'authorityId', problem: 'is missing from the token' },
      ]);
    }
    checkPeriod(query.from, query.to, 'to');
    return new ReturnsStore(this.db).count(principal.authorityId, {
      returnCategoryOf: RETURN_CATEGORY_OF,
      from: withOffset(query.from),
      to: withOffset(query.to),
      electionId: query.electionId ?? null,
      pollDate: query.pollDate ?? null,
    });
  }

  async csv(principal: Principal, query: ReturnsQuery): Promise<string> {
    const rows = await this.rows(principal, query);
    return toCsv(
      RETURNS_HEADER,
      rows.map((row) => RETURNS_HEADER.map((column): CsvCell => row[FIELD_OF[column]])),
    );
  }
}
