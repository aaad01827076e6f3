import type { Queryable } from './queryable';
import { BallotItemsStore } from './ballot-items.store';

const answering = (rows: unknown): Queryable => ({ query: async () => rows });

const at = new Date('2026-05-06T18:00:00Z');

const discrepancyRow = (over: Record<string, unknown> = {}) => ({
  id: 'd1',
  authority_id: 'a1',
  item_id: 'i1',
  custody_event_id: 'c1',
  kind: 'seal_mismatch',
  expected: 'S-1',
  observed: 'S-2',
  status: 'open',
  allegation_id: null,
  decision_note: null,
  decided_by: null,
  decided_at: null,
  raised_at: at,
  ...over,
});

describe('BallotItemsStore', () => {
  it('maps an item row to camelCase, dates kept as dates', async () => {
    const item = await new BallotItemsStore(
      answering([
        {
          id: 'i1',
          authority_id: 'a1',
          poll_id: null,
          kind: 'ballot_box',
          label: 'Box 7',
          quantity: 500,
          serial_from: null,
          serial_to: null,
          status: 'sealed',
          location: 'Strong room',
          seal_number: 'S-1',
          created_at: at,
          updated_at: at,
        },
      ]),
    ).findForAuthority('i1', 'a1', true);
    expect(item).toEqual({
      id: 'i1',
      authorityId: 'a1',
      pollId: null,
      kind: 'ballot_box',
      label: 'Box 7',
      quantity: 500,
      serialFrom: null,
      serialTo: null,
      status: 'sealed',
      location: 'Strong room',
      sealNumber: 'S-1',
      createdAt: at,
      updatedAt: at,
    });
  });

  it('an item whose label its kind already uses is not inserted: undefined', async () => {
    const store = new BallotItemsStore(answering([]));
    const inserted = await store.insertItem({
      id: 'i1',
      authorityId: 'a1',
      pollId: null,
      kind: 'ballot_box',
      label: 'Box 7',
      quantity: null,
      serialFrom: null,
      serialTo: null,
      location: 'Strong room',
      createdBy: 'u1',
    });
    expect(inserted).toBeUndefined();
    expect(await store.findForAuthority('i1', 'a1')).toBeUndefined();
  });

  it('takes the item’s row lock only when asked', async () => {
    const sql: string[] = [];
    const store = new BallotItemsStore({ query: async (text: string) => (sql.push(text), []) });
    await store.findForAuthority('i1', 'a1');
    await store.findForAuthority('i1', 'a1', true);
    expect(sql[0]).not.toContain('FOR UPDATE');
    expect(sql[1]).toContain('FOR UPDATE');
  });

  it('maps a custody step, who had access and what was observed', async () => {
    const [step] = await new BallotItemsStore(
      answering([
        {
          id: 'c1',
          action: 'opened',
          at,
          recorded_by: 'u1',
          location: 'Count hall',
          seal_number: null,
          seal_number_observed: 'S-2',
          count_observed: 499,
          access_by: ['Pat'],
          note: '',
        },
      ]),
    ).custody('i1');
    expect(step).toEqual({
      id: 'c1',
      action: 'opened',
      at,
      recordedBy: 'u1',
      location: 'Count hall',
      sealNumber: null,
      sealNumberObserved: 'S-2',
      countObserved: 499,
      accessBy: ['Pat'],
      note: '',
    });
  });

  it('carries the item’s label only where the read joined the item', async () => {
    const [listed] = await new BallotItemsStore(answering([discrepancyRow({ item_label: 'Box 7' })])).listDiscrepancies('a1', 'open');
    expect(listed).toMatchObject({ id: 'd1', itemId: 'i1', itemLabel: 'Box 7', custodyEventId: 'c1', allegationId: null, decidedAt: null, raisedAt: at });
    const locked = await new BallotItemsStore(answering([discrepancyRow({ status: 'allegation', decided_by: 'u1', decided_at: at })])).lockDiscrepancy(
      'd1',
      'a1',
    );
    expect(locked).not.toHaveProperty('itemLabel');
    expect(locked).toMatchObject({ status: 'allegation', decidedBy: 'u1', decidedAt: at });
  });

  it('a discrepancy of another authority, or none, is undefined', async () => {
    expect(await new BallotItemsStore(answering([])).lockDiscrepancy('d1', 'a2')).toBeUndefined();
  });
});
