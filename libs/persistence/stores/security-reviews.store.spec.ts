import type { Queryable } from './queryable';
import { SecurityReviewsStore } from './security-reviews.store';

const answering = (rows: unknown): Queryable => ({ query: async () => rows });

describe('SecurityReviewsStore', () => {
  it('gives the day a review was held back as the calendar date it was, its actions as recorded', async () => {
    const created = new Date('2026-04-02T08:30:00Z');
    const actions = [{ id: 'x1', description: 'Check the seals', owner: 'northshire-police', dueBy: '2026-05-01', status: 'open' }];
    const [review] = await new SecurityReviewsStore(
      answering([
        {
          id: 'v1',
          authority_id: 'a1',
          poll_id: null,
          force_id: 'northshire',
          held_on: new Date(2026, 3, 1),
          attendees: ['RO', 'SPOC'],
          findings: 'Strong room fine',
          actions,
          created_by: 'u1',
          created_at: created,
        },
      ]),
    ).listForAuthority('a1');
    expect(review).toEqual({
      id: 'v1',
      authorityId: 'a1',
      pollId: null,
      forceId: 'northshire',
      heldOn: '2026-04-01',
      attendees: ['RO', 'SPOC'],
      findings: 'Strong room fine',
      actions,
      createdBy: 'u1',
      createdAt: created,
    });
  });

  it('writes a review’s actions as JSON', async () => {
    const params: unknown[][] = [];
    const actions = [{ id: 'x1', description: 'Check the seals', owner: 'u2', dueBy: '2026-05-01' }];
    await new SecurityReviewsStore({
      query: async (_sql: string, p?: unknown[]) => (params.push(p ?? []), [{ id: 'v1', held_on: '2026-04-01', actions }]),
    }).insert({ id: 'v1', authorityId: 'a1', pollId: null, forceId: 'f1', heldOn: '2026-04-01', attendees: [], findings: '', actions, createdBy: 'u1' });
    expect(JSON.parse(params[0][7] as string)).toEqual(actions);
  });

  it('a force that is not in the directory does not exist', async () => {
    expect(await new SecurityReviewsStore(answering([])).forceExists('nowhere')).toBe(false);
    expect(await new SecurityReviewsStore(answering([{ '?column?': 1 }])).forceExists('northshire')).toBe(true);
  });
});
