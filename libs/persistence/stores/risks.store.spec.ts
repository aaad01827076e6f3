import type { Queryable } from './queryable';
import { RisksStore } from './risks.store';

const answering = (rows: unknown): Queryable => ({ query: async () => rows });

describe('RisksStore', () => {
  it('maps a risk row to camelCase, dates kept as dates', async () => {
    const due = new Date('2026-06-01T00:00:00Z');
    const risk = await new RisksStore(
      answering([
        {
          id: 'r1',
          authority_id: 'a1',
          election_id: null,
          poll_date: '2026-05-07',
          title: 'Postal vote fraud',
          category: 'fraud',
          likelihood: 3,
          impact: 4,
          owner_id: 'u1',
          mitigations: [{ id: 'm1', description: 'd', ownerId: 'u2', status: 'planned' }],
          review_every: 'P7D',
          status: 'open',
          last_reviewed_at: null,
          next_review_due_at: due,
          escalated_at: null,
          created_at: due,
          updated_at: due,
          closed_at: null,
        },
      ]),
    ).find('r1');
    expect(risk).toEqual({
      id: 'r1',
      authorityId: 'a1',
      electionId: null,
      pollDate: '2026-05-07',
      title: 'Postal vote fraud',
      category: 'fraud',
      likelihood: 3,
      impact: 4,
      ownerId: 'u1',
      mitigations: [{ id: 'm1', description: 'd', ownerId: 'u2', status: 'planned' }],
      reviewEvery: 'P7D',
      status: 'open',
      lastReviewedAt: null,
      nextReviewDueAt: due,
      escalatedAt: null,
      createdAt: due,
      updatedAt: due,
      closedAt: null,
    });
  });

  it('a missing risk is undefined', async () => {
    expect(await new RisksStore(answering([])).find('r1')).toBeUndefined();
  });

  it('reads an UPDATE’s affected-row count as whether the open risk changed', async () => {
    expect(await new RisksStore(answering([[], 0])).closeOpen('r1')).toBe(false);
    expect(await new RisksStore(answering([[], 1])).closeOpen('r1')).toBe(true);
  });
});
