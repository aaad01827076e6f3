import { eventTimeProblems, planGaps, type PlannedEvent } from './electoral-events';

const complete: PlannedEvent = {
  kind: 'count',
  startsAt: '2027-05-06T22:00:00Z',
  endsAt: '2027-05-07T06:00:00Z',
  venue: 'Northshire Leisure Centre',
  plan: { summary: 'Count at the leisure centre', measures: ['Accreditation checked at the door'] },
  policeContactId: '00000000-0000-4000-8000-000000000001',
  riskIds: ['00000000-0000-4000-8000-000000000002'],
};

describe('planGaps', () => {
  it('finds nothing missing in a complete plan', () => {
    expect(planGaps(complete)).toEqual([]);
  });

  it('names each missing part of the plan by its field', () => {
    const gaps = planGaps({ ...complete, venue: ' ', plan: null, policeContactId: null, riskIds: [] });
    expect(gaps.map((g) => g.field)).toEqual(['venue', 'plan.summary', 'plan.measures', 'policeContactId', 'riskIds']);
  });

  it('asks for a linked risk only where ballot boxes are opened', () => {
    expect(planGaps({ ...complete, kind: 'postal_vote_opening', riskIds: [] })).toEqual([]);
    expect(planGaps({ ...complete, kind: 'verification', riskIds: [] }).map((g) => g.field)).toEqual(['riskIds']);
  });

  it('does not count blank measures', () => {
    expect(planGaps({ ...complete, plan: { summary: 'x', measures: ['  '] } }).map((g) => g.field)).toEqual(['plan.measures']);
  });
});

describe('eventTimeProblems', () => {
  it('accepts an overnight count after polling day', () => {
    expect(eventTimeProblems('2027-05-06', '2027-05-06T22:00:00Z', '2027-05-07T06:00:00Z')).toEqual([]);
  });

  it('refuses an event that ends before it starts, or far from polling day', () => {
    expect(eventTimeProblems('2027-05-06', '2027-05-06T22:00:00Z', '2027-05-06T21:00:00Z')).toEqual([
      { field: 'endsAt', problem: 'must be after startsAt', code: 'event.ends_before_start', values: {} },
    ]);
    expect(eventTimeProblems('2027-05-06', '2027-09-01T10:00:00Z', null).map((p) => p.field)).toEqual(['startsAt']);
  });
});
