// Dates and times the GOV.UK way, in UK time.
import { ukDate, ukDateTime } from './render';

it.each([
  ['2026-12-06T12:03:00Z', '6 December 2026 at 12:03pm'],
  ['2026-12-06T00:30:00Z', '6 December 2026 at 12:30am'],
  ['2027-05-06T21:00:00Z', '6 May 2027 at 10:00pm'],
  ['2027-05-06T08:05:00Z', '6 May 2027 at 9:05am'],
])('%s is %s', (iso, shown) => {
  expect(ukDateTime(iso)).toBe(shown);
});

it('shows nothing for what is not a time', () => {
  expect(ukDateTime('not a time')).toBe('');
  expect(ukDate(undefined)).toBe('');
});
