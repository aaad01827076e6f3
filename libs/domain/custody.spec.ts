import { applyCustody, CustodyItem, CustodyRequest } from './custody';

const held: CustodyItem = { status: 'held', holder: 'triage@northshire', location: 'Town Hall safe', sealNumber: null };
const refused = (item: CustodyItem, request: CustodyRequest) => {
  const decision = applyCustody(item, request);
  if (decision.ok) throw new Error(`expected a refusal of ${request.action}`);
  return decision;
};

describe('applyCustody', () => {
  it('seals an unsealed item, and refuses a second seal number without a reseal', () => {
    const sealed = applyCustody(held, { action: 'sealed', sealNumber: 'S-1001' });
    expect(sealed).toEqual({ ok: true, item: { ...held, sealNumber: 'S-1001' } });
    const item = (sealed as { item: CustodyItem }).item;
    expect(refused(item, { action: 'sealed', sealNumber: 'S-2002' })).toMatchObject({ rule: 'reseal', field: 'sealNumber' });
    expect(refused(item, { action: 'sealed', sealNumber: 'S-1001' })).toMatchObject({ rule: 'repeated' });
    expect(refused(item, { action: 'resealed', sealNumber: 'S-2002' })).toMatchObject({ rule: 'reason', field: 'note' });
    expect(applyCustody(item, { action: 'resealed', sealNumber: 'S-2002', note: 'opened for examination' })).toEqual({
      ok: true,
      item: { ...item, sealNumber: 'S-2002' },
    });
  });

  it('lets only the current holder pass the item on', () => {
    expect(refused(held, { action: 'transferred', from: 'someone@else', to: 'x' })).toMatchObject({ rule: 'holder', field: 'from' });
    expect(refused(held, { action: 'transferred', from: held.holder })).toMatchObject({ rule: 'recipient', field: 'to' });
    expect(refused(held, { action: 'transferred', from: held.holder, to: held.holder })).toMatchObject({ rule: 'recipient' });
    expect(applyCustody(held, { action: 'transferred', from: held.holder, to: 'legal@northshire', location: 'Legal office' })).toEqual({
      ok: true,
      item: { ...held, holder: 'legal@northshire', location: 'Legal office' },
    });
  });

  it('allows nothing after destruction', () => {
    const destroyed: CustodyItem = { ...held, status: 'destroyed' };
    for (const action of ['sealed', 'transferred', 'examined', 'returned'] as const) {
      expect(refused(destroyed, { action, from: held.holder, to: 'x', sealNumber: 'S', note: 'n' })).toMatchObject({ rule: 'destroyed' });
    }
  });

  it('locks an item in a sealed package', () => {
    expect(refused({ ...held, status: 'packaged' }, { action: 'transferred', from: held.holder, to: 'x' })).toMatchObject({ rule: 'locked' });
  });

  it('leaves packaging, handover, collection and destruction to their own steps', () => {
    for (const action of ['packaged', 'handed_over', 'collected', 'destroyed'] as const) {
      expect(refused(held, { action, from: held.holder, to: 'x' })).toMatchObject({ rule: 'action' });
    }
  });

  it('needs a note for an examination, and brings a handed-over item back when returned', () => {
    expect(refused(held, { action: 'examined', from: held.holder })).toMatchObject({ rule: 'reason' });
    const police: CustodyItem = { ...held, status: 'handed_over', holder: 'spoc@northshire-police' };
    expect(applyCustody(police, { action: 'returned', from: 'spoc@northshire-police', to: 'triage@northshire' })).toEqual({
      ok: true,
      item: { ...police, status: 'held', holder: 'triage@northshire' },
    });
  });
});
