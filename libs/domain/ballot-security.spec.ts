import { applyBallotStep, type BallotItem } from './ballot-security';

const batch: BallotItem = { kind: 'ballot_paper_batch', status: 'held', location: 'Town Hall strong room', sealNumber: null, quantity: 500 };
const sealed: BallotItem = { ...batch, status: 'sealed', sealNumber: 'S-100' };

describe('applyBallotStep', () => {
  it('stores an item, naming who has access', () => {
    expect(applyBallotStep(batch, { action: 'stored', location: 'Depot cage 2', accessBy: ['Electoral services manager'] })).toEqual({
      ok: true,
      item: { ...batch, location: 'Depot cage 2' },
      discrepancies: [],
    });
    expect(applyBallotStep(batch, { action: 'stored', location: 'Depot cage 2', accessBy: [' '] })).toMatchObject({ ok: false, field: 'accessBy' });
  });

  it('seals once, and opens only what is sealed', () => {
    expect(applyBallotStep(batch, { action: 'sealed', sealNumber: 'S-100' })).toMatchObject({ ok: true, item: { status: 'sealed', sealNumber: 'S-100' } });
    expect(applyBallotStep(sealed, { action: 'sealed', sealNumber: 'S-101' })).toMatchObject({ ok: false, field: 'sealNumber' });
    expect(applyBallotStep(batch, { action: 'opened' })).toMatchObject({ ok: false, field: 'action' });
  });

  it('asks for the seal number read off a sealed item when it moves or is opened', () => {
    expect(applyBallotStep(sealed, { action: 'moved', location: 'Polling station CW3' })).toMatchObject({ ok: false, field: 'sealNumberObserved' });
    expect(applyBallotStep(sealed, { action: 'moved', location: 'Polling station CW3', sealNumberObserved: 'S-100' })).toMatchObject({
      ok: true,
      discrepancies: [],
    });
  });

  it('records a seal that does not match, and a count that does not match, as discrepancies of a step still recorded', () => {
    const decision = applyBallotStep(sealed, { action: 'opened', sealNumberObserved: 'S-999', countObserved: 498, location: 'Count hall' });
    expect(decision).toEqual({
      ok: true,
      item: { ...sealed, status: 'opened', sealNumber: null, location: 'Count hall' },
      discrepancies: [
        { kind: 'seal_mismatch', expected: 'S-100', observed: 'S-999' },
        { kind: 'count_mismatch', expected: '500', observed: '498' },
      ],
    });
  });

  it('does nothing more with a returned item', () => {
    expect(applyBallotStep({ ...batch, status: 'returned' }, { action: 'stored', location: 'x', accessBy: ['y'] })).toMatchObject({
      ok: false,
      field: 'action',
    });
  });
});
