// The API's JSON answers the pages read, where the API has no view shared in libs/views: for each,
// the fields the page's code reads (its template may show more, as the answer carries them).
// The answers come over HTTP, so these say what the page relies on, not what the API promises.

/** A liaison agreement between the authority and a force (GET /liaison, GET /liaison/:forceId). */
export interface AgreementView {
  authorityId: string;
  forceId: string;
  spoc: { id: string };
  feoa: { id: string };
  lead?: { id: string } | null;
  notes?: string | null;
  contactEvery: string;
  contacts: { channel: string }[];
}

/** A record of candidate contact details shared with a force (GET /data-sharing, and in a contact's `sharing`). */
export interface SharingRecordView {
  contactId: string;
  sharedWith: { forceId: string };
  lawfulBasis: string;
  fields: string[];
  sharedBy: string;
  reads: { readerId: string }[];
}

/** A candidate or agent (GET /candidate-contacts, GET /candidate-contacts/:id with its `sharing`); the shareable fields by name. */
export interface CandidateContactView {
  id: string;
  name: string;
  kind: string;
  sharedWith?: string[];
  sharing: SharingRecordView[];
  [shareable: string]: unknown;
}

/** A contact as shared with the force (GET /candidate-contacts/shared). */
export interface SharedContactView {
  authorityId: string;
  kind: string;
  lawfulBasis: string;
}

/** A police force or an authority in the directory (GET /admin/forces, GET /admin/authorities, and what POST answers). */
export interface DirectoryEntryView {
  id: string;
  name: string;
}

/** A user in the directory (GET /admin/users, GET /admin/users/:id, and what POST /admin/users answers). */
export interface DirectoryUserView {
  id: string;
  username: string;
  displayName: string;
  authorityId: string | null;
  roles: string[];
}

/** A ballot box, seal or packet under custody (GET /ballot-items, GET /ballot-items/:id, and what POST answers). */
export interface BallotItemView {
  id: string;
  label: string;
  status: string;
}

/** A mismatch the custody log found (GET /ballot-discrepancies). */
export interface BallotDiscrepancyView {
  id: string;
  kind: string;
  status: string;
  raisedAt: string;
  itemLabel: string;
  expected: string | number;
  observed: string | number;
}

/** A security review with the police and its actions (GET /ballot-security-reviews). */
export interface BallotReviewView {
  actions: { id: string }[];
}

/** A poll (GET /polls, GET /polls/:id with its events, and what POST /polls answers). */
export interface PollView {
  id: string;
  title: string;
  authorityId: string;
}

/** An electoral event with its security plan (GET /electoral-events/:id, and what POST answers). */
export interface ElectoralEventView {
  id: string;
  pollId: string;
  authorityId: string;
  title: string;
  venue: string;
  plan?: { summary?: string; measures?: string[]; emergencyContact?: string } | null;
  policeContact?: { id: string } | null;
  planGaps?: { field: string; problem: string; code?: string; values?: Record<string, unknown> }[];
  riskIds: string[];
}

/** A risk linked to an event (GET /electoral-events/:id/risks): shown by the template as it comes. */
export interface EventRiskView {
  id: string;
  title: string;
}

/** A police SPOC or FEOA the authority may name (GET /police-contacts). */
export interface PoliceContactView {
  id: string;
  name: string;
  roles: string[];
  forceId: string;
}
