import { DurationError, durationMs, isDuration, parseDuration } from './duration';

const HOUR = 3_600_000;
const DAY = 86_400_000;

describe('parseDuration', () => {
  it.each([
    ['P2D', { days: 2, ms: 0 }],
    ['P1W', { days: 7, ms: 0 }],
    ['P1W3D', { days: 10, ms: 0 }],
    ['PT4H', { days: 0, ms: 4 * HOUR }],
    ['PT30M', { days: 0, ms: 30 * 60_000 }],
    ['PT30S', { days: 0, ms: 30_000 }],
    ['PT1.5S', { days: 0, ms: 1_500 }],
    ['PT1H30M', { days: 0, ms: 90 * 60_000 }],
    ['P1DT4H', { days: 1, ms: 4 * HOUR }],
    ['P2W1DT1H1M1S', { days: 15, ms: HOUR + 60_000 + 1_000 }],
    ['P0DT1H', { days: 0, ms: HOUR }],
  ])('reads %s', (text, expected) => {
    expect(parseDuration(text)).toEqual(expected);
  });

  it.each([
    ['', 'empty'],
    ['P', 'no components'],
    ['PT', 'no time components'],
    ['P1DT', 'a dangling T'],
    ['P1Y', 'years'],
    ['P1M', 'months'],
    ['P1Y2D', 'years with days'],
    ['p2d', 'lower case'],
    ['2D', 'no leading P'],
    ['P-1D', 'a negative'],
    ['P1.5D', 'fractional days'],
    ['PT.5S', 'a fraction without a leading digit'],
    [' P2D', 'leading whitespace'],
    ['P2D ', 'trailing whitespace'],
    ['P1D2W', 'components out of order'],
    ['PT4H2D', 'days after the T'],
  ])('refuses %j (%s)', (text) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
  });

  it.each(['P0D', 'PT0S', 'P0W', 'P0DT0H0M0S'])('refuses the zero duration %s', (text) => {
    expect(() => parseDuration(text)).toThrow(/zero duration/);
  });

  it('names the offending text and gives examples in its message', () => {
    expect(() => parseDuration('P1Y')).toThrow(/"P1Y" is not an ISO-8601 duration.*P2D/);
  });

  it.each([undefined, null, 42, {}, ['P2D']])('refuses a non-string %p with a DurationError', (value) => {
    expect(() => parseDuration(value as unknown as string)).toThrow(DurationError);
  });
});

describe('isDuration', () => {
  it('accepts policy durations', () => {
    for (const text of ['P2D', 'PT4H', 'PT30M', 'PT30S', 'P1W', 'P1DT12H']) expect(isDuration(text)).toBe(true);
  });

  it('rejects what parseDuration refuses, including non-strings', () => {
    for (const value of ['P1M', 'P0D', 'PT', '', 'banana', undefined, null, 3, true]) expect(isDuration(value)).toBe(false);
  });
});

describe('durationMs', () => {
  it('counts a day as 24 hours and adds the time part', () => {
    expect(durationMs(parseDuration('P2D'))).toBe(2 * DAY);
    expect(durationMs(parseDuration('P1W'))).toBe(7 * DAY);
    expect(durationMs(parseDuration('P1DT4H'))).toBe(DAY + 4 * HOUR);
    expect(durationMs(parseDuration('PT30M'))).toBe(1_800_000);
  });
});
