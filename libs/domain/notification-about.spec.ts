// Every due key format the code writes (the `writtenBy` files) names the record its notification
// is about; one that starts with its case's id is about the case; anything else names nothing.
import { aboutFromDueKey } from './notification-about';

const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
const caseId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const at = '2026-12-06T10:00:00.000Z';

it.each([
  [`risk:${id}:${at}:reminder`, null, { type: 'risk', id }],
  [`risk:${id}:${at}:escalation`, null, { type: 'risk', id }],
  [`liaison:${id}:${at}:reminder`, null, { type: 'liaison', id }],
  [`integrity:${id}:missing`, caseId, { type: 'evidence', id }],
  [`integrity:${id}:${'ab'.repeat(32)}`, caseId, { type: 'evidence', id }],
  [`disposal-review:${id}:${at}`, caseId, { type: 'evidence', id }],
  [`indicator-alert:${id}`, null, { type: 'indicator_alert', id }],
  [`indicator-upload:${id}`, null, { type: 'indicator_upload', id }],
  [`ballot-discrepancy:${id}`, null, { type: 'ballot_discrepancy', id }],
  [`${id}:acknowledge:reminder:${at}`, caseId, { type: 'package', id }],
  [`${id}:acknowledge:escalation`, caseId, { type: 'package', id }],
  [`${caseId}:safety-alert`, caseId, { type: 'allegation', id: caseId }],
  [`${caseId}:referral:1:returned`, caseId, { type: 'allegation', id: caseId }],
  [`${caseId}:triage:${at}:reminder:${at}`, caseId, { type: 'allegation', id: caseId }],
  [`${caseId}:statutory-extension-task`, caseId, { type: 'allegation', id: caseId }],
  ['risk:not-a-uuid:x', null, null],
  ['weekly-digest:2026-12-06', null, null],
])('%s is about %j', (dueKey, caseOf, expected) => {
  expect(aboutFromDueKey(dueKey, caseOf)).toEqual(expected);
});
