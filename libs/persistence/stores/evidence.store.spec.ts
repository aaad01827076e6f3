import type { Queryable } from './queryable';
import { EvidenceStore } from './evidence.store';

const answering = (rows: unknown): Queryable => ({ query: async () => rows });

describe('EvidenceStore', () => {
  it('reads a digital item’s size (bigint, sent as a string) as a number, and a physical item’s as null', async () => {
    expect((await new EvidenceStore(answering([{ id: 'e1', size: '1048576' }])).find('e1'))?.size).toBe(1_048_576);
    expect((await new EvidenceStore(answering([{ id: 'e2', size: null }])).find('e2'))?.size).toBeNull();
  });

  it('maps a custody event’s holders', async () => {
    const [c] = await new EvidenceStore(
      answering([{ evidence_id: 'e1', seq: 2, action: 'handed_over', from_holder: 'Sam', to_holder: 'northshire-police', seal_number: 'S1' }]),
    ).custodyOf('e1');
    expect(c).toMatchObject({ evidenceId: 'e1', seq: 2, fromHolder: 'Sam', toHolder: 'northshire-police', sealNumber: 'S1' });
  });
});
