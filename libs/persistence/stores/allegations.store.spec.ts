import { AllegationsStore } from './allegations.store';
import type { Queryable } from './queryable';

/** A Queryable that answers every query with `rows` and remembers what it was asked. */
function answering(rows: unknown): Queryable & { calls: { sql: string; parameters?: unknown[] }[] } {
  const calls: { sql: string; parameters?: unknown[] }[] = [];
  return { calls, query: async (sql, parameters) => (calls.push({ sql, parameters }), rows) };
}

const created = new Date('2026-05-01T10:00:00.123Z');
const row = {
  id: 'c1',
  authority_id: 'northshire',
  reference: 'NS-2026-00001',
  category: 'personation',
  election_id: null,
  poll_date: new Date(2026, 4, 7),
  location: { ward: 'Central' },
  occurred_at: created,
  reporter: { name: 'R' },
  description: 'd',
  urgency: 'routine',
  safety_concern: false,
  people_involved: [],
  status: 'triage',
  triage_due_at: null,
  referred_force_id: null,
  escalated_at: null,
  state: {},
  state_version: 0,
  spoc_due_at: null,
  information_due_at: null,
  next_due_at: null,
  outcome: null,
  closed_at: null,
  duplicate_of: null,
  referral_force_ids: ['northshire-police'],
  operation_ford: false,
  created_by: 'u1',
  created_at: created,
  updated_at: created,
};

describe('AllegationsStore', () => {
  it('gives a poll date back as the calendar date it was (node-postgres reads a date as local midnight)', async () => {
    const a = await new AllegationsStore(answering([row])).find('c1');
    expect(a).toMatchObject({ id: 'c1', authorityId: 'northshire', pollDate: '2026-05-07', referralForceIds: ['northshire-police'], createdAt: created });
    expect((await new AllegationsStore(answering([{ ...row, poll_date: null }])).find('c1'))?.pollDate).toBeNull();
  });

  it('lists with only the filters given, the text matched literally (no LIKE wildcards from the caller)', async () => {
    const db = answering([]);
    await new AllegationsStore(db).list('northshire', { text: '50%_off\\', limit: 20 });
    expect(db.calls[0].parameters).toEqual(['northshire', '%50\\%\\_off\\\\%', 21]);
    expect(db.calls[0].sql).not.toMatch(/a\.(status|category) =/);
    await new AllegationsStore(db).list('northshire', {
      status: 'triage',
      category: 'bribery',
      before: { createdAt: created.toISOString(), id: 'c0' },
      limit: 5,
    });
    expect(db.calls[1].parameters).toEqual(['northshire', 'triage', 'bribery', created.toISOString(), 'c0', 6]);
  });

  it('gives each search match its place in the order as PostgreSQL printed it; no rank without words', async () => {
    const ranked = await new AllegationsStore(answering([{ ...row, position_created_at: '2026-05-01T10:00:00.123456Z', position_rank: '0.0607927' }])).search(
      'northshire',
      { words: 'canvasser', limit: 20 },
    );
    expect(ranked).toEqual([{ allegation: expect.objectContaining({ id: 'c1' }), rank: '0.0607927', createdAt: '2026-05-01T10:00:00.123456Z' }]);
    const db = answering([{ ...row, position_created_at: '2026-05-01T10:00:00.123456Z' }]);
    const newest = await new AllegationsStore(db).search('northshire', { limit: 20 });
    expect(newest[0].rank).toBeNull();
    expect(db.calls[0].sql).not.toMatch(/ts_rank/);
  });
});
