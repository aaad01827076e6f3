import { londonInstant, measuresFrom } from './elections';

describe('londonInstant', () => {
  it('reads a date and time as London time, summer and winter', () => {
    expect(londonInstant('2027-05-06', '22:00')).toBe('2027-05-06T21:00:00.000Z');
    expect(londonInstant('2027-01-14', '9:30')).toBe('2027-01-14T09:30:00.000Z');
  });

  it('refuses what is not a date and a time', () => {
    expect(londonInstant('2027-02-30', '10:00')).toBeUndefined();
    expect(londonInstant('6 May', '10:00')).toBeUndefined();
    expect(londonInstant('2027-05-06', '25:00')).toBeUndefined();
    expect(londonInstant('2027-05-06', '')).toBeUndefined();
  });
});

it('takes one measure a line, dropping blank lines', () => {
  expect(measuresFrom('Accreditation at the door\r\n\r\n  Boxes logged on arrival  \n')).toEqual(['Accreditation at the door', 'Boxes logged on arrival']);
});
