import type { Principal } from '@libs/auth/principal';
import { actionsFor, timelineOf } from './case-view';

const user = (roles: Principal['roles'], extra: Partial<Principal> = {}): Principal => ({ sub: 'u', roles, authorityId: 'northshire', ...extra }) as Principal;
const spoc = user(['spoc'], { authorityId: undefined, forceId: 'northshire-police' });
const otherSpoc = user(['spoc'], { authorityId: undefined, forceId: 'southvale-police' });
const triage = user(['triage']);
const staff = user(['staff']);
const ro = user(['returning_officer']);

const accepted = { status: 'accepted', referral: { forceId: 'northshire-police', status: 'accepted' }, policeOutcome: null };
const decided = { ...accepted, policeOutcome: { outcome: 'caution', at: '2026-11-20T10:00:00.000Z', by: 'spoc' } };

describe('the decisions a case page offers', () => {
  it('offers the investigation forms to the SPOC of the force that accepted the case, and no other', () => {
    expect(actionsFor(spoc, accepted).investigation).toBe(true);
    expect(actionsFor(otherSpoc, accepted).investigation).toBe(false);
    expect(actionsFor(spoc, { ...accepted, status: 'referred', referral: { forceId: 'northshire-police', status: 'pending' } }).investigation).toBe(false);
    expect(actionsFor(triage, accepted).investigation).toBe(false);
  });

  it('offers closing to the Returning Officer once the police accepted, and to triage only after the police outcome', () => {
    expect(actionsFor(ro, accepted).close).toBe(true);
    expect(actionsFor(triage, accepted).close).toBe(false);
    expect(actionsFor(triage, decided).close).toBe(true);
    expect(actionsFor(ro, { status: 'triage' }).close).toBe(false);
    expect(actionsFor(staff, decided).close).toBe(false);
  });

  it('offers withdrawal to staff before the police have the case, to triage while it is open, and never once it has ended', () => {
    expect(actionsFor(staff, { status: 'triage' }).withdraw).toBe(true);
    expect(actionsFor(staff, { status: 'awaiting_information' }).withdraw).toBe(true);
    expect(actionsFor(staff, accepted).withdraw).toBe(false);
    expect(actionsFor(staff, { status: 'referred' }).withdraw).toBe(false);
    expect(actionsFor(triage, accepted).withdraw).toBe(true);
    expect(actionsFor(triage, { status: 'closed' }).withdraw).toBe(false);
    expect(actionsFor(triage, { status: 'withdrawn' }).withdraw).toBe(false);
    expect(actionsFor(spoc, accepted).withdraw).toBe(false);
  });
  it("offers recording the reporter's reply to staff and triage while the case waits for it", () => {
    expect(actionsFor(staff, { status: 'awaiting_information' }).information).toBe(true);
    expect(actionsFor(triage, { status: 'awaiting_information' }).information).toBe(true);
    expect(actionsFor(staff, { status: 'triage' }).information).toBe(false);
    expect(actionsFor(ro, { status: 'awaiting_information' }).information).toBe(false);
  });
});

describe('the statutory extension', () => {
  const clock = (extra = {}) => ({ limitAt: new Date(Date.now() + 86_400_000).toISOString(), extensionAppliedAt: null, ...extra });
  it('is offered to triage and the Returning Officer while the first year runs and none was applied for', () => {
    expect(actionsFor(triage, { status: 'accepted', statutoryClock: clock() }).extension).toBe(true);
    expect(actionsFor(ro, { status: 'triage', statutoryClock: clock() }).extension).toBe(true);
    expect(actionsFor(staff, { status: 'triage', statutoryClock: clock() }).extension).toBe(false);
  });
  it('is not offered once applied for, once the year has passed, once proceedings started, or on an ended case', () => {
    expect(actionsFor(triage, { status: 'accepted', statutoryClock: clock({ extensionAppliedAt: '2026-11-01T00:00:00.000Z' }) }).extension).toBe(false);
    expect(actionsFor(triage, { status: 'accepted', statutoryClock: clock({ limitAt: '2020-01-01T00:00:00.000Z' }) }).extension).toBe(false);
    expect(actionsFor(triage, { status: 'accepted', statutoryClock: clock({ proceedingsStartedAt: '2026-11-01T00:00:00.000Z' }) }).extension).toBe(false);
    expect(actionsFor(triage, { status: 'closed', statutoryClock: clock() }).extension).toBe(false);
  });
});

describe('the timeline', () => {
  it('shows the police outcome and tells a withdrawal from a closure', () => {
    const base = { createdAt: '2026-11-01T09:00:00.000Z', urgency: 'routine', deadlines: { history: [] }, referrals: [] };
    const withdrawn = timelineOf({ ...base, status: 'withdrawn', outcome: 'withdrawn', closedAt: '2026-11-02T09:00:00.000Z' }, (id) => id).map((e) => e.text);
    expect(withdrawn).toEqual(['Allegation logged (Routine)', 'Allegation withdrawn']);
    const closed = timelineOf({ ...base, ...decided, outcome: 'caution', status: 'closed', closedAt: '2026-11-21T09:00:00.000Z' }, (id) => id).map(
      (e) => e.text,
    );
    expect(closed).toEqual(['Allegation logged (Routine)', 'Police outcome: Caution', 'Closed: Caution']);
    const duplicate = timelineOf(
      { ...base, status: 'closed', outcome: 'resolved_without_referral', duplicateOf: 'c-1', closedAt: '2026-11-02T09:00:00.000Z' },
      (id) => id,
    ).map((e) => e.text);
    expect(duplicate.at(-1)).toBe('Closed as a duplicate of another case');
  });
});
