// Polls and their electoral events: `polls`, `electoral_events` and the register's risks linked
// to an event (`electoral_event_risks`). Written and read by the API's polls service. Reads the
// risk register, the allegations, the directory and the liaison agreements where a check or a
// count needs them; their own stores own their writes.
import type { EventKind, SafetyPlan } from '@libs/domain';
import type { Queryable } from './queryable';

export interface Poll {
  id: string;
  authorityId: string;
  electionId: string;
  title: string;
  /** the calendar date, YYYY-MM-DD */
  pollingDay: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewPoll {
  id: string;
  authorityId: string;
  electionId: string;
  title: string;
  /** YYYY-MM-DD */
  pollingDay: string;
  createdBy: string;
}

export interface ElectoralEvent {
  id: string;
  pollId: string;
  authorityId: string;
  kind: EventKind;
  title: string;
  startsAt: Date;
  endsAt: Date | null;
  venue: string;
  plan: SafetyPlan | null;
  policeForceId: string | null;
  policeContactId: string | null;
  /** the police contact's display name; null when there is none (or the user is gone) */
  policeContactName: string | null;
  /** the linked risks, in the order they were linked */
  riskIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** An event's fields as written: times as the API received them (ISO strings). */
export interface EventFields {
  kind: EventKind;
  title: string;
  startsAt: string;
  endsAt: string | null;
  venue: string;
  plan: SafetyPlan | null;
  policeForceId: string | null;
  policeContactId: string | null;
}

export interface NewEvent extends EventFields {
  id: string;
  pollId: string;
  authorityId: string;
  createdBy: string;
}

/** A risk linked to an event, as the register shows it. */
export interface LinkedRisk {
  id: string;
  title: string;
  category: string;
  likelihood: number;
  impact: number;
  status: string;
  nextReviewDueAt: Date | null;
}

/** A SPOC or FEOA who may be named as an event's police contact. */
export interface PoliceContact {
  id: string;
  displayName: string;
  roles: string[];
  forceId: string;
}

interface PollRow {
  id: string;
  authority_id: string;
  election_id: string;
  title: string;
  polling_day: Date | string;
  created_at: Date;
  updated_at: Date;
}

interface EventRow {
  id: string;
  poll_id: string;
  authority_id: string;
  kind: EventKind;
  title: string;
  starts_at: Date;
  ends_at: Date | null;
  venue: string;
  plan: SafetyPlan | null;
  police_force_id: string | null;
  police_contact_id: string | null;
  police_contact_name: string | null;
  created_at: Date;
  updated_at: Date;
  risk_ids: string[] | null;
}

interface LinkedRiskRow {
  id: string;
  title: string;
  category: string;
  likelihood: number;
  impact: number;
  status: string;
  next_review_due_at: Date | null;
}

interface PoliceContactRow {
  id: string;
  display_name: string;
  roles: string[];
  force_id: string;
}

const EVENT_SELECT = `SELECT e.*, u.display_name AS police_contact_name,
    (SELECT array_agg(r.risk_id ORDER BY r.linked_at) FROM electoral_event_risks r WHERE r.event_id = e.id) AS risk_ids
  FROM electoral_events e LEFT JOIN users u ON u.id = e.police_contact_id`;

/** node-postgres reads a `date` as local midnight; give it back as the calendar date it was. */
const day = (d: Date | string) =>
  typeof d === 'string' ? d.slice(0, 10) : `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

const toPoll = (p: PollRow): Poll => ({
  id: p.id,
  authorityId: p.authority_id,
  electionId: p.election_id,
  title: p.title,
  pollingDay: day(p.polling_day),
  createdAt: p.created_at,
  updatedAt: p.updated_at,
});

const toEvent = (e: EventRow): ElectoralEvent => ({
  id: e.id,
  pollId: e.poll_id,
  authorityId: e.authority_id,
  kind: e.kind,
  title: e.title,
  startsAt: e.starts_at,
  endsAt: e.ends_at,
  venue: e.venue,
  plan: e.plan,
  policeForceId: e.police_force_id,
  policeContactId: e.police_contact_id,
  policeContactName: e.police_contact_name ?? null,
  riskIds: e.risk_ids ?? [],
  createdAt: e.created_at,
  updatedAt: e.updated_at,
});

export class PollsStore {
  constructor(private readonly db: Queryable) {}

  // Polls

  /** Inserts the poll; undefined when the authority already has a poll with its election id. */
  async insertPoll(p: NewPoll): Promise<Poll | undefined> {
    const rows: PollRow[] = await this.db.query(
      `INSERT INTO polls (id, authority_id, election_id, title, polling_day, created_by) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (authority_id, election_id) DO NOTHING RETURNING *`,
      [p.id, p.authorityId, p.electionId, p.title, p.pollingDay, p.createdBy],
    );
    return rows.length ? toPoll(rows[0]) : undefined;
  }

  async findPoll(id: string): Promise<Poll | undefined> {
    const [row]: PollRow[] = await this.db.query('SELECT * FROM polls WHERE id = $1', [id]);
    return row ? toPoll(row) : undefined;
  }

  /** Whether the poll is one of the authority's. */
  async isPollOf(id: string, authorityId: string): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM polls WHERE id = $1 AND authority_id = $2', [id, authorityId])).length > 0;
  }

  /** The authority's polls, the latest polling day first; at most 200. */
  async pollsOfAuthority(authorityId: string): Promise<Poll[]> {
    const rows: PollRow[] = await this.db.query('SELECT * FROM polls WHERE authority_id = $1 ORDER BY polling_day DESC, title LIMIT 200', [authorityId]);
    return rows.map(toPoll);
  }

  /** The polls with an event whose police contact is of the force, the latest polling day first; at most 200. */
  async pollsOfForce(forceId: string): Promise<Poll[]> {
    const rows: PollRow[] = await this.db.query(
      'SELECT * FROM polls WHERE id IN (SELECT poll_id FROM electoral_events WHERE police_force_id = $1) ORDER BY polling_day DESC LIMIT 200',
      [forceId],
    );
    return rows.map(toPoll);
  }

  /** Whether the force is the police contact of any of the poll's events. */
  async forceHasEventIn(pollId: string, forceId: string): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM electoral_events WHERE poll_id = $1 AND police_force_id = $2', [pollId, forceId])).length > 0;
  }

  /** How many of the authority's allegations, and of its open risks, name the election. */
  async namedBy(authorityId: string, electionId: string): Promise<{ allegations: number; openRisks: number }> {
    const [counts]: { allegations: number; open_risks: number }[] = await this.db.query(
      `SELECT (SELECT count(*) FROM allegations WHERE authority_id = $1 AND election_id = $2)::int AS allegations,
                    (SELECT count(*) FROM risks WHERE authority_id = $1 AND election_id = $2 AND status = 'open')::int AS open_risks`,
      [authorityId, electionId],
    );
    return { allegations: counts.allegations, openRisks: counts.open_risks };
  }

  // Events

  async findEvent(id: string): Promise<ElectoralEvent | undefined> {
    const [row]: EventRow[] = await this.db.query(`${EVENT_SELECT} WHERE e.id = $1`, [id]);
    return row ? toEvent(row) : undefined;
  }

  /** The poll's events in time order. */
  async eventsOfPoll(pollId: string): Promise<ElectoralEvent[]> {
    const rows: EventRow[] = await this.db.query(`${EVENT_SELECT} WHERE e.poll_id = $1 ORDER BY e.starts_at, e.title`, [pollId]);
    return rows.map(toEvent);
  }

  /** The poll's events whose police contact is of the force, in time order. */
  async eventsOfPollForForce(pollId: string, forceId: string | null): Promise<ElectoralEvent[]> {
    const rows: EventRow[] = await this.db.query(`${EVENT_SELECT} WHERE e.poll_id = $1 AND e.police_force_id = $2 ORDER BY e.starts_at, e.title`, [
      pollId,
      forceId,
    ]);
    return rows.map(toEvent);
  }

  async insertEvent(e: NewEvent): Promise<void> {
    await this.db.query(
      `INSERT INTO electoral_events (id, poll_id, authority_id, kind, title, starts_at, ends_at, venue, plan, police_force_id, police_contact_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        e.id,
        e.pollId,
        e.authorityId,
        e.kind,
        e.title,
        e.startsAt,
        e.endsAt,
        e.venue,
        e.plan ? JSON.stringify(e.plan) : null,
        e.policeForceId,
        e.policeContactId,
        e.createdBy,
      ],
    );
  }

  /** Replaces the event's fields (the plan whole). */
  async updateEvent(id: string, next: EventFields): Promise<void> {
    await this.db.query(
      `UPDATE electoral_events SET kind = $2, title = $3, starts_at = $4, ends_at = $5, venue = $6, plan = $7, police_force_id = $8, police_contact_id = $9, updated_at = now() WHERE id = $1`,
      [
        id,
        next.kind,
        next.title,
        next.startsAt,
        next.endsAt,
        next.venue,
        next.plan ? JSON.stringify(next.plan) : null,
        next.policeForceId,
        next.policeContactId,
      ],
    );
  }

  // The register's risks linked to events

  /** The status of one of the authority's risks, or undefined when the register has no such risk. */
  async riskStatus(riskId: string, authorityId: string): Promise<string | undefined> {
    const [risk]: { id: string; status: string }[] = await this.db.query('SELECT id, status FROM risks WHERE id = $1 AND authority_id = $2', [
      riskId,
      authorityId,
    ]);
    return risk?.status;
  }

  /** Links the risk to the event; false when it was linked already. */
  async linkRisk(eventId: string, riskId: string, authorityId: string, linkedBy: string): Promise<boolean> {
    const inserted = await this.db.query(
      'INSERT INTO electoral_event_risks (event_id, risk_id, authority_id, linked_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING risk_id',
      [eventId, riskId, authorityId, linkedBy],
    );
    return inserted.length > 0;
  }

  /** Unlinks the risk from the event; false when it was not linked (null: no risk, nothing to unlink). */
  async unlinkRisk(eventId: string, riskId: string | null): Promise<boolean> {
    const removed = await this.db.query('DELETE FROM electoral_event_risks WHERE event_id = $1 AND risk_id = $2 RETURNING risk_id', [eventId, riskId]);
    return removed.length > 0;
  }

  /** The risks linked to the event, in the order they were linked. */
  async linkedRisks(eventId: string): Promise<LinkedRisk[]> {
    const rows: LinkedRiskRow[] = await this.db.query(
      `SELECT r.id, r.title, r.category, r.likelihood, r.impact, r.status, r.next_review_due_at FROM electoral_event_risks l JOIN risks r ON r.id = l.risk_id WHERE l.event_id = $1 ORDER BY l.linked_at`,
      [eventId],
    );
    return rows.map((r) => ({
      id: r.id,
      title: r.title,
      category: r.category,
      likelihood: r.likelihood,
      impact: r.impact,
      status: r.status,
      nextReviewDueAt: r.next_review_due_at,
    }));
  }

  // Police contacts: reads of the directory and the liaison agreements

  /** The SPOCs and FEOAs of the authority's own force and of the forces it has a liaison agreement with, by force and name. */
  async policeContacts(authorityId: string): Promise<PoliceContact[]> {
    const rows: PoliceContactRow[] = await this.db.query(
      `SELECT u.id, u.display_name, u.roles, u.force_id FROM users u WHERE u.force_id IS NOT NULL AND u.roles && ARRAY['spoc', 'feoa']
         AND (u.force_id = (SELECT force_id FROM authorities WHERE id = $1) OR u.force_id IN (SELECT force_id FROM liaison_agreements WHERE authority_id = $1))
       ORDER BY u.force_id, u.display_name`,
      [authorityId],
    );
    return rows.map((r) => ({ id: r.id, displayName: r.display_name, roles: r.roles, forceId: r.force_id }));
  }

  /** The force of the user, if a SPOC or FEOA of a force the authority works with; undefined otherwise. */
  async policeContactForce(contactId: string, authorityId: string): Promise<string | undefined> {
    const [contact]: { force_id: string }[] = await this.db.query(
      `SELECT u.force_id FROM users u WHERE u.id = $1 AND u.force_id IS NOT NULL AND u.roles && ARRAY['spoc', 'feoa']
         AND (u.force_id = (SELECT force_id FROM authorities WHERE id = $2) OR u.force_id IN (SELECT force_id FROM liaison_agreements WHERE authority_id = $2))`,
      [contactId, authorityId],
    );
    return contact?.force_id;
  }
}
