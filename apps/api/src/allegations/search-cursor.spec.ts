import { ApiError } from '../common/api-error';
import { decodeSearchCursor, encodeSearchCursor, searchFingerprint } from './search-cursor';

const position = { rank: '0.6079271', createdAt: '2026-11-23T10:15:30.123456Z', id: '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f' };

function problem(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return `${error.getStatus()} ${error.details.map((d) => `${d.field}: ${d.problem}`).join('; ')}`;
    throw error;
  }
  return undefined;
}

describe('search cursors', () => {
  it('round-trip the full sort key exactly', () => {
    const print = searchFingerprint({ q: 'postal votes', status: 'triage' });
    expect(decodeSearchCursor(encodeSearchCursor(position, print), print, true)).toEqual(position);
    const unranked = { ...position, rank: null };
    const plain = searchFingerprint({ status: 'triage' });
    expect(decodeSearchCursor(encodeSearchCursor(unranked, plain), plain, false)).toEqual(unranked);
  });

  it('identify a search by its words and filters, not by its paging or the order of its parameters', () => {
    expect(searchFingerprint({ q: 'a', status: 'triage', limit: 5, cursor: 'x' })).toBe(searchFingerprint({ status: 'triage', q: 'a', limit: 50 }));
    expect(searchFingerprint({ q: 'a', urgency: undefined })).toBe(searchFingerprint({ q: 'a' }));
    expect(searchFingerprint({ q: 'a' })).not.toBe(searchFingerprint({ q: 'b' }));
    expect(searchFingerprint({ safetyConcern: true })).not.toBe(searchFingerprint({ safetyConcern: false }));
  });

  it('refuse a cursor from another search with 422 naming the cursor', () => {
    const cursor = encodeSearchCursor(position, searchFingerprint({ q: 'postal' }));
    expect(problem(() => decodeSearchCursor(cursor, searchFingerprint({ q: 'proxy' }), true))).toBe('422 cursor: was returned by a different search');
  });

  it('refuse garbage and forged cursors with 422 naming the cursor', () => {
    const print = searchFingerprint({ q: 'postal' });
    const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const bad of [
      'not-a-cursor',
      '',
      forge({ rank: 1 }),
      forge([print, '1; DROP TABLE allegations', position.createdAt, position.id]),
      forge([print, position.rank, '2026-11-23', position.id]),
      forge([print, position.rank, position.createdAt, 'not-a-uuid']),
      forge([print, null, position.createdAt, position.id]), // a ranked search needs a rank
    ]) {
      expect(problem(() => decodeSearchCursor(bad, print, true))).toBe('422 cursor: is not a valid cursor');
    }
  });
});
