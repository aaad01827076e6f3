import { durationFromWords, durationInWords } from './durations';

describe('policy durations in words', () => {
  it.each([
    ['P2D', '2 days'],
    ['PT4H', '4 hours'],
    ['PT30M', '30 minutes'],
    ['P1DT12H', '1 day 12 hours'],
    ['P2W', '2 weeks'],
    ['PT1H30M', '1 hour 30 minutes'],
    ['PT45S', '45 seconds'],
    ['P730D', '730 days'],
  ])('shows %s as "%s", and reads it back', (iso, words) => {
    expect(durationInWords(iso)).toBe(words);
    expect(durationFromWords(words)).toBe(iso);
  });

  it.each([
    ['2d', 'P2D'],
    ['p2d', 'P2D'],
    ['PT4H', 'PT4H'],
    ['1 day, 12 hours', 'P1DT12H'],
    ['1 day and 12 hours', 'P1DT12H'],
    ['90 mins', 'PT90M'],
    ['0 days', 'P0D'],
  ])('reads "%s" as %s', (text, iso) => {
    expect(durationFromWords(text)).toBe(iso);
  });

  it.each(['two days', '2 months', '1 year', '', '2', '2 days 3 days', '1.5 days', 'P', 'PT', '2 days soon'])('cannot read "%s"', (text) => {
    expect(durationFromWords(text)).toBeUndefined();
  });
});
