// Who may call each route, declared here rather than read from the code, so that the test in
// test/route-access.e2e-spec.ts checks the guard against what was meant. Every route the app
// registers must have a row, and every row must match a registered route.
import { findDemoUser, type DemoUser, type Role } from '@libs/auth';
import { allegationBody } from './stack';

/**
 * - `public`: no token needed (health, docs, the transparency log).
 * - `tenant`: acts on the caller's own tenant (lists, creating records): every allowed role of
 *   either tenant gets an answer, and a southvale caller's answer holds none of northshire's records.
 * - `record`: one of northshire's records, named in the path: its allowed roles at northshire get
 *   an answer; at southvale, 404 (never 403, never 200).
 * - `record+force`: as `record`, and also visible to the police force the case is referred to.
 * - `own`: a record of one user's own (a notification addressed to `owner`): that user gets an
 *   answer; everyone else, of either tenant, 404.
 */
export type Scope = 'public' | 'tenant' | 'record' | 'record+force' | 'own';

/** The northshire records the routes are tried against (made through the API before the test). */
export interface Fixtures {
  caseId: string;
  itemId: string;
  packageId: string;
  riskId: string;
  agreementId: string;
  contactId: string;
  indicatorId: string;
  alertId: string;
  pollId: string;
  eventId: string;
  /** a notification addressed to staff@northshire */
  notificationId: string;
  ballotItemId: string;
  discrepancyId: string;
  /** a northshire user added by its admin for the table (the deactivation row deactivates them) */
  userId: string;
  /** one of northshire's identity-provider mappings */
  mappingId: string;
  reviewId: string;
  /** an action of `reviewId`, open until the table's own call marks it done */
  reviewActionId: string;
}

export type RequestBody = object | { contentType: string; raw: string };

export interface AccessRule {
  /** `METHOD /express/path/:param`, exactly as the router registers it */
  route: string;
  roles: readonly Role[] | 'public';
  scope: Scope;
  /** the concrete URL; defaults to the route's path (for routes without parameters) */
  url?: (f: Fixtures) => string;
  /** a body the route accepts, so that refusals come from access rules and not from validation */
  body?: (f: Fixtures, caller: DemoUser) => RequestBody;
  /** of the allowed roles at northshire, only this user may act on the record; the others, who can see it, get 403 */
  onlyUser?: string;
  /** the status a public route answers, when it is not a 2xx */
  publicStatus?: number;
  /** scope `own`: the one user whose record it is */
  owner?: string;
}

const ALL: Role[] = ['staff', 'triage', 'returning_officer', 'spoc', 'feoa', 'plan_owner', 'legal', 'admin'];
const CASE_READERS: Role[] = ['staff', 'triage', 'returning_officer', 'legal', 'spoc', 'feoa'];
const LIST_READERS: Role[] = ['staff', 'triage', 'returning_officer', 'legal'];
const HISTORY_READERS: Role[] = ['triage', 'returning_officer', 'legal'];
const RISK_REGISTER: Role[] = ['staff', 'plan_owner', 'returning_officer'];
const INDICATOR_READERS: Role[] = ['staff', 'triage', 'plan_owner', 'returning_officer'];
const INDICATOR_RECORDERS: Role[] = ['staff', 'plan_owner', 'returning_officer'];
const ALERT_READERS: Role[] = ['triage', 'plan_owner', 'returning_officer'];
const CONTACT_KEEPERS: Role[] = ['returning_officer', 'staff'];
const POLICY_READERS: Role[] = ['admin', 'returning_officer', 'triage', 'staff', 'plan_owner', 'legal'];
/** Every role: the national administrator has notifications too. */
const EVERYONE: Role[] = [...ALL, 'national_admin'];
const unique = () => Math.random().toString(36).slice(2, 10);
/** Capital letters only, for a reference prefix. */
const uniquePrefix = () => Array.from({ length: 6 }, () => String.fromCharCode(65 + Math.floor(Math.random() * 26))).join('');

const userId = (username: string) => findDemoUser(username)!.id;
const note = { note: 'route access table' };
const riskBody = (caller?: DemoUser) => ({
  title: 'Postal vote harvesting in care homes',
  category: 'care_homes',
  likelihood: 3,
  impact: 4,
  ownerId: userId(`plan_owner@${caller?.authorityId ?? 'northshire'}`),
  mitigations: [],
  reviewEvery: 'P7D',
});
export const FIXTURE_BODIES = {
  risk: riskBody,
  agreement: () => ({ spocId: userId('spoc@northshire-police'), feoaId: userId('feoa@northshire-police'), contactEvery: 'P14D' }),
  contact: () => ({ kind: 'candidate', name: 'C. Candidate', electoralArea: 'Castle Ward', email: 'c.candidate@example.com' }),
  share: () => ({ forceId: 'northshire-police', lawfulBasis: 'public_task', purpose: 'security advice for the candidate before the poll' }),
  physicalItem: () => ({ kind: 'physical', description: 'postal vote statement', sealNumber: 'S-1', location: 'evidence store' }),
  observation: () => ({ subject: '12 High Street', value: 9, observedAt: new Date().toISOString() }),
  poll: () => ({ electionId: 'local.northshire.2027-05-06', title: 'Northshire County Council elections', pollingDay: '2027-05-06' }),
  ballotItem: () => ({
    kind: 'ballot_paper_batch',
    label: 'Castle Ward batch 1',
    quantity: 500,
    receivedFrom: 'Acme Election Print',
    location: 'Town Hall strong room',
  }),
  review: () => ({
    forceId: 'northshire-police',
    heldOn: '2026-11-01',
    attendees: ['Returning Officer', 'Election SPOC'],
    findings: 'Depot key log not kept.',
    actions: [{ description: 'Keep a key log', owner: 'Electoral services', dueBy: '2027-04-01' }],
  }),
  force: () => ({ id: `table-${unique()}-police`, name: 'Route Table Police' }),
  authority: () => ({ id: `table-${unique()}`, name: 'Route Table Council', referencePrefix: uniquePrefix(), forceId: 'northshire-police' }),
  // An admin's users join the admin's tenant; the national administrator names it.
  user: (_f?: Fixtures, caller?: DemoUser) => ({
    username: `table.${unique()}@${caller?.authorityId ?? caller?.forceId ?? 'northshire'}`,
    displayName: 'Route Table User',
    email: 'route.table@example.gov.uk',
    roles: caller?.forceId ? ['spoc'] : ['staff'],
    ...(caller?.roles.includes('national_admin') ? { authorityId: 'northshire' } : {}),
  }),
  mapping: (_f?: Fixtures, caller?: DemoUser) => ({ claim: 'groups', value: `table-${unique()}`, roles: caller?.forceId ? ['spoc'] : ['staff'] }),
  event: () => ({
    kind: 'count',
    title: 'Count',
    startsAt: '2027-05-06T22:00:00Z',
    venue: 'Leisure Centre',
    policeContactId: userId('spoc@northshire-police'),
  }),
};

const DOCS: AccessRule[] = [
  ...['/docs', '/docs/', '/docs/index.html', '/docs/openapi.json', '/docs-yaml', '/docs/swagger-ui-init.js', '/docs/docs/swagger-ui-init.js'].map((path) => ({
    route: `GET ${path}`,
    roles: 'public' as const,
    scope: 'public' as const,
  })),
  // @nestjs/swagger registers it, but swagger-ui-dist ships no LICENSE file to serve.
  { route: 'GET /docs/LICENSE', roles: 'public', scope: 'public', publicStatus: 404 },
];

/**
 * In the order the mutating calls are made by their own tenant: a call that ends a record's
 * life (close, withdraw, dispose) comes after those that still need it open.
 */
export const ACCESS_TABLE: AccessRule[] = [
  ...DOCS,
  { route: 'GET /health', roles: 'public', scope: 'public' },
  { route: 'GET /transparency/:authorityId/checkpoints/latest', roles: 'public', scope: 'public', url: () => '/transparency/northshire/checkpoints/latest' },
  { route: 'GET /transparency/:authorityId/checkpoints', roles: 'public', scope: 'public', url: () => '/transparency/northshire/checkpoints' },
  { route: 'GET /transparency/:authorityId/public-key', roles: 'public', scope: 'public', url: () => '/transparency/northshire/public-key' },
  {
    route: 'GET /transparency/:authorityId/proofs/inclusion',
    roles: 'public',
    scope: 'public',
    url: (f) => `/transparency/northshire/proofs/inclusion?caseId=${f.caseId}&seq=1`,
  },
  {
    route: 'GET /transparency/:authorityId/proofs/consistency',
    roles: 'public',
    scope: 'public',
    url: () => '/transparency/northshire/proofs/consistency?from=1',
  },
  { route: 'GET /transparency/:authorityId/checkpoint.note', roles: 'public', scope: 'public', url: () => '/transparency/northshire/checkpoint.note' },
  { route: 'GET /transparency/:authorityId/vkey', roles: 'public', scope: 'public', url: () => '/transparency/northshire/vkey' },
  { route: 'GET /transparency/:authorityId/tlog/inclusion', roles: 'public', scope: 'public', url: () => '/transparency/northshire/tlog/inclusion?index=0' },
  {
    route: 'GET /transparency/:authorityId/tlog/consistency',
    roles: 'public',
    scope: 'public',
    url: () => '/transparency/northshire/tlog/consistency?size1=1',
  },
  { route: 'POST /transparency/checkpoints', roles: ['admin', 'legal'], scope: 'tenant' },

  { route: 'GET /me/notifications', roles: EVERYONE, scope: 'tenant' },
  { route: 'POST /polls', roles: ['returning_officer', 'admin'], scope: 'tenant', body: FIXTURE_BODIES.poll },
  { route: 'GET /polls', roles: ALL, scope: 'tenant' },
  { route: 'POST /ballot-items', roles: ['staff', 'returning_officer'], scope: 'tenant', body: FIXTURE_BODIES.ballotItem },
  { route: 'GET /ballot-items', roles: ['staff', 'triage', 'returning_officer', 'legal', 'admin'], scope: 'tenant' },
  {
    route: 'GET /ballot-items/:id',
    roles: ['staff', 'triage', 'returning_officer', 'legal', 'admin'],
    scope: 'record',
    url: (f) => `/ballot-items/${f.ballotItemId}`,
  },
  {
    route: 'POST /ballot-items/:id/custody',
    roles: ['staff', 'returning_officer'],
    scope: 'record',
    url: (f) => `/ballot-items/${f.ballotItemId}/custody`,
    body: () => ({ action: 'stored', location: 'Depot cage 2', accessBy: ['Electoral services manager'] }),
  },
  { route: 'GET /ballot-discrepancies', roles: ['triage', 'returning_officer', 'legal'], scope: 'tenant' },
  {
    route: 'POST /ballot-discrepancies/:id/allegation',
    roles: ['triage'],
    scope: 'record',
    url: (f) => `/ballot-discrepancies/${f.discrepancyId}/allegation`,
    body: () => allegationBody(),
  },
  {
    route: 'POST /ballot-discrepancies/:id/dismiss',
    roles: ['triage'],
    scope: 'record',
    url: (f) => `/ballot-discrepancies/${f.discrepancyId}/dismiss`,
    body: () => ({ reason: 'misread' }),
  },
  { route: 'POST /ballot-security-reviews', roles: ['returning_officer'], scope: 'tenant', body: FIXTURE_BODIES.review },
  {
    route: 'POST /ballot-security-reviews/:id/actions/:actionId/done',
    roles: ['returning_officer'],
    scope: 'record',
    url: (f) => `/ballot-security-reviews/${f.reviewId}/actions/${f.reviewActionId}/done`,
    body: () => ({ note: 'route access table' }),
  },
  { route: 'GET /ballot-security-reviews', roles: ['staff', 'returning_officer', 'plan_owner', 'legal', 'admin', 'spoc', 'feoa'], scope: 'tenant' },
  { route: 'GET /police-contacts', roles: ['staff', 'triage', 'returning_officer', 'plan_owner', 'legal', 'admin'], scope: 'tenant' },
  // The fixture event names northshire-police's SPOC as its police contact: that force reads it.
  { route: 'GET /polls/:id', roles: ALL, scope: 'record+force', url: (f) => `/polls/${f.pollId}` },
  {
    route: 'POST /polls/:id/events',
    roles: ['returning_officer', 'plan_owner'],
    scope: 'record',
    url: (f) => `/polls/${f.pollId}/events`,
    body: FIXTURE_BODIES.event,
  },
  { route: 'GET /electoral-events/:id', roles: ALL, scope: 'record+force', url: (f) => `/electoral-events/${f.eventId}` },
  {
    route: 'PATCH /electoral-events/:id',
    roles: ['returning_officer', 'plan_owner'],
    scope: 'record',
    url: (f) => `/electoral-events/${f.eventId}`,
    body: () => ({ venue: 'Northshire Leisure Centre' }),
  },
  {
    route: 'GET /electoral-events/:id/risks',
    roles: ['staff', 'triage', 'returning_officer', 'plan_owner', 'legal', 'admin'],
    scope: 'record',
    url: (f) => `/electoral-events/${f.eventId}/risks`,
  },
  {
    route: 'POST /electoral-events/:id/risks',
    roles: ['returning_officer', 'plan_owner'],
    scope: 'record',
    url: (f) => `/electoral-events/${f.eventId}/risks`,
    body: (f) => ({ riskId: f.riskId }),
  },
  {
    route: 'DELETE /electoral-events/:id/risks/:riskId',
    roles: ['returning_officer', 'plan_owner'],
    scope: 'record',
    url: (f) => `/electoral-events/${f.eventId}/risks/${f.riskId}`,
  },
  { route: 'POST /me/notifications/read', roles: EVERYONE, scope: 'tenant' },
  {
    route: 'POST /me/notifications/:id/read',
    roles: EVERYONE,
    scope: 'own',
    owner: 'staff@northshire',
    url: (f) => `/me/notifications/${f.notificationId}/read`,
  },
  { route: 'GET /admin/policies/:authorityId', roles: POLICY_READERS, scope: 'record', url: () => '/admin/policies/northshire' },
  {
    route: 'PATCH /admin/policies/:authorityId',
    roles: ['admin'],
    scope: 'record',
    url: () => '/admin/policies/northshire',
    body: () => ({ remindBefore: ['PT2H'] }),
  },
  { route: 'GET /reports/returns.csv', roles: ['returning_officer', 'legal', 'admin'], scope: 'tenant' },

  { route: 'GET /admin/forces', roles: ['national_admin'], scope: 'tenant' },
  { route: 'POST /admin/forces', roles: ['national_admin'], scope: 'tenant', body: FIXTURE_BODIES.force },
  { route: 'GET /admin/authorities', roles: ['national_admin'], scope: 'tenant' },
  { route: 'POST /admin/authorities', roles: ['national_admin'], scope: 'tenant', body: FIXTURE_BODIES.authority },
  { route: 'GET /admin/authorities/:authorityId/police', roles: ['admin'], scope: 'record', url: () => '/admin/authorities/northshire/police' },
  // The national administrator names the tenant (without it, 422): an answer either way.
  { route: 'GET /admin/users', roles: ['admin', 'national_admin'], scope: 'tenant' },
  { route: 'POST /admin/users', roles: ['admin', 'national_admin'], scope: 'tenant', body: (f, caller) => FIXTURE_BODIES.user(f, caller) },
  { route: 'GET /admin/users/:id', roles: ['admin'], scope: 'record', url: (f) => `/admin/users/${f.userId}` },
  {
    route: 'PUT /admin/users/:id/roles',
    roles: ['admin'],
    scope: 'record',
    url: (f) => `/admin/users/${f.userId}/roles`,
    body: () => ({ roles: ['staff', 'triage'] }),
  },
  { route: 'GET /admin/identity-mappings', roles: ['admin'], scope: 'tenant' },
  { route: 'POST /admin/identity-mappings', roles: ['admin'], scope: 'tenant', body: (f, caller) => FIXTURE_BODIES.mapping(f, caller) },
  { route: 'DELETE /admin/identity-mappings/:id', roles: ['admin'], scope: 'record', url: (f) => `/admin/identity-mappings/${f.mappingId}` },

  { route: 'POST /allegations', roles: ['staff'], scope: 'tenant', body: () => allegationBody() },
  { route: 'GET /allegations', roles: LIST_READERS, scope: 'tenant' },
  { route: 'GET /allegations/search', roles: LIST_READERS, scope: 'tenant', url: () => '/allegations/search?q=postal' },
  { route: 'GET /referrals', roles: ['spoc', 'feoa'], scope: 'tenant' },
  { route: 'GET /allegations/:id', roles: CASE_READERS, scope: 'record+force', url: (f) => `/allegations/${f.caseId}` },
  { route: 'GET /allegations/:id/history', roles: HISTORY_READERS, scope: 'record', url: (f) => `/allegations/${f.caseId}/history` },
  { route: 'GET /allegations/:id/history/verify', roles: HISTORY_READERS, scope: 'record', url: (f) => `/allegations/${f.caseId}/history/verify` },
  { route: 'GET /allegations/:id/export', roles: ['legal'], scope: 'record', url: (f) => `/allegations/${f.caseId}/export?format=json` },

  {
    route: 'POST /allegations/:id/evidence',
    roles: ['staff', 'triage', 'spoc'],
    scope: 'record+force',
    url: (f) => `/allegations/${f.caseId}/evidence`,
    body: FIXTURE_BODIES.physicalItem,
  },
  { route: 'GET /allegations/:id/evidence', roles: CASE_READERS, scope: 'record+force', url: (f) => `/allegations/${f.caseId}/evidence` },
  { route: 'GET /evidence/:id', roles: CASE_READERS, scope: 'record+force', url: (f) => `/evidence/${f.itemId}` },
  { route: 'GET /evidence/:id/content', roles: CASE_READERS, scope: 'record+force', url: (f) => `/evidence/${f.itemId}/content` },
  {
    route: 'POST /evidence/:id/custody',
    roles: ['staff', 'triage', 'spoc'],
    scope: 'record+force',
    url: (f) => `/evidence/${f.itemId}/custody`,
    body: () => ({ action: 'examined', note: 'looked at it' }),
  },
  {
    route: 'POST /evidence/:id/legal-hold',
    roles: ['legal', 'returning_officer'],
    scope: 'record',
    url: (f) => `/evidence/${f.itemId}/legal-hold`,
    body: () => ({ hold: true, reason: 'pending prosecution' }),
  },
  {
    route: 'POST /allegations/:id/packages',
    roles: ['triage'],
    scope: 'record',
    url: (f) => `/allegations/${f.caseId}/packages`,
    body: (f) => ({ evidenceIds: [f.itemId] }),
  },
  { route: 'GET /packages/:id', roles: CASE_READERS, scope: 'record+force', url: (f) => `/packages/${f.packageId}` },
  {
    route: 'GET /packages/:id/download',
    roles: ['triage', 'returning_officer', 'legal', 'spoc'],
    scope: 'record+force',
    url: (f) => `/packages/${f.packageId}/download`,
  },
  { route: 'POST /packages/:id/handover', roles: ['triage'], scope: 'record', url: (f) => `/packages/${f.packageId}/handover`, body: () => ({}) },
  { route: 'POST /packages/:id/acknowledge', roles: ['spoc'], scope: 'record+force', url: (f) => `/packages/${f.packageId}/acknowledge`, body: () => ({}) },

  {
    route: 'POST /allegations/:id/referral/updates',
    roles: ['spoc'],
    scope: 'record+force',
    url: (f) => `/allegations/${f.caseId}/referral/updates`,
    body: () => note,
  },
  {
    route: 'POST /allegations/:id/referral/accept',
    roles: ['spoc'],
    scope: 'record+force',
    url: (f) => `/allegations/${f.caseId}/referral/accept`,
    body: () => ({ crimeReference: 'NP/2026/1' }),
  },
  {
    route: 'POST /allegations/:id/referral/return',
    roles: ['spoc'],
    scope: 'record+force',
    url: (f) => `/allegations/${f.caseId}/referral/return`,
    body: () => ({ reasonCode: 'other', ...note }),
  },
  {
    route: 'POST /allegations/:id/referral/outcome',
    roles: ['spoc'],
    scope: 'record+force',
    url: (f) => `/allegations/${f.caseId}/referral/outcome`,
    body: () => ({ outcome: 'caution', ...note }),
  },
  {
    route: 'POST /allegations/:id/triage',
    roles: ['triage'],
    scope: 'record',
    url: (f) => `/allegations/${f.caseId}/triage`,
    body: () => ({ decision: 'resolve', resolution: 'advice', ...note }),
  },
  {
    route: 'POST /allegations/:id/information',
    roles: ['staff', 'triage'],
    scope: 'record',
    url: (f) => `/allegations/${f.caseId}/information`,
    body: () => note,
  },
  {
    route: 'POST /allegations/:id/statutory-extension',
    roles: ['triage', 'returning_officer'],
    scope: 'record',
    url: (f) => `/allegations/${f.caseId}/statutory-extension`,
    body: () => note,
  },
  {
    route: 'POST /allegations/:id/close',
    roles: ['triage', 'returning_officer'],
    scope: 'record',
    url: (f) => `/allegations/${f.caseId}/close`,
    body: () => ({ outcome: 'caution', ...note }),
  },
  { route: 'POST /allegations/:id/withdraw', roles: ['staff', 'triage'], scope: 'record', url: (f) => `/allegations/${f.caseId}/withdraw`, body: () => note },
  { route: 'POST /evidence/:id/dispose', roles: ['returning_officer'], scope: 'record', url: (f) => `/evidence/${f.itemId}/dispose`, body: () => note },

  { route: 'POST /risks', roles: RISK_REGISTER, scope: 'tenant', body: (_f, caller) => riskBody(caller) },
  { route: 'GET /risks', roles: RISK_REGISTER, scope: 'tenant' },
  { route: 'GET /risks/:id', roles: RISK_REGISTER, scope: 'record', url: (f) => `/risks/${f.riskId}` },
  { route: 'PATCH /risks/:id', roles: ['plan_owner', 'returning_officer'], scope: 'record', url: (f) => `/risks/${f.riskId}`, body: () => ({ likelihood: 2 }) },
  {
    route: 'POST /risks/:id/reviews',
    roles: RISK_REGISTER,
    scope: 'record',
    url: (f) => `/risks/${f.riskId}/reviews`,
    body: () => ({ notes: 'reviewed' }),
    onlyUser: 'plan_owner@northshire',
  },
  { route: 'POST /risks/:id/close', roles: ['plan_owner', 'returning_officer'], scope: 'record', url: (f) => `/risks/${f.riskId}/close`, body: () => note },

  { route: 'GET /liaison', roles: ALL, scope: 'tenant' },
  { route: 'GET /liaison/:forceId', roles: ALL, scope: 'record+force', url: () => '/liaison/northshire-police?authorityId=northshire' },
  {
    route: 'PUT /liaison/:forceId',
    roles: ['returning_officer', 'admin'],
    scope: 'tenant',
    url: () => '/liaison/northshire-police',
    body: FIXTURE_BODIES.agreement,
  },
  {
    route: 'POST /liaison/:forceId/contacts',
    roles: ['staff', 'returning_officer', 'spoc', 'feoa'],
    scope: 'record+force',
    url: () => '/liaison/northshire-police/contacts',
    body: () => ({ by: 'A. Officer', with: 'PC Liaison', channel: 'phone', summary: 'pre-poll briefing', authorityId: 'northshire' }),
  },
  { route: 'POST /candidate-contacts', roles: CONTACT_KEEPERS, scope: 'tenant', body: FIXTURE_BODIES.contact },
  { route: 'GET /candidate-contacts', roles: CONTACT_KEEPERS, scope: 'tenant' },
  { route: 'GET /candidate-contacts/shared', roles: ['feoa'], scope: 'tenant' },
  { route: 'GET /candidate-contacts/:id', roles: CONTACT_KEEPERS, scope: 'record', url: (f) => `/candidate-contacts/${f.contactId}` },
  {
    route: 'POST /candidate-contacts/:id/share',
    roles: CONTACT_KEEPERS,
    scope: 'record',
    url: (f) => `/candidate-contacts/${f.contactId}/share`,
    body: FIXTURE_BODIES.share,
  },
  { route: 'GET /data-sharing', roles: ['returning_officer', 'legal'], scope: 'tenant' },

  {
    route: 'POST /indicators',
    roles: ['plan_owner', 'returning_officer'],
    scope: 'tenant',
    body: () => ({ key: `k${Math.random().toString(36).slice(2, 10)}`, name: 'Proxy votes per holder', subjectType: 'proxy_holder', threshold: 3 }),
  },
  { route: 'GET /indicators', roles: INDICATOR_READERS, scope: 'tenant' },
  { route: 'GET /indicators/:id', roles: INDICATOR_READERS, scope: 'record', url: (f) => `/indicators/${f.indicatorId}` },
  {
    route: 'PATCH /indicators/:id',
    roles: ['plan_owner', 'returning_officer'],
    scope: 'record',
    url: (f) => `/indicators/${f.indicatorId}`,
    body: () => ({ threshold: 7 }),
  },
  {
    route: 'POST /indicators/:id/observations',
    roles: INDICATOR_RECORDERS,
    scope: 'record',
    url: (f) => `/indicators/${f.indicatorId}/observations`,
    body: FIXTURE_BODIES.observation,
  },
  { route: 'GET /indicators/:id/observations', roles: INDICATOR_READERS, scope: 'record', url: (f) => `/indicators/${f.indicatorId}/observations` },
  {
    route: 'POST /indicator-uploads',
    roles: INDICATOR_RECORDERS,
    scope: 'tenant',
    body: () => ({ contentType: 'text/csv', raw: `indicator,subject,value,observedAt\npostal_votes_per_address,3 Mill Lane,2,${new Date().toISOString()}\n` }),
  },
  { route: 'GET /indicator-uploads', roles: INDICATOR_READERS, scope: 'tenant' },
  { route: 'GET /indicator-alerts', roles: ALERT_READERS, scope: 'tenant' },
  { route: 'GET /indicator-alerts/:id', roles: ALERT_READERS, scope: 'record', url: (f) => `/indicator-alerts/${f.alertId}` },
  {
    route: 'POST /indicator-alerts/:id/link',
    roles: ['triage'],
    scope: 'record',
    url: (f) => `/indicator-alerts/${f.alertId}/link`,
    body: (f) => ({ allegationId: f.caseId, ...note }),
  },
  {
    route: 'POST /indicator-alerts/:id/allegation',
    roles: ['triage'],
    scope: 'record',
    url: (f) => `/indicator-alerts/${f.alertId}/allegation`,
    body: () => allegationBody(),
  },
  {
    route: 'POST /indicator-alerts/:id/dismiss',
    roles: ['triage'],
    scope: 'record',
    url: (f) => `/indicator-alerts/${f.alertId}/dismiss`,
    body: () => ({ reason: 'seen before' }),
  },
  { route: 'POST /admin/users/:id/deactivate', roles: ['admin'], scope: 'record', url: (f) => `/admin/users/${f.userId}/deactivate` },
];

/**
 * The web front end's pages (apps/web). They sign in with a session cookie, not a bearer token,
 * and read and write only through the JSON API above with the signed-in user's token, so the
 * API's rows are what decide who sees what (test/web-*.e2e-spec.ts walk them in a browser). Here:
 * every page has a row, and a page that needs a signed-in user sends anyone without a session
 * (a bearer token included) to the sign-in page, showing nothing.
 */
export interface PageRule {
  route: string;
  signIn: boolean;
  url?: (f: Fixtures) => string;
}

const casePage =
  (suffix = '') =>
  (f: Fixtures) =>
    `/cases/${f.caseId}${suffix}`;
const DRAFT = '00000000-0000-4000-8000-000000000001';

export const PAGE_TABLE: PageRule[] = [
  { route: 'GET /', signIn: false },
  { route: 'GET /sign-in', signIn: false },
  { route: 'POST /sign-in', signIn: false },
  { route: 'POST /sign-out', signIn: false },
  { route: 'GET /sign-in/oidc', signIn: false },
  { route: 'GET /sign-in/callback', signIn: false },
  { route: 'GET /work-queue', signIn: true },
  { route: 'GET /my-notifications', signIn: true },
  { route: 'POST /my-notifications/read', signIn: true },
  { route: 'POST /my-notifications/:id/read', signIn: true, url: (f) => `/my-notifications/${f.notificationId}/read` },
  { route: 'GET /cases', signIn: true },
  { route: 'GET /cases/new', signIn: true },
  { route: 'POST /cases/new', signIn: true },
  { route: 'GET /cases/new/:draft/check-answers', signIn: true, url: () => `/cases/new/${DRAFT}/check-answers` },
  { route: 'POST /cases/new/:draft/check-answers', signIn: true, url: () => `/cases/new/${DRAFT}/check-answers` },
  { route: 'GET /cases/new/:draft/:step', signIn: true, url: () => `/cases/new/${DRAFT}/what-happened` },
  { route: 'POST /cases/new/:draft/:step', signIn: true, url: () => `/cases/new/${DRAFT}/what-happened` },
  { route: 'GET /cases/:id', signIn: true, url: casePage() },
  { route: 'GET /cases/:id/confirmation', signIn: true, url: casePage('/confirmation') },
  { route: 'POST /cases/:id/triage', signIn: true, url: casePage('/triage') },
  { route: 'POST /cases/:id/accept', signIn: true, url: casePage('/accept') },
  { route: 'POST /cases/:id/return', signIn: true, url: casePage('/return') },
  { route: 'POST /cases/:id/information', signIn: true, url: casePage('/information') },
  { route: 'POST /cases/:id/investigation-update', signIn: true, url: casePage('/investigation-update') },
  { route: 'POST /cases/:id/police-outcome', signIn: true, url: casePage('/police-outcome') },
  { route: 'POST /cases/:id/close', signIn: true, url: casePage('/close') },
  { route: 'POST /cases/:id/statutory-extension', signIn: true, url: casePage('/statutory-extension') },
  { route: 'POST /cases/:id/withdraw', signIn: true, url: casePage('/withdraw') },
  { route: 'GET /cases/:id/evidence', signIn: true, url: casePage('/evidence') },
  { route: 'POST /cases/:id/evidence', signIn: true, url: casePage('/evidence') },
  { route: 'POST /cases/:id/evidence/upload', signIn: true, url: casePage('/evidence/upload') },
  { route: 'GET /cases/:id/evidence/:evidenceId', signIn: true, url: (f) => `/cases/${f.caseId}/evidence/${f.itemId}` },
  { route: 'GET /cases/:id/evidence/:evidenceId/content', signIn: true, url: (f) => `/cases/${f.caseId}/evidence/${f.itemId}/content` },
  { route: 'POST /cases/:id/evidence/:evidenceId/custody', signIn: true, url: (f) => `/cases/${f.caseId}/evidence/${f.itemId}/custody` },
  { route: 'POST /cases/:id/evidence/:evidenceId/legal-hold', signIn: true, url: (f) => `/cases/${f.caseId}/evidence/${f.itemId}/legal-hold` },
  { route: 'POST /cases/:id/evidence/:evidenceId/dispose', signIn: true, url: (f) => `/cases/${f.caseId}/evidence/${f.itemId}/dispose` },
  { route: 'POST /cases/:id/evidence/packages', signIn: true, url: casePage('/evidence/packages') },
  { route: 'POST /cases/:id/evidence/packages/:packageId/:step', signIn: true, url: (f) => `/cases/${f.caseId}/evidence/packages/${f.packageId}/handover` },
  { route: 'GET /cases/:id/history', signIn: true, url: casePage('/history') },
  { route: 'POST /cases/:id/history', signIn: true, url: casePage('/history') },
  { route: 'GET /cases/:id/bundle', signIn: true, url: casePage('/bundle') },
  { route: 'POST /cases/:id/bundle', signIn: true, url: casePage('/bundle') },
  { route: 'GET /risk-register', signIn: true },
  { route: 'GET /risk-register/new', signIn: true },
  { route: 'POST /risk-register/new', signIn: true },
  { route: 'GET /risk-register/:id', signIn: true, url: (f) => `/risk-register/${f.riskId}` },
  { route: 'GET /risk-register/:id/change', signIn: true, url: (f) => `/risk-register/${f.riskId}/change` },
  { route: 'POST /risk-register/:id/change', signIn: true, url: (f) => `/risk-register/${f.riskId}/change` },
  { route: 'POST /risk-register/:id/review', signIn: true, url: (f) => `/risk-register/${f.riskId}/review` },
  { route: 'POST /risk-register/:id/close', signIn: true, url: (f) => `/risk-register/${f.riskId}/close` },
  { route: 'GET /police-liaison', signIn: true },
  { route: 'GET /police-liaison/set-up', signIn: true },
  { route: 'GET /police-liaison/:forceId', signIn: true, url: () => '/police-liaison/northshire-police' },
  { route: 'POST /police-liaison/:forceId/contacts', signIn: true, url: () => '/police-liaison/northshire-police/contacts' },
  { route: 'GET /police-liaison/:forceId/agreement', signIn: true, url: () => '/police-liaison/northshire-police/agreement' },
  { route: 'POST /police-liaison/:forceId/agreement', signIn: true, url: () => '/police-liaison/northshire-police/agreement' },
  { route: 'GET /ballot-security', signIn: true },
  { route: 'POST /ballot-security/items', signIn: true },
  { route: 'GET /ballot-security/items/:id', signIn: true, url: (f) => `/ballot-security/items/${f.ballotItemId}` },
  { route: 'POST /ballot-security/items/:id/custody', signIn: true, url: (f) => `/ballot-security/items/${f.ballotItemId}/custody` },
  { route: 'GET /ballot-security/discrepancies', signIn: true },
  { route: 'POST /ballot-security/discrepancies/:id/dismiss', signIn: true, url: (f) => `/ballot-security/discrepancies/${f.discrepancyId}/dismiss` },
  { route: 'POST /ballot-security/discrepancies/:id/allegation', signIn: true, url: (f) => `/ballot-security/discrepancies/${f.discrepancyId}/allegation` },
  { route: 'GET /ballot-security/reviews', signIn: true },
  { route: 'POST /ballot-security/reviews', signIn: true },
  {
    route: 'POST /ballot-security/reviews/:id/actions/:actionId/done',
    signIn: true,
    url: (f) => `/ballot-security/reviews/${f.reviewId}/actions/${f.reviewActionId}/done`,
  },
  { route: 'GET /monitoring', signIn: true },
  { route: 'POST /monitoring/uploads', signIn: true },
  { route: 'GET /monitoring/new', signIn: true },
  { route: 'POST /monitoring/new', signIn: true },
  { route: 'GET /monitoring/:id', signIn: true, url: (f) => `/monitoring/${f.indicatorId}` },
  { route: 'POST /monitoring/:id/observations', signIn: true, url: (f) => `/monitoring/${f.indicatorId}/observations` },
  { route: 'GET /monitoring/:id/change', signIn: true, url: (f) => `/monitoring/${f.indicatorId}/change` },
  { route: 'POST /monitoring/:id/change', signIn: true, url: (f) => `/monitoring/${f.indicatorId}/change` },
  { route: 'GET /candidates', signIn: true },
  { route: 'GET /candidates/new', signIn: true },
  { route: 'POST /candidates/new', signIn: true },
  { route: 'GET /candidates/data-sharing', signIn: true },
  { route: 'GET /candidates/:id', signIn: true, url: (f) => `/candidates/${f.contactId}` },
  { route: 'POST /candidates/:id/share', signIn: true, url: (f) => `/candidates/${f.contactId}/share` },
  { route: 'GET /transparency-log', signIn: true },
  { route: 'POST /transparency-log/checkpoints', signIn: true },
  { route: 'GET /alerts', signIn: true },
  { route: 'POST /alerts/:id/dismiss', signIn: true, url: (f) => `/alerts/${f.alertId}/dismiss` },
  { route: 'POST /alerts/:id/link', signIn: true, url: (f) => `/alerts/${f.alertId}/link` },
  { route: 'POST /alerts/:id/allegation', signIn: true, url: (f) => `/alerts/${f.alertId}/allegation` },
  { route: 'GET /admin/policy', signIn: true },
  { route: 'POST /admin/policy', signIn: true },
  { route: 'GET /admin/retention', signIn: true },
  { route: 'POST /admin/retention', signIn: true },
  { route: 'GET /elections', signIn: true },
  { route: 'POST /elections', signIn: true },
  { route: 'GET /elections/:pollId', signIn: true, url: (f) => `/elections/${f.pollId}` },
  { route: 'POST /elections/:pollId/events', signIn: true, url: (f) => `/elections/${f.pollId}/events` },
  { route: 'GET /elections/events/:eventId', signIn: true, url: (f) => `/elections/events/${f.eventId}` },
  { route: 'POST /elections/events/:eventId/plan', signIn: true, url: (f) => `/elections/events/${f.eventId}/plan` },
  { route: 'POST /elections/events/:eventId/risks', signIn: true, url: (f) => `/elections/events/${f.eventId}/risks` },
  { route: 'POST /elections/events/:eventId/risks/:riskId/unlink', signIn: true, url: (f) => `/elections/events/${f.eventId}/risks/${f.riskId}/unlink` },
  { route: 'GET /admin/directory', signIn: true },
  { route: 'GET /admin/directory/authorities', signIn: true },
  { route: 'POST /admin/directory/authorities', signIn: true },
  { route: 'POST /admin/directory/forces', signIn: true },
  { route: 'GET /admin/directory/users', signIn: true },
  { route: 'POST /admin/directory/users', signIn: true },
  { route: 'GET /admin/directory/users/:id', signIn: true, url: (f) => `/admin/directory/users/${f.userId}` },
  { route: 'POST /admin/directory/users/:id/roles', signIn: true, url: (f) => `/admin/directory/users/${f.userId}/roles` },
  { route: 'POST /admin/directory/users/:id/deactivate', signIn: true, url: (f) => `/admin/directory/users/${f.userId}/deactivate` },
  { route: 'GET /admin/directory/identity-mappings', signIn: true },
  { route: 'POST /admin/directory/identity-mappings', signIn: true },
  { route: 'POST /admin/directory/identity-mappings/:id/remove', signIn: true, url: (f) => `/admin/directory/identity-mappings/${f.mappingId}/remove` },
  { route: 'GET /admin/directory/police', signIn: true },
];
