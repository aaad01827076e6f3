import type { Queryable } from './queryable';
import { ReturnsStore } from './returns.store';

/** A Queryable that answers every query with `rows` and remembers what it was asked. */
function answering(rows: unknown): Queryable & { calls: { sql: string; parameters?: unknown[] }[] } {
  const calls: { sql: string; parameters?: unknown[] }[] = [];
  return { calls, query: async (sql, parameters) => (calls.push({ sql, parameters }), rows) };
}

describe('ReturnsStore', () => {
  it('passes the category groups as two parallel arrays and maps each count', async () => {
    const db = answering([
      { authority_id: 'northshire', force_id: null, return_category: 'voting', offence_category: 'personation', status: 'triage', outcome: null, cases: 2 },
    ]);
    const counts = await new ReturnsStore(db).count('northshire', {
      returnCategoryOf: { personation: 'voting', bribery: 'campaigning' },
      from: '2026-01-01T00:00:00Z',
      to: null,
      electionId: null,
      pollDate: '2026-05-07',
    });
    expect(db.calls[0].parameters).toEqual([
      'northshire',
      ['personation', 'bribery'],
      ['voting', 'campaigning'],
      '2026-01-01T00:00:00Z',
      null,
      null,
      '2026-05-07',
    ]);
    expect(counts).toEqual([
      { authorityId: 'northshire', forceId: null, returnCategory: 'voting', offenceCategory: 'personation', status: 'triage', outcome: null, cases: 2 },
    ]);
  });
});
