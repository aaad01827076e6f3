import { ApiError } from './api-error';
import { checkPeriod, isInstant, withOffset } from './instant';

describe('period bounds', () => {
  it('accept a calendar date or a date-time with Z or an offset', () => {
    for (const ok of ['2026-11-01', '2024-02-29', '2026-11-01T10:00Z', '2026-11-01T10:00:00Z', '2026-11-01T10:00:00.123456+01:00', '2026-11-01T10:00:00-05:30'])
      expect([ok, isInstant(ok)]).toEqual([ok, true]);
  });

  it('refuse dates that do not exist, local times without an offset, and other text', () => {
    for (const bad of [
      '2026-02-30',
      '2025-02-29',
      '2026-13-01',
      '2026-11-01T25:00:00Z',
      '2026-11-01T10:00:00',
      '01/11/2026',
      'yesterday',
      '',
      '2026-11-01 10:00:00Z',
      20261101,
    ]) {
      expect([bad, isInstant(bad)]).toEqual([bad, false]);
    }
  });

  it('are passed to PostgreSQL with an explicit offset, to the microsecond', () => {
    expect(withOffset('2026-11-01')).toBe('2026-11-01T00:00:00Z');
    expect(withOffset('2026-11-01T10:00:00.123456+01:00')).toBe('2026-11-01T10:00:00.123456+01:00');
    expect(withOffset(undefined)).toBeNull();
  });

  it('refuse a period that ends before it starts, naming its end', () => {
    expect(() => checkPeriod('2026-11-02', '2026-11-01', 'createdTo')).toThrow(ApiError);
    try {
      checkPeriod('2026-11-02', '2026-11-01', 'createdTo');
    } catch (error) {
      expect((error as ApiError).getStatus()).toBe(422);
      expect((error as ApiError).details).toEqual([
        { field: 'createdTo', problem: 'is before the start of the period', code: 'period.before_start', values: {} },
      ]);
    }
    expect(() => checkPeriod('2026-11-01', '2026-11-01', 'to')).not.toThrow();
    expect(() => checkPeriod(undefined, '2026-11-01', 'to')).not.toThrow();
  });
});
