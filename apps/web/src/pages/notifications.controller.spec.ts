// Each kind of subject links to the page that shows it; a subject with no page says what it is about.
import { subjectLink } from './notifications.controller';

const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
const caseId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

it.each([
  ['allegation', caseId, `/cases/${caseId}`],
  ['evidence', caseId, `/cases/${caseId}/evidence/${id}`],
  ['package', caseId, `/cases/${caseId}/evidence#package-${id}`],
  ['risk', null, `/risk-register/${id}`],
  ['ballot_discrepancy', null, `/ballot-security/discrepancies#discrepancy-${id}`],
  ['liaison', null, '/police-liaison'],
  ['indicator_alert', null, `/alerts#alert-${id}`],
  ['indicator_upload', null, `/monitoring#upload-${id}`],
])('a notification about a %s links to its page', (type, caseOf, href) => {
  expect(subjectLink({ type, id: type === 'allegation' ? caseId : id, caseId: caseOf })?.href).toBe(href);
});

it('one about an evidence item of no case says what it is about, with no link', () => {
  const link = subjectLink({ type: 'evidence', id, caseId: null });
  expect(link?.href).toBeUndefined();
  expect(link?.text).toBe('About an evidence item');
});

it('none for a notification about nothing', () => {
  expect(subjectLink(null)).toBeUndefined();
});
