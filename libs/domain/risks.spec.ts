import fc from 'fast-check';
import { firstRiskReviewDue, nextReviewDue, riskEscalationDue, riskScore } from './risks';

const at = (iso: string) => Date.parse(iso);
const nearPoll = { within: 'P7D', every: 'P1D' };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('riskScore', () => {
  it('multiplies likelihood by impact and bands the score', () => {
    expect(riskScore(1, 4)).toEqual({ score: 4, rating: 'low' });
    expect(riskScore(5, 1)).toEqual({ score: 5, rating: 'medium' });
    expect(riskScore(2, 5)).toEqual({ score: 10, rating: 'high' });
    expect(riskScore(5, 5)).toEqual({ score: 25, rating: 'very_high' });
  });
});

describe('nextReviewDue', () => {
  it('is the cadence after the last review when no poll is near', () => {
    expect(nextReviewDue(at('2026-03-02T09:00:00Z'), { every: 'P7D', pollDate: '2026-05-07', nearPoll })).toBe(at('2026-03-09T09:00:00Z'));
    expect(nextReviewDue(at('2026-03-02T09:00:00Z'), { every: 'PT3S', nearPoll })).toBe(at('2026-03-02T09:00:03Z'));
  });

  it('tightens to daily in the final week before polling day', () => {
    // polling day 7 May 2026 starts at 23:00 UTC on 6 May (BST); the window opens a week before
    expect(nextReviewDue(at('2026-05-02T09:00:00Z'), { every: 'P7D', pollDate: '2026-05-07', nearPoll })).toBe(at('2026-05-03T09:00:00Z'));
  });

  it('brings a weekly review forward to one day into the window', () => {
    const windowOpens = at('2026-04-29T23:00:00Z');
    expect(nextReviewDue(at('2026-04-27T09:00:00Z'), { every: 'P7D', pollDate: '2026-05-07', nearPoll })).toBe(windowOpens + DAY);
  });

  it('relaxes again after polling day', () => {
    expect(nextReviewDue(at('2026-05-09T09:00:00Z'), { every: 'P7D', pollDate: '2026-05-07', nearPoll })).toBe(at('2026-05-16T09:00:00Z'));
  });

  it('never waits longer than the cadence, nor longer than the tight cadence inside the window', () => {
    const poll = at('2026-05-06T23:00:00Z');
    fc.assert(
      fc.property(fc.integer({ min: poll - 30 * DAY, max: poll + 10 * DAY }), fc.integer({ min: 1, max: 30 }), (last, days) => {
        const due = nextReviewDue(last, { every: `P${days}D`, pollDate: '2026-05-07', nearPoll });
        expect(due).toBeGreaterThan(last);
        expect(due - last).toBeLessThanOrEqual(days * DAY);
        if (last >= poll - 7 * DAY && last < poll + DAY) expect(due - last).toBeLessThanOrEqual(DAY);
      }),
    );
  });
});

describe('firstRiskReviewDue', () => {
  const policy = { riskReviewNearPoll: { within: 'P7D', every: 'P1D' }, riskReviewGrace: 'P2D' };

  it('is the cadence after registration, and the escalation the grace after that', () => {
    expect(firstRiskReviewDue(new Date('2026-03-02T09:00:00Z'), { every: 'P14D', pollDate: null }, policy)).toEqual({
      reviewDueAt: '2026-03-16T09:00:00.000Z',
      escalationDueAt: '2026-03-18T09:00:00.000Z',
    });
  });

  it('falls due as the review workflow computes it near polling day', () => {
    const registered = new Date('2026-04-20T09:00:00Z');
    const due = firstRiskReviewDue(registered, { every: 'P30D', pollDate: '2026-05-07' }, policy);
    expect(due.reviewDueAt).toBe(
      new Date(nextReviewDue(registered.getTime(), { every: 'P30D', pollDate: '2026-05-07', nearPoll: policy.riskReviewNearPoll })).toISOString(),
    );
    expect(due.escalationDueAt).toBe(riskEscalationDue(due.reviewDueAt, 'P2D'));
    expect(Date.parse(due.reviewDueAt)).toBeLessThan(registered.getTime() + 30 * 86_400_000);
  });
});
