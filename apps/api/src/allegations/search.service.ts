import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '@libs/auth/principal';
import { AllegationEntity } from '@libs/persistence';
import { unprocessable } from '../common/api-error';
import { checkPeriod, withOffset } from '../common/instant';
import { AllegationView, toAllegationView } from './allegation.view';
import type { SearchAllegationsQuery } from './dto/search-allegations.query';
import { decodeSearchCursor, encodeSearchCursor, searchFingerprint } from './search-cursor';
import { fieldProblem, problem } from '@libs/domain';

export type SearchHit = AllegationView & { rank: number | null };

// Written out in SELECT, WHERE and ORDER BY alike; parsing a 200-character query is cheap.
const TSQUERY = `websearch_to_tsquery('english', :q)`;
const RANK = `ts_rank(a.search, ${TSQUERY})`;
// created_at to the microsecond, in UTC, so a cursor compares exactly with the stored value.
const CREATED_AT_TEXT = `to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * Full-text search over the caller's authority's allegations (the `search` tsvector of the
 * Search migration). With words, the best matches come first; without, the newest. Either way
 * the order ends in created_at and id, so every row has one place and cursor pages are stable.
 */
@Injectable()
export class AllegationSearchService {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async search(principal: Principal, query: SearchAllegationsQuery): Promise<{ items: SearchHit[]; nextCursor: string | null }> {
    checkPeriod(query.occurredFrom, query.occurredTo, 'occurredTo');
    checkPeriod(query.createdFrom, query.createdTo, 'createdTo');
    const words = query.q?.trim() ? query.q.trim() : undefined;
    if (words !== undefined) await this.requireSearchableWords(words);
    if (query.forceId !== undefined) await this.requireForce(query.forceId);
    const filters = { ...query, q: words };
    const fingerprint = searchFingerprint(filters);
    const after = query.cursor === undefined ? undefined : decodeSearchCursor(query.cursor, fingerprint, words !== undefined);
    const limit = query.limit ?? 20;

    const qb = this.db
      .getRepository(AllegationEntity)
      .createQueryBuilder('a')
      .addSelect(CREATED_AT_TEXT, 'position_created_at')
      .where('a.authority_id = :authorityId', { authorityId: principal.authorityId ?? '' });
    if (query.status) qb.andWhere('a.status = :status', { status: query.status });
    if (query.category) qb.andWhere('a.category = :category', { category: query.category });
    if (query.urgency) qb.andWhere('a.urgency = :urgency', { urgency: query.urgency });
    if (query.safetyConcern !== undefined) qb.andWhere('a.safety_concern = :safetyConcern', { safetyConcern: query.safetyConcern });
    if (query.forceId) qb.andWhere('a.referral_force_ids @> ARRAY[:forceId]::text[]', { forceId: query.forceId });
    if (query.occurredFrom) qb.andWhere('a.occurred_at >= :occurredFrom', { occurredFrom: withOffset(query.occurredFrom) });
    if (query.occurredTo) qb.andWhere('a.occurred_at < :occurredTo', { occurredTo: withOffset(query.occurredTo) });
    if (query.createdFrom) qb.andWhere('a.created_at >= :createdFrom', { createdFrom: withOffset(query.createdFrom) });
    if (query.createdTo) qb.andWhere('a.created_at < :createdTo', { createdTo: withOffset(query.createdTo) });
    if (words !== undefined) {
      qb.setParameter('q', words)
        .addSelect(`${RANK}::text`, 'position_rank')
        // Through the GIN index: under row-level security `a.search @@ …` could not use it (the
        // function's comment in migration 1764666000000-TenantIsolation says why).
        .andWhere(`a.id IN (SELECT allegations_matching(${TSQUERY}))`)
        .orderBy(RANK, 'DESC');
      if (after)
        qb.andWhere(`(${RANK}, a.created_at, a.id) < (CAST(:rank AS real), CAST(:createdAt AS timestamptz), CAST(:id AS uuid))`, {
          rank: after.rank,
          createdAt: after.createdAt,
          id: after.id,
        });
    } else if (after) {
      qb.andWhere('(a.created_at, a.id) < (CAST(:createdAt AS timestamptz), CAST(:id AS uuid))', { createdAt: after.createdAt, id: after.id });
    }
    qb.addOrderBy('a.created_at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .limit(limit + 1);

    const { entities, raw } = await qb.getRawAndEntities<{ a_id: string; position_created_at: string; position_rank?: string }>();
    const positions = new Map(raw.map((r) => [r.a_id, r]));
    const page = entities.slice(0, limit);
    const last = page.length > 0 ? positions.get(page[page.length - 1].id) : undefined;
    return {
      items: page.map((e) => {
        const rank = positions.get(e.id)?.position_rank;
        return { ...toAllegationView(e), rank: rank === undefined ? null : Number(rank) };
      }),
      nextCursor:
        entities.length > limit && last
          ? encodeSearchCursor({ rank: last.position_rank ?? null, createdAt: last.position_created_at, id: last.a_id }, fingerprint)
          : null,
    };
  }

  /** Words that are all stop words or punctuation make an empty query, which matches nothing. */
  private async requireSearchableWords(words: string): Promise<void> {
    const [{ nodes }] = await this.db.query(`SELECT numnode(websearch_to_tsquery('english', $1)) AS nodes`, [words]);
    if (Number(nodes) === 0) throw unprocessable(problem('search.no_words'), [fieldProblem('q', 'search.no_searchable_words')]);
  }

  private async requireForce(forceId: string): Promise<void> {
    const rows = await this.db.query('SELECT 1 FROM police_forces WHERE id = $1', [forceId]);
    if (rows.length === 0) throw unprocessable(problem('field.no_such_force'), [fieldProblem('forceId', 'field.no_such_force')]);
  }
}
