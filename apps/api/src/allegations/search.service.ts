import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '@libs/auth/principal';
import { AllegationsStore } from '@libs/persistence/stores/allegations.store';
import { DirectoryStore } from '@libs/persistence/stores/directory.store';
import { unprocessable } from '../common/api-error';
import { checkPeriod, withOffset } from '../common/instant';
import { AllegationView, toAllegationView } from '@libs/views/allegation';
import type { SearchAllegationsQuery } from './dto/search-allegations.query';
import { decodeSearchCursor, encodeSearchCursor, searchFingerprint } from './search-cursor';
import { fieldProblem, problem } from '@libs/domain';

export type SearchHit = AllegationView & { rank: number | null };

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

    const rows = await new AllegationsStore(this.db).search(principal.authorityId ?? '', {
      words,
      status: query.status,
      category: query.category,
      urgency: query.urgency,
      safetyConcern: query.safetyConcern,
      forceId: query.forceId,
      occurredFrom: withOffset(query.occurredFrom),
      occurredTo: withOffset(query.occurredTo),
      createdFrom: withOffset(query.createdFrom),
      createdTo: withOffset(query.createdTo),
      after,
      limit,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((m) => ({ ...toAllegationView(m.allegation), rank: m.rank === null ? null : Number(m.rank) })),
      nextCursor: rows.length > limit && last ? encodeSearchCursor({ rank: last.rank, createdAt: last.createdAt, id: last.allegation.id }, fingerprint) : null,
    };
  }

  /** Words that are all stop words or punctuation make an empty query, which matches nothing. */
  private async requireSearchableWords(words: string): Promise<void> {
    if ((await new AllegationsStore(this.db).searchTerms(words)) === 0)
      throw unprocessable(problem('search.no_words'), [fieldProblem('q', 'search.no_searchable_words')]);
  }

  private async requireForce(forceId: string): Promise<void> {
    if (!(await new DirectoryStore(this.db).findForce(forceId)))
      throw unprocessable(problem('field.no_such_force'), [fieldProblem('forceId', 'field.no_such_force')]);
  }
}
