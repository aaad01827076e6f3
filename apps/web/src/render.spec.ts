// Dates and times the GOV.UK way, in UK time.
import { ukDate, ukDateTime, views } from './render';

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

it.each([
  ['2026-12-06T12:03:00Z', '6 Rhagfyr 2026 am 12:03yh'],
  ['2026-12-06T00:30:00Z', '6 Rhagfyr 2026 am 12:30yb'],
  ['2027-05-06T21:00:00Z', '6 Mai 2027 am 10:00yh'],
  ['2027-07-06T08:05:00Z', '6 Gorffennaf 2027 am 9:05yb'],
])('in Welsh %s is %s', (iso, shown) => {
  expect(ukDateTime(iso, 'cy')).toBe(shown);
});

it('formats dates and numbers, and translates, in the page language', () => {
  const page = (lang: string) =>
    views().renderString('{{ t("Sign out") }}|{{ "2027-05-06T08:05:00Z" | ukDate }}|{{ 12345 | number }}|{{ "referred" | label }}', { lang });
  expect(page('en')).toBe('Sign out|6 May 2027|12,345|Referred to police');
  expect(page('cy')).toBe('Allgofnodi|6 Mai 2027|12,345|Wedi’i atgyfeirio at yr heddlu');
});
