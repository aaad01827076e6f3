import fc from 'fast-check';
import { checkObservation, checkObservationHeader, crossesThreshold, normaliseSubject, type IndicatorsByKey } from './indicators';

const indicators: IndicatorsByKey = new Map([
  ['postal_votes_per_address', { id: 'ind-1', status: 'active' }],
  ['old_indicator', { id: 'ind-2', status: 'retired' }],
]);
const now = Date.parse('2026-11-23T12:00:00Z');
const row = (overrides: Record<string, unknown> = {}) => ({
  indicator: 'postal_votes_per_address',
  subject: ' 12  High Street ',
  value: '7',
  observedAt: '2026-11-20',
  ...overrides,
});

describe('checkObservation', () => {
  it('accepts a good row, tidying the subject and reading the value and date', () => {
    const { observation, problems } = checkObservation(row(), 2, indicators, now);
    expect(problems).toEqual([]);
    expect(observation).toEqual({
      indicatorId: 'ind-1',
      subject: '12 High Street',
      subjectKey: '12 high street',
      value: 7,
      observedAt: new Date('2026-11-20T00:00:00Z'),
      note: null,
    });
    expect(checkObservation(row({ value: '2.5', observedAt: '2026-11-20T10:15:00+01:00', note: ' care home ' }), 3, indicators, now).observation).toMatchObject(
      { value: 2.5, observedAt: new Date('2026-11-20T09:15:00Z'), note: 'care home' },
    );
  });

  it('names every bad field of a row with its line', () => {
    const { observation, problems } = checkObservation({ indicator: 'nope', subject: '  ', value: '-3', observedAt: '20/11/2026' }, 9, indicators, now);
    expect(observation).toBeUndefined();
    expect(problems.map((p) => `${p.line} ${p.field}`)).toEqual(['9 indicator', '9 subject', '9 value', '9 observedAt']);
  });

  it('refuses impossible and future dates, retired indicators and overlong subjects', () => {
    expect(checkObservation(row({ observedAt: '2026-02-30' }), 2, indicators, now).problems).toEqual([expect.objectContaining({ field: 'observedAt' })]);
    expect(checkObservation(row({ observedAt: '2026-11-24T12:00:00Z' }), 2, indicators, now).problems).toEqual([
      { line: 2, field: 'observedAt', problem: 'is in the future', code: 'field.in_future', values: {} },
    ]);
    expect(checkObservation(row({ indicator: 'old_indicator' }), 2, indicators, now).problems).toEqual([
      { line: 2, field: 'indicator', problem: '"old_indicator" is retired', code: 'indicator.retired', values: { key: 'old_indicator' } },
    ]);
    expect(checkObservation(row({ subject: 'x'.repeat(301) }), 2, indicators, now).problems).toEqual([expect.objectContaining({ field: 'subject' })]);
    expect(checkObservation(row({ value: '1e3' }), 2, indicators, now).problems).toEqual([expect.objectContaining({ field: 'value' })]);
  });

  it('never throws and always either accepts or names a problem, whatever the row holds', () => {
    fc.assert(
      fc.property(
        fc.record({
          indicator: fc.string(),
          subject: fc.string(),
          value: fc.oneof(fc.string(), fc.double()),
          observedAt: fc.string(),
          note: fc.option(fc.string(), { nil: undefined }),
        }),
        (input) => {
          const { observation, problems } = checkObservation(input as never, 5, indicators, now);
          expect(Boolean(observation) !== problems.length > 0).toBe(true);
          for (const p of problems) expect(p.line).toBe(5);
        },
      ),
    );
  });
});

describe('checkObservationHeader', () => {
  it('accepts the columns in any order, note optional', () => {
    expect(checkObservationHeader(['value', 'subject', 'observedAt', 'indicator'])).toEqual([]);
    expect(checkObservationHeader(['indicator', 'subject', 'value', 'observedAt', 'note'])).toEqual([]);
  });

  it('names unknown, repeated and missing columns on line 1', () => {
    expect(checkObservationHeader(['indicator', 'subject', 'subject', 'ward'])).toEqual([
      { line: 1, field: 'subject', problem: 'appears twice', code: 'indicator.column_twice', values: {} },
      {
        line: 1,
        field: 'ward',
        problem: expect.stringContaining('is not a column'),
        code: 'indicator.not_a_column',
        values: { columns: 'indicator, subject, value, observedAt, note' },
      },
      { line: 1, field: 'value', problem: 'column is missing', code: 'indicator.column_missing', values: {} },
      { line: 1, field: 'observedAt', problem: 'column is missing', code: 'indicator.column_missing', values: {} },
    ]);
  });
});

describe('thresholds and subjects', () => {
  it('a value reaching the threshold crosses it', () => {
    expect(crossesThreshold(6, 6)).toBe(true);
    expect(crossesThreshold(5.99, 6)).toBe(false);
  });

  it('subjects that differ only in case and spacing are the same subject', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9 ,]*$/), (s) =>
        expect(normaliseSubject(s.toUpperCase()).subjectKey).toBe(normaliseSubject(` ${s.toLowerCase()}  `).subjectKey),
      ),
    );
  });
});
