import type { Queryable } from './queryable';
import { TransparencyStore } from './transparency.store';

/** A Queryable that answers every query with `rows` and remembers what it was asked. */
function answering(rows: unknown): Queryable & { calls: { sql: string; parameters?: unknown[] }[] } {
  const calls: { sql: string; parameters?: unknown[] }[] = [];
  return { calls, query: async (sql, parameters) => (calls.push({ sql, parameters }), rows) };
}

const checkpointRow = (id: string, issuedAt: string) => ({
  id,
  authority_id: 'northshire',
  tree_size: '1048576',
  root_hash: 'cd'.repeat(32),
  issued_at: new Date(issuedAt),
  key_id: 'k1',
  signature: 'c2ln',
});

describe('TransparencyStore', () => {
  it('reads sizes and indexes (bigint text) as numbers', async () => {
    expect(await new TransparencyStore(answering([{ size: '12' }])).logSize('northshire')).toBe(12);
    expect(await new TransparencyStore(answering([{ events: '11' }])).eventCount('northshire')).toBe(11);
    expect(await new TransparencyStore(answering([{ log_index: '5' }])).logIndexOf('northshire', 'c1', 2)).toBe(5);
    expect(await new TransparencyStore(answering([])).logIndexOf('northshire', 'c1', 9)).toBeNull();
    expect(await new TransparencyStore(answering([{ log_index: '3', hash: 'ab' }])).leavesBetween('northshire', 3, 4)).toEqual([{ logIndex: 3, hash: 'ab' }]);
  });

  it('an authority whose cache never grew has cached nothing', async () => {
    expect(await new TransparencyStore(answering([])).cachedSize('northshire')).toBe(0);
    expect(await new TransparencyStore(answering([{ cached_size: '4096' }])).cachedSize('northshire')).toBe(4096);
  });

  it('asks for leaves and cached nodes in one query, and reads their levels and indexes as numbers', async () => {
    const db = answering([
      { level: 0, idx: '6', hash: 'aa' },
      { level: 2, idx: '1', hash: 'bb' },
    ]);
    const found = await new TransparencyStore(db).subtrees('northshire', [6], [{ level: 2, index: 1 }]);
    expect(found).toEqual([
      { level: 0, index: 6, hash: 'aa' },
      { level: 2, index: 1, hash: 'bb' },
    ]);
    expect(db.calls).toHaveLength(1);
    expect(db.calls[0].parameters).toEqual(['northshire', [6], [2], [1]]);
  });

  it('stores subtree hashes as hex, one array per column', async () => {
    const db = answering([]);
    await new TransparencyStore(db).addSubtrees('northshire', [{ level: 1, index: 0, hash: Buffer.from('0a0b', 'hex') }]);
    expect(db.calls[0].parameters).toEqual(['northshire', [1], [0], ['0a0b']]);
  });

  it('maps a checkpoint: tree size as a number, issued at as an ISO string', async () => {
    expect(await new TransparencyStore(answering([checkpointRow('1', '2026-05-01T09:00:00.000Z')])).latestCheckpoint('northshire')).toEqual({
      authorityId: 'northshire',
      treeSize: 1_048_576,
      rootHash: 'cd'.repeat(32),
      issuedAt: '2026-05-01T09:00:00.000Z',
      keyId: 'k1',
      signature: 'c2ln',
    });
    expect(await new TransparencyStore(answering([])).checkpointOfSize('northshire', 3)).toBeNull();
  });

  it('pages checkpoints: one more asked for than shown, the next page after the last shown', async () => {
    const db = answering([checkpointRow('9', '2026-05-02T00:00:00.000Z'), checkpointRow('8', '2026-05-01T00:00:00.000Z')]);
    const page = await new TransparencyStore(db).listCheckpoints('northshire', 1);
    expect(db.calls[0].parameters).toEqual(['northshire', 2]);
    expect(page.items).toHaveLength(1);
    expect(page.next).toEqual({ issuedAt: '2026-05-02T00:00:00.000Z', id: '9' });
    const last = await new TransparencyStore(answering([checkpointRow('8', '2026-05-01T00:00:00.000Z')])).listCheckpoints('northshire', 1, page.next!);
    expect(last.next).toBeNull();
  });
});
