// The decision table against the lifecycle as docs/users/lifecycle.md states it: which states
// and roles allow each decision, and the exact refusals the API passes on (409). The expected
// states and roles are written out here, not read from the table, so a decision offered in a
// state or to a role it should not be fails this test.
import { ROLES, type Role } from '@libs/auth/principal';
import { ALLEGATION_STATUSES, statutoryClock, type AllegationStatus } from '@libs/domain';
import type { Actor } from '../shared/types';
import { actingRole, DECISIONS, refusalOf, type CaseView, type DecisionRule } from './decisions';
import type { AllegationState } from './messages';

const OPEN: AllegationStatus[] = ['triage', 'awaiting_information', 'referred', 'accepted'];

/** Update name -> the states that allow it and the roles that may take it. */
const EXPECTED: Record<string, { states: AllegationStatus[]; roles: Role[] }> = {
  triage: { states: ['triage'], roles: ['triage'] },
  acceptReferral: { states: ['referred'], roles: ['spoc'] },
  returnReferral: { states: ['referred'], roles: ['spoc'] },
  investigationUpdate: { states: ['accepted'], roles: ['spoc'] },
  recordPoliceOutcome: { states: ['accepted'], roles: ['spoc'] },
  informationReceived: { states: ['awaiting_information'], roles: ['staff', 'triage'] },
  close: { states: ['accepted'], roles: ['returning_officer', 'triage'] },
  withdraw: { states: OPEN, roles: ['staff', 'triage'] },
  packageEvidence: { states: ['referred', 'accepted'], roles: ['triage'] },
  applyForExtension: { states: OPEN, roles: ['triage', 'returning_officer'] },
};

/** A payload each decision would accept. */
const PAYLOADS: Record<string, unknown> = {
  triage: { decision: 'refer', forceId: 'southvale-police', note: 'refer' },
  acceptReferral: { crimeReference: 'NP/1' },
  returnReferral: { reasonCode: 'wrong_force', note: 'not ours' },
  investigationUpdate: { note: 'witnesses seen' },
  recordPoliceOutcome: { outcome: 'no_further_action', note: 'no evidence' },
  informationReceived: { note: 'the reporter replied' },
  close: { outcome: 'caution', note: 'done' },
  withdraw: { note: 'the reporter withdrew' },
  packageEvidence: { packageId: 'p-1', evidenceIds: ['e-1'] },
  applyForExtension: { note: 'applied to the court' },
};

const NOW = Date.parse('2026-05-01T12:00:00Z');
const CASE_ID = 'case-1';

/** A case in `status` that nothing but its status (and what `change` sets) keeps from any decision. */
function caseIn(status: AllegationStatus, change: (s: AllegationState) => void = () => undefined): CaseView {
  const state: AllegationState = {
    caseId: CASE_ID,
    reference: 'NS-2026-00001',
    status,
    version: 3,
    effectiveUrgency: 'routine',
    safetyConcern: false,
    operationFord: false,
    deadlines: [],
    referral: {
      forceId: 'northshire-police',
      spocId: null,
      referredAt: '2026-04-01T10:00:00Z',
      referredBy: 'u-triage',
      respondBy: '2026-04-03T10:00:00Z',
      status: 'pending',
    },
    referrals: [],
    informationRequest: null,
    triageOwnerId: 'u-triage',
    resolution: null,
    duplicateOf: null,
    investigationUpdates: 0,
    policeOutcome: { outcome: 'caution', at: '2026-04-20T10:00:00Z', by: 'u-spoc' },
    outcome: null,
    closedAt: null,
    statutoryClock: statutoryClock(Date.parse('2026-04-01T09:00:00Z'), 10),
  };
  change(state);
  return { state, caseId: CASE_ID, authorityId: 'northshire', now: NOW };
}

function actor(roles: Role[], more: Partial<Actor> = {}): Actor {
  return {
    userId: 'u-1',
    roles,
    authorityId: roles.includes('spoc') ? undefined : 'northshire',
    forceId: roles.includes('spoc') ? 'northshire-police' : undefined,
    ...more,
  };
}

const rule = (name: string) => DECISIONS.find((d) => d.update.name === name) as DecisionRule<unknown, unknown>;
const refusal = (name: string, c: CaseView, who: Actor, payload: unknown = PAYLOADS[name]) => refusalOf(rule(name), c, payload, who);

it('the table holds every decision once, in the order the workflow registers them', () => {
  expect(DECISIONS.map((d) => d.update.name)).toEqual(Object.keys(EXPECTED));
});

describe.each(Object.entries(EXPECTED))('%s', (name, expected) => {
  it('is offered exactly in its states', () => {
    const who = actor(expected.roles);
    const allowedIn = ALLEGATION_STATUSES.filter((status) => refusal(name, caseIn(status), who) === null);
    expect(allowedIn).toEqual(expected.states);
    for (const status of ALLEGATION_STATUSES.filter((s) => !expected.states.includes(s))) {
      expect(refusal(name, caseIn(status), who)).toMatchObject({ rule: 'state' });
    }
  });

  it('is offered exactly to its roles', () => {
    const c = caseIn(expected.states[0]);
    const allowedTo = ROLES.filter((role) => refusal(name, c, actor([role])) === null);
    expect(allowedTo).toEqual(ROLES.filter((role) => expected.roles.includes(role)));
    for (const role of ROLES.filter((r) => !expected.roles.includes(r))) {
      expect(refusal(name, c, actor([role]))).toMatchObject({ rule: 'role', message: `this decision needs the role ${expected.roles.join(' or ')}` });
    }
  });

  it('is refused to another authority or force', () => {
    const c = caseIn(expected.states[0]);
    const outsider = expected.roles.includes('spoc')
      ? actor(expected.roles, { forceId: 'southvale-police' })
      : actor(expected.roles, { authorityId: 'southvale' });
    expect(refusal(name, c, outsider)).toMatchObject({ rule: expected.roles.includes('spoc') ? 'force' : 'tenant' });
  });
});

describe('refusals say what they said before the table', () => {
  const triage = actor(['triage']);
  const spoc = actor(['spoc']);

  it('a triage decision', () => {
    expect(refusal('triage', caseIn('referred'), triage)).toMatchObject({
      rule: 'state',
      message: 'the case is referred; a triage decision (refer) is allowed only when it is triage',
    });
    expect(refusal('triage', caseIn('closed'), triage, { decision: 'resolve', resolution: 'advice', note: 'n' })).toMatchObject({
      rule: 'state',
      message: 'the case is closed; a triage decision (resolve) is no longer possible',
    });
    expect(refusal('triage', caseIn('triage'), triage, { decision: 'duplicate', duplicateOf: CASE_ID, note: 'n' })).toMatchObject({
      rule: 'duplicate',
      message: 'a case cannot be a duplicate of itself',
    });
    expect(refusal('triage', caseIn('triage'), actor(['triage'], { authorityId: 'southvale' }))).toMatchObject({
      rule: 'tenant',
      message: 'only the authority that logged the case decides on it',
    });
  });

  it('the referred force', () => {
    expect(refusal('acceptReferral', caseIn('referred'), actor(['spoc'], { forceId: 'southvale-police' }))).toMatchObject({
      rule: 'force',
      message: 'the referral is addressed to northshire-police, not southvale-police',
    });
    expect(
      refusal(
        'acceptReferral',
        caseIn('triage', (s) => (s.referral = null)),
        spoc,
      ),
    ).toMatchObject({ rule: 'force', message: 'the case has not been referred to a police force' });
    const accepted = caseIn('accepted', (s) => Object.assign(s.referral!, { status: 'accepted', crimeReference: 'NP/1' }));
    expect(refusal('acceptReferral', accepted, spoc)).toMatchObject({ rule: 'repeated', message: 'the referral was already accepted (crime reference NP/1)' });
    expect(refusal('returnReferral', accepted, spoc)).toMatchObject({
      rule: 'state',
      message: 'the case is accepted; return is allowed only when it is referred',
    });
    expect(refusal('recordPoliceOutcome', caseIn('accepted'), spoc, { outcome: 'caution', note: 'n' })).toMatchObject({
      rule: 'repeated',
      message: 'the police outcome is already caution',
    });
  });

  it('closing', () => {
    expect(refusal('close', caseIn('awaiting_information'), triage)).toMatchObject({
      rule: 'state',
      message: 'the case is awaiting_information; a case that was never accepted by the police is closed by a triage decision (resolve or duplicate)',
    });
    expect(refusal('close', caseIn('referred'), triage)).toMatchObject({
      rule: 'state',
      message: 'the case is referred; closing is allowed only when it is accepted',
    });
    const noOutcome = caseIn('accepted', (s) => (s.policeOutcome = null));
    expect(refusal('close', noOutcome, triage)).toMatchObject({
      rule: 'role',
      message: 'the police have not recorded an outcome yet; only the Returning Officer can close the case now (you act as triage)',
    });
    expect(refusal('close', noOutcome, actor(['returning_officer']))).toBeNull();
  });

  it('withdrawing', () => {
    expect(refusal('withdraw', caseIn('withdrawn'), triage)).toMatchObject({ rule: 'state', message: 'the case is already withdrawn' });
    for (const status of ['referred', 'accepted'] as const) {
      expect(refusal('withdraw', caseIn(status), actor(['staff']))).toMatchObject({
        rule: 'role',
        message: `the case is ${status}; once the police have it, only triage can withdraw it, so that the force is told`,
      });
    }
    expect(refusal('withdraw', caseIn('awaiting_information'), actor(['staff']))).toBeNull();
  });

  it('packaging evidence', () => {
    expect(refusal('packageEvidence', caseIn('triage'), triage)).toMatchObject({
      rule: 'state',
      message: 'the case is triage; packaging evidence for the police is allowed only when it is referred or accepted',
    });
  });

  it('an extension application', () => {
    expect(
      refusal(
        'applyForExtension',
        caseIn('closed', (s) => (s.statutoryClock = null)),
        triage,
      ),
    ).toMatchObject({ rule: 'state', message: 'this case was logged before the statutory clock was tracked' });
    expect(refusal('applyForExtension', caseIn('closed'), triage)).toMatchObject({ rule: 'state', message: 'the case is closed' });
    expect(
      refusal(
        'applyForExtension',
        caseIn('accepted', (s) => (s.statutoryClock!.proceedingsStartedAt = '2026-04-20T10:00:00Z')),
        triage,
      ),
    ).toMatchObject({
      rule: 'state',
      message: 'proceedings have started; no extension is needed',
    });
    expect(
      refusal(
        'applyForExtension',
        caseIn('triage', (s) => (s.statutoryClock!.extensionAppliedAt = '2026-04-20T10:00:00.000Z')),
        triage,
      ),
    ).toMatchObject({
      rule: 'repeated',
      message: 'an extension was already applied for at 2026-04-20T10:00:00.000Z',
    });
    const late = { ...caseIn('triage'), now: Date.parse('2027-04-01T09:00:00Z') };
    expect(refusal('applyForExtension', late, triage)).toMatchObject({
      rule: 'late',
      message: `one year from the offence passed at ${late.state.statutoryClock!.limitAt}; s.176 allows no extension application after it`,
    });
  });
});

it('a refusal carries its code and the values its words name, for a client to say it in its own language', () => {
  const referred = caseIn('referred');
  expect(refusal('returnReferral', caseIn('accepted'), actor(['spoc']))).toEqual({
    rule: 'state',
    code: 'decision.not_in_state',
    values: { status: 'accepted', decision: 'return', allowed: ['referred'] },
    message: 'the case is accepted; return is allowed only when it is referred',
  });
  expect(refusal('acceptReferral', referred, actor(['staff']))).toMatchObject({ code: 'decision.role_needed', values: { roles: ['spoc'] } });
  expect(refusal('acceptReferral', referred, actor(['spoc'], { forceId: 'southvale-police' }))).toMatchObject({
    code: 'decision.other_force',
    values: { forceId: 'northshire-police', yourForceId: 'southvale-police' },
  });
});

it('a decision is recorded under the most senior of its roles the actor holds', () => {
  const both = actor(['staff', 'triage', 'returning_officer']);
  expect(actingRole(both, rule('informationReceived').roles)).toBe('triage');
  expect(actingRole(both, rule('withdraw').roles)).toBe('triage');
  expect(actingRole(both, rule('close').roles)).toBe('returning_officer');
  expect(actingRole(both, rule('applyForExtension').roles)).toBe('returning_officer');
  expect(actingRole(actor(['staff']), rule('withdraw').roles)).toBe('staff');
  expect(actingRole(actor(['legal']), rule('withdraw').roles)).toBeUndefined();
});
