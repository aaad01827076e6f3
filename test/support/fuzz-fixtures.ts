// The records the fuzzing suites aim at (a case, an evidence item, an indicator with an alert, a
// risk, a candidate contact), and the API's routes with a caller allowed to use each and a valid
// body, so that hostile variations get past the role check and reach validation and the services.
import fc from 'fast-check';
import request from 'supertest';
import { nameUuid } from '@libs/auth';
import { POLICE_OUTCOMES, RETURN_REASONS } from '@libs/domain';
import { changedTables, describeInput, FUZZ_SEED, writeFingerprint } from './hostile';
import { allegationBody, TestStack } from './stack';

export interface Fixtures {
  caseId: string;
  evidenceId: string;
  indicatorId: string;
  alertId: string;
  riskId: string;
  contactId: string;
  pollId: string;
  eventId: string;
  ballotItemId: string;
  reviewId: string;
  reviewActionId: string;
}

export async function createFixtures(stack: TestStack): Promise<Fixtures> {
  const as = async (u: string) => `Bearer ${await stack.token(u)}`;
  const ok = (res: request.Response, what: string) => {
    if (res.status >= 300) throw new Error(`fixture ${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const caseId = ok(
    await stack.http
      .post('/allegations')
      .set('Authorization', await as('staff@northshire'))
      .send(allegationBody()),
    'case',
  ).id;
  const evidenceId = ok(
    await stack.http
      .post(`/allegations/${caseId}/evidence`)
      .set('Authorization', await as('triage@northshire'))
      .send({ kind: 'physical', description: 'Envelope B', sealNumber: 'NS-SEAL-1', location: 'Strongroom' }),
    'evidence',
  ).id;
  const indicatorId = ok(
    await stack.http
      .post('/indicators')
      .set('Authorization', await as('plan_owner@northshire'))
      .send({ key: 'postal_votes_per_address', name: 'Postal votes per address', subjectType: 'address', threshold: 6 }),
    'indicator',
  ).id;
  const observed = ok(
    await stack.http
      .post(`/indicators/${indicatorId}/observations`)
      .set('Authorization', await as('staff@northshire'))
      .send({ subject: '12 High Street', value: 9, observedAt: '2026-11-20T09:00:00Z' }),
    'observation',
  );
  const riskId = ok(
    await stack.http
      .post('/risks')
      .set('Authorization', await as('plan_owner@northshire'))
      .send(riskBody()),
    'risk',
  ).id;
  const contactId = ok(
    await stack.http
      .post('/candidate-contacts')
      .set('Authorization', await as('returning_officer@northshire'))
      .send({ kind: 'candidate', name: 'C. Andidate', email: 'c.andidate@example.com' }),
    'contact',
  ).id;
  const pollId = ok(
    await stack.http
      .post('/polls')
      .set('Authorization', await as('returning_officer@northshire'))
      .send({ electionId: 'local.northshire.fuzz', title: 'Fuzz poll', pollingDay: '2027-05-06' }),
    'poll',
  ).id;
  const eventId = ok(
    await stack.http
      .post(`/polls/${pollId}/events`)
      .set('Authorization', await as('plan_owner@northshire'))
      .send({ kind: 'count', title: 'Count', startsAt: '2027-05-06T22:00:00Z' }),
    'event',
  ).id;
  const ballotItemId = ok(
    await stack.http
      .post('/ballot-items')
      .set('Authorization', await as('staff@northshire'))
      .send(ballotItemBody('Fuzz batch 1')),
    'ballot item',
  ).id;
  const review = ok(
    await stack.http
      .post('/ballot-security-reviews')
      .set('Authorization', await as('returning_officer@northshire'))
      .send(reviewBody()),
    'security review',
  );
  return {
    caseId,
    evidenceId,
    indicatorId,
    alertId: observed.alertsRaised[0],
    riskId,
    contactId,
    pollId,
    eventId,
    ballotItemId,
    reviewId: review.id,
    reviewActionId: review.actions[0].id,
  };
}

function ballotItemBody(label: string) {
  return {
    kind: 'ballot_paper_batch',
    label,
    quantity: 500,
    serialFrom: 'CW-000001',
    serialTo: 'CW-000500',
    receivedFrom: 'Acme Election Print',
    location: 'Town Hall strong room',
  };
}

function reviewBody() {
  return {
    forceId: 'northshire-police',
    heldOn: '2026-11-01',
    attendees: ['Returning Officer'],
    findings: 'Depot key log not kept.',
    actions: [{ description: 'Keep a key log', owner: 'Electoral services', dueBy: '2027-04-01' }],
  };
}

function riskBody() {
  const mitigation = { description: 'Brief care home managers', ownerId: nameUuid('plan_owner@northshire'), status: 'planned' };
  return {
    title: 'Postal vote harvesting at care homes',
    category: 'postal_voting',
    likelihood: 3,
    impact: 4,
    ownerId: nameUuid('plan_owner@northshire'),
    mitigations: [mitigation],
    reviewEvery: 'P7D',
  };
}

export interface JsonRoute {
  method: 'post' | 'patch' | 'put';
  path: string;
  user: string;
  body: Record<string, unknown>;
}

/** Every route that takes a JSON body, with a caller allowed to use it and a body it would accept. */
export function jsonRoutes(f: Fixtures): JsonRoute[] {
  const note = { note: 'Recorded for the fuzzing suite.' };
  return [
    { method: 'post', path: '/allegations', user: 'staff@northshire', body: allegationBody() },
    {
      method: 'post',
      path: `/allegations/${f.caseId}/triage`,
      user: 'triage@northshire',
      body: { decision: 'request_information', question: 'Which care home?', ...note },
    },
    { method: 'post', path: `/allegations/${f.caseId}/referral/accept`, user: 'spoc@northshire-police', body: { crimeReference: 'NP/2026/004512', ...note } },
    {
      method: 'post',
      path: `/allegations/${f.caseId}/referral/return`,
      user: 'spoc@northshire-police',
      body: { reasonCode: RETURN_REASONS[0], suggestedForceId: 'southvale-police', ...note },
    },
    { method: 'post', path: `/allegations/${f.caseId}/referral/updates`, user: 'spoc@northshire-police', body: note },
    { method: 'post', path: `/allegations/${f.caseId}/referral/outcome`, user: 'spoc@northshire-police', body: { outcome: POLICE_OUTCOMES[0], ...note } },
    { method: 'post', path: `/allegations/${f.caseId}/information`, user: 'staff@northshire', body: note },
    { method: 'post', path: `/allegations/${f.caseId}/close`, user: 'triage@northshire', body: { outcome: POLICE_OUTCOMES[0], ...note } },
    { method: 'post', path: `/allegations/${f.caseId}/withdraw`, user: 'staff@northshire', body: note },
    { method: 'post', path: `/allegations/${f.caseId}/statutory-extension`, user: 'triage@northshire', body: note },
    {
      method: 'post',
      path: `/allegations/${f.caseId}/evidence`,
      user: 'staff@northshire',
      body: { kind: 'physical', description: 'Ballot paper', sealNumber: 'NS-SEAL-9', location: 'Strongroom' },
    },
    {
      method: 'post',
      path: `/evidence/${f.evidenceId}/custody`,
      user: 'triage@northshire',
      body: { action: 'examined', from: 'triage@northshire', location: 'Strongroom', ...note },
    },
    { method: 'post', path: `/evidence/${f.evidenceId}/legal-hold`, user: 'legal@northshire', body: { hold: true, reason: 'Election petition lodged' } },
    { method: 'post', path: `/evidence/${f.evidenceId}/dispose`, user: 'returning_officer@northshire', body: note },
    { method: 'post', path: `/allegations/${f.caseId}/packages`, user: 'triage@northshire', body: { evidenceIds: [f.evidenceId], ...note } },
    { method: 'post', path: `/packages/${f.evidenceId}/handover`, user: 'triage@northshire', body: note },
    { method: 'post', path: `/packages/${f.evidenceId}/acknowledge`, user: 'spoc@northshire-police', body: note },
    {
      method: 'post',
      path: '/indicators',
      user: 'plan_owner@northshire',
      body: { key: 'proxies_per_holder', name: 'Proxies per holder', description: 'x', subjectType: 'proxy_holder', threshold: 3 },
    },
    {
      method: 'patch',
      path: `/indicators/${f.indicatorId}`,
      user: 'plan_owner@northshire',
      body: { name: 'Postal votes per address', threshold: 6, status: 'active' },
    },
    {
      method: 'post',
      path: `/indicators/${f.indicatorId}/observations`,
      user: 'staff@northshire',
      body: { subject: '3 Low Road', value: 1, observedAt: '2026-11-20T09:00:00Z', note: 'n' },
    },
    { method: 'post', path: `/indicator-alerts/${f.alertId}/allegation`, user: 'triage@northshire', body: allegationBody() },
    { method: 'post', path: `/indicator-alerts/${f.alertId}/link`, user: 'triage@northshire', body: { allegationId: f.caseId, ...note } },
    { method: 'post', path: `/indicator-alerts/${f.alertId}/dismiss`, user: 'triage@northshire', body: { reason: 'A registered care home; expected.' } },
    { method: 'post', path: '/risks', user: 'plan_owner@northshire', body: riskBody() },
    { method: 'patch', path: `/risks/${f.riskId}`, user: 'plan_owner@northshire', body: { likelihood: 2, reviewEvery: 'P14D' } },
    { method: 'post', path: `/risks/${f.riskId}/reviews`, user: 'plan_owner@northshire', body: { notes: 'Reviewed with the police.', likelihood: 2 } },
    { method: 'post', path: `/risks/${f.riskId}/close`, user: 'plan_owner@northshire', body: note },
    {
      method: 'post',
      path: '/candidate-contacts',
      user: 'returning_officer@northshire',
      body: { kind: 'agent', name: 'A. Gent', email: 'agent@example.com', phone: '+44 1632 960000', actsFor: 'C. Andidate' },
    },
    {
      method: 'post',
      path: `/candidate-contacts/${f.contactId}/share`,
      user: 'returning_officer@northshire',
      body: { forceId: 'northshire-police', lawfulBasis: 'public_task', purpose: 'Security guidance for candidates', fields: ['name', 'email'] },
    },
    {
      method: 'put',
      path: '/liaison/northshire-police',
      user: 'returning_officer@northshire',
      body: { spocId: nameUuid('spoc@northshire-police'), feoaId: nameUuid('feoa@northshire-police'), contactEvery: 'P14D', notes: 'n' },
    },
    {
      method: 'post',
      path: '/liaison/northshire-police/contacts',
      user: 'staff@northshire',
      body: { by: 'staff@northshire', with: 'spoc@northshire-police', channel: 'phone', summary: 'Weekly call.' },
    },
    {
      method: 'post',
      path: '/polls',
      user: 'returning_officer@northshire',
      body: { electionId: 'local.northshire.fuzz-2', title: 'Another poll', pollingDay: '2027-05-06' },
    },
    {
      method: 'post',
      path: `/polls/${f.pollId}/events`,
      user: 'plan_owner@northshire',
      body: {
        kind: 'verification',
        title: 'Verification',
        startsAt: '2027-05-06T22:00:00Z',
        endsAt: '2027-05-07T02:00:00Z',
        venue: 'Leisure Centre',
        plan: { summary: 'Accredited entry', measures: ['Doors checked'] },
      },
    },
    {
      method: 'patch',
      path: `/electoral-events/${f.eventId}`,
      user: 'plan_owner@northshire',
      body: {
        venue: 'Leisure Centre',
        plan: { summary: 'Accredited entry', measures: ['Doors checked'], emergencyContact: 'Duty RO' },
        policeContactId: nameUuid('spoc@northshire-police'),
      },
    },
    { method: 'post', path: `/electoral-events/${f.eventId}/risks`, user: 'plan_owner@northshire', body: { riskId: f.riskId } },
    { method: 'post', path: '/ballot-items', user: 'staff@northshire', body: ballotItemBody('Fuzz batch 2') },
    {
      method: 'post',
      path: `/ballot-items/${f.ballotItemId}/custody`,
      user: 'staff@northshire',
      body: { action: 'stored', location: 'Depot cage 2', accessBy: ['Electoral services manager'], note: 'n' },
    },
    { method: 'post', path: '/ballot-security-reviews', user: 'returning_officer@northshire', body: reviewBody() },
    {
      method: 'post',
      path: `/ballot-security-reviews/${f.reviewId}/actions/${f.reviewActionId}/done`,
      user: 'returning_officer@northshire',
      body: { note: 'Key log started at the depot.' },
    },
    { method: 'post', path: '/admin/forces', user: 'national_admin@national', body: { id: 'fuzzshire-police', name: 'Fuzzshire Police' } },
    {
      method: 'post',
      path: '/admin/authorities',
      user: 'national_admin@national',
      body: { id: 'fuzzshire', name: 'Fuzzshire Council', referencePrefix: 'FZ', forceId: 'northshire-police' },
    },
    {
      method: 'post',
      path: '/admin/users',
      user: 'admin@northshire',
      body: { username: 'fuzz.user@northshire', displayName: 'Fuzz User', email: 'fuzz.user@northshire.example.gov.uk', roles: ['staff'] },
    },
    { method: 'put', path: `/admin/users/${nameUuid('legal@northshire')}/roles`, user: 'admin@northshire', body: { roles: ['legal'] } },
    { method: 'post', path: '/admin/identity-mappings', user: 'admin@northshire', body: { claim: 'groups', value: 'fuzz-staff', roles: ['staff'] } },
    {
      method: 'patch',
      path: '/admin/policies/northshire',
      user: 'admin@northshire',
      body: { triageDue: { routine: 'P2D', urgent: 'PT4H', immediate: 'PT30M' }, remindBefore: ['PT2H'], workingDays: true },
    },
  ];
}

/** A request's outcome as the suites judge it. */
export interface Outcome {
  status: number;
  body: unknown;
  written: string[];
}

/**
 * Sends a request and reports what it wrote. Fails for any 5xx but a 503 saying the workflow
 * service did not answer (these suites run no worker, so a decision that passes validation waits
 * for a workflow that never answers), and for a 4xx that wrote anything.
 */
export async function judged(stack: TestStack, send: () => Promise<request.Response>, input: unknown): Promise<Outcome> {
  const before = await writeFingerprint(stack.db);
  const res = await send();
  const written = changedTables(before, await writeFingerprint(stack.db));
  const body = res.body as { details?: { field?: string }[] };
  const workflowWait = res.status === 503 && body?.details?.[0]?.field === 'temporal';
  if (res.status >= 500 && !workflowWait) throw new Error(`${res.status} for ${describeInput(input)}: ${describeInput(res.body ?? res.text)}`);
  // A refusal of a decision, custody event or disposal is itself recorded (by design: the README's
  // "The refusal itself is audited"), as one audit event and nothing else.
  const auditedRefusal =
    res.status === 409 &&
    written.length === 1 &&
    written[0] === 'audit_events' &&
    /\.refused$/.test((await stack.db.query('SELECT action FROM audit_events ORDER BY id DESC LIMIT 1'))[0]?.action);
  if (res.status >= 400 && written.length > 0 && !auditedRefusal) throw new Error(`${res.status} but wrote ${written.join(', ')} for ${describeInput(input)}`);
  // Node's HTTP parser refuses oversized or malformed request heads (431, 400) before the app sees them, with an empty body.
  const parserRefusal = (res.status === 431 || res.status === 400) && !res.text;
  if (res.status >= 400 && !parserRefusal && !(typeof res.body === 'object' && res.body && 'details' in res.body)) {
    throw new Error(`${res.status} without the API's error shape for ${describeInput(input)}: ${describeInput(res.text)}`);
  }
  return { status: res.status, body: res.body, written };
}

/** Runs a property with the suite's seed and a bounded number of runs, printing the seed on failure. */
export async function check<T>(arbitrary: fc.Arbitrary<T>, property: (value: T) => Promise<void>, numRuns: number): Promise<void> {
  await fc.assert(fc.asyncProperty(arbitrary, property), { seed: FUZZ_SEED, numRuns, endOnFailure: true, verbose: 0 });
}
