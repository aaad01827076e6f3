import type { Queryable } from './queryable';
import { LiaisonStore } from './liaison.store';

const answering = (rows: unknown): Queryable => ({ query: async () => rows });

describe('LiaisonStore', () => {
  it('gives a poll date back as the calendar date it was (node-postgres reads a date as local midnight)', async () => {
    const c = await new LiaisonStore(answering([{ id: 'c1', poll_date: new Date(2026, 4, 7), created_at: new Date() }])).candidateContact('c1');
    expect(c?.pollDate).toBe('2026-05-07');
  });

  it('carries the people’s names only where the read joined them', async () => {
    const joined = await new LiaisonStore(answering([{ id: 'a1', lead_id: null, lead_name: null, spoc_name: 'Sam', feoa_name: 'Fay' }])).agreement('a1');
    expect(joined).toMatchObject({ leadName: null, spocName: 'Sam', feoaName: 'Fay' });
    const bare = await new LiaisonStore(answering([{ id: 'a1', lead_id: null }])).lockAgreement('n', 'f');
    expect(bare).not.toHaveProperty('spocName');
  });
});
