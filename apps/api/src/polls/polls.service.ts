import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '@libs/auth/principal';
import { eventTimeProblems, planGaps, riskScore, type EventKind, type SafetyPlan, fieldProblem, problem } from '@libs/domain';
import { appendAuditEvent } from '@libs/persistence';
import { conflict, notFound, unprocessable } from '../common/api-error';
import type { CreateEventDto, CreatePollDto, UpdateEventDto } from './dto/poll.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
const day = (d: Date | string) =>
  typeof d === 'string' ? d.slice(0, 10) : `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

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
  police_contact_name?: string | null;
  created_at: Date;
  updated_at: Date;
  risk_ids?: string[] | null;
}

const EVENT_SELECT = `SELECT e.*, u.display_name AS police_contact_name,
    (SELECT array_agg(r.risk_id ORDER BY r.linked_at) FROM electoral_event_risks r WHERE r.event_id = e.id) AS risk_ids
  FROM electoral_events e LEFT JOIN users u ON u.id = e.police_contact_id`;

function toPollView(p: PollRow) {
  return {
    id: p.id,
    authorityId: p.authority_id,
    electionId: p.election_id,
    title: p.title,
    pollingDay: day(p.polling_day),
    createdAt: iso(p.created_at),
    updatedAt: iso(p.updated_at),
  };
}

function toEventView(e: EventRow) {
  const riskIds = e.risk_ids ?? [];
  const view = {
    id: e.id,
    pollId: e.poll_id,
    authorityId: e.authority_id,
    kind: e.kind,
    title: e.title,
    startsAt: iso(e.starts_at)!,
    endsAt: iso(e.ends_at),
    venue: e.venue,
    plan: e.plan,
    policeForceId: e.police_force_id,
    policeContact: e.police_contact_id ? { id: e.police_contact_id, name: e.police_contact_name ?? null } : null,
    riskIds,
    createdAt: iso(e.created_at),
    updatedAt: iso(e.updated_at),
  };
  const gaps = planGaps({
    kind: e.kind,
    startsAt: view.startsAt,
    endsAt: view.endsAt,
    venue: e.venue,
    plan: e.plan,
    policeContactId: e.police_contact_id,
    riskIds,
  });
  return { ...view, planComplete: gaps.length === 0, planGaps: gaps };
}

/**
 * Polls and their electoral events, each with a safety and security plan, a police liaison
 * contact and the register's risks it is exposed to. Every change is an audit event in the
 * authority's log: a poll's own chain for the poll, each event's chain for the event.
 */
@Injectable()
export class PollsService {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async createPoll(principal: Principal, dto: CreatePollDto) {
    const authorityId = principal.authorityId!;
    const id = randomUUID();
    return this.db.transaction(async (m) => {
      const rows: PollRow[] = await m.query(
        `INSERT INTO polls (id, authority_id, election_id, title, polling_day, created_by) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (authority_id, election_id) DO NOTHING RETURNING *`,
        [id, authorityId, dto.electionId, dto.title, dto.pollingDay, principal.sub],
      );
      if (rows.length === 0) throw conflict(problem('poll.election_taken', { electionId: dto.electionId }), [fieldProblem('electionId', 'poll.election_used')]);
      await this.audit(m, principal, id, authorityId, 'poll.created', null, dto);
      return toPollView(rows[0]);
    });
  }

  /** The caller's polls, the next polling day first; a force sees those where it is an event's police contact. */
  async listPolls(principal: Principal) {
    const rows: PollRow[] = principal.authorityId
      ? await this.db.query('SELECT * FROM polls WHERE authority_id = $1 ORDER BY polling_day DESC, title LIMIT 200', [principal.authorityId])
      : await this.db.query(
          'SELECT * FROM polls WHERE id IN (SELECT poll_id FROM electoral_events WHERE police_force_id = $1) ORDER BY polling_day DESC LIMIT 200',
          [principal.forceId ?? ''],
        );
    return rows.map(toPollView);
  }

  /** A poll with its events in time order, and how many allegations and open risks name it (by electionId). */
  async getPoll(principal: Principal, id: string) {
    const poll = await this.visiblePoll(principal, id);
    const events: EventRow[] = await this.db.query(
      `${EVENT_SELECT} WHERE e.poll_id = $1 ${principal.authorityId ? '' : 'AND e.police_force_id = $2'} ORDER BY e.starts_at, e.title`,
      principal.authorityId ? [id] : [id, principal.forceId],
    );
    const counts = principal.authorityId
      ? (
          await this.db.query(
            `SELECT (SELECT count(*) FROM allegations WHERE authority_id = $1 AND election_id = $2)::int AS allegations,
                    (SELECT count(*) FROM risks WHERE authority_id = $1 AND election_id = $2 AND status = 'open')::int AS open_risks`,
            [poll.authority_id, poll.election_id],
          )
        )[0]
      : null;
    return { ...toPollView(poll), events: events.map(toEventView), allegations: counts?.allegations ?? null, openRisks: counts?.open_risks ?? null };
  }

  async createEvent(principal: Principal, pollId: string, dto: CreateEventDto) {
    const poll = await this.visiblePoll(principal, pollId);
    if (poll.authority_id !== principal.authorityId) throw notFound('poll');
    const endsAt = dto.endsAt ?? null;
    this.checkTimes(poll, dto.startsAt, endsAt);
    const policeForceId = await this.policeForce(poll.authority_id, dto.policeContactId ?? null);
    const id = randomUUID();
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO electoral_events (id, poll_id, authority_id, kind, title, starts_at, ends_at, venue, plan, police_force_id, police_contact_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          id,
          pollId,
          poll.authority_id,
          dto.kind,
          dto.title,
          dto.startsAt,
          endsAt,
          dto.venue ?? '',
          dto.plan ? JSON.stringify(dto.plan) : null,
          policeForceId,
          dto.policeContactId ?? null,
          principal.sub,
        ],
      );
      await this.audit(m, principal, id, poll.authority_id, 'event.created', null, { pollId, ...dto });
    });
    return this.getEvent(principal, id);
  }

  async getEvent(principal: Principal, id: string) {
    return toEventView(await this.visibleEvent(principal, id));
  }

  /** Changes the event's times, venue, plan or police contact; the plan is replaced whole. */
  async updateEvent(principal: Principal, id: string, dto: UpdateEventDto) {
    const event = await this.ownEvent(principal, id);
    const [poll] = await this.db.query('SELECT * FROM polls WHERE id = $1', [event.poll_id]);
    const next = {
      kind: dto.kind ?? event.kind,
      title: dto.title ?? event.title,
      starts_at: dto.startsAt ?? iso(event.starts_at)!,
      ends_at: dto.endsAt !== undefined ? dto.endsAt : iso(event.ends_at),
      venue: dto.venue ?? event.venue,
      plan: dto.plan !== undefined ? dto.plan : event.plan,
      police_contact_id: dto.policeContactId !== undefined ? dto.policeContactId : event.police_contact_id,
    };
    this.checkTimes(poll, next.starts_at, next.ends_at);
    const policeForceId = await this.policeForce(event.authority_id, next.police_contact_id);
    await this.db.transaction(async (m) => {
      await m.query(
        `UPDATE electoral_events SET kind = $2, title = $3, starts_at = $4, ends_at = $5, venue = $6, plan = $7, police_force_id = $8, police_contact_id = $9, updated_at = now() WHERE id = $1`,
        [
          id,
          next.kind,
          next.title,
          next.starts_at,
          next.ends_at,
          next.venue,
          next.plan ? JSON.stringify(next.plan) : null,
          policeForceId,
          next.police_contact_id,
        ],
      );
      const before = toEventView(event);
      await this.audit(m, principal, id, event.authority_id, 'event.updated', pick(before, Object.keys(dto)), dto);
    });
    return this.getEvent(principal, id);
  }

  async linkRisk(principal: Principal, id: string, riskId: string) {
    const event = await this.ownEvent(principal, id);
    const [risk] = await this.db.query('SELECT id, status FROM risks WHERE id = $1 AND authority_id = $2', [riskId, event.authority_id]);
    if (!risk) throw unprocessable(problem('event.risk_not_found'), [fieldProblem('riskId', 'event.no_such_risk')]);
    if (risk.status !== 'open') throw conflict(problem('event.risk_closed'), [fieldProblem('riskId', 'risk.closed')]);
    await this.db.transaction(async (m) => {
      const inserted = await m.query(
        'INSERT INTO electoral_event_risks (event_id, risk_id, authority_id, linked_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING risk_id',
        [id, riskId, event.authority_id, principal.sub],
      );
      if (inserted.length > 0) await this.audit(m, principal, id, event.authority_id, 'event.risk_linked', null, { riskId });
    });
    return this.getEvent(principal, id);
  }

  async unlinkRisk(principal: Principal, id: string, riskId: string) {
    const event = await this.ownEvent(principal, id);
    await this.db.transaction(async (m) => {
      // Idempotent, as a DELETE is: unlinking a risk that is not linked changes and records nothing.
      const removed = await m.query('DELETE FROM electoral_event_risks WHERE event_id = $1 AND risk_id = $2 RETURNING risk_id', [
        id,
        UUID.test(riskId) ? riskId : null,
      ]);
      if (removed.length > 0) await this.audit(m, principal, id, event.authority_id, 'event.risk_unlinked', { riskId }, null);
    });
    return this.getEvent(principal, id);
  }

  /** The risks linked to an event, as the register shows them. */
  async eventRisks(principal: Principal, id: string) {
    const event = await this.ownEvent(principal, id);
    const rows = await this.db.query(
      `SELECT r.id, r.title, r.category, r.likelihood, r.impact, r.status, r.next_review_due_at FROM electoral_event_risks l JOIN risks r ON r.id = l.risk_id WHERE l.event_id = $1 ORDER BY l.linked_at`,
      [event.id],
    );
    return rows.map((r: Record<string, any>) => ({
      id: r.id,
      title: r.title,
      category: r.category,
      ...riskScore(r.likelihood, r.impact),
      status: r.status,
      nextReviewDueAt: iso(r.next_review_due_at),
    }));
  }

  /** Who may be named as an event's police contact: the SPOCs and FEOAs of the forces the authority works with. */
  async policeContacts(principal: Principal) {
    const rows = await this.db.query(
      `SELECT u.id, u.display_name, u.roles, u.force_id FROM users u WHERE u.force_id IS NOT NULL AND u.roles && ARRAY['spoc', 'feoa']
         AND (u.force_id = (SELECT force_id FROM authorities WHERE id = $1) OR u.force_id IN (SELECT force_id FROM liaison_agreements WHERE authority_id = $1))
       ORDER BY u.force_id, u.display_name`,
      [principal.authorityId ?? ''],
    );
    return rows.map((r: Record<string, any>) => ({
      id: r.id,
      name: r.display_name,
      forceId: r.force_id,
      roles: (r.roles as string[]).filter((x) => x === 'spoc' || x === 'feoa'),
    }));
  }

  private checkTimes(poll: PollRow, startsAt: string, endsAt: string | null) {
    const problems = eventTimeProblems(day(poll.polling_day), startsAt, endsAt);
    if (problems.length > 0) throw unprocessable(problem('event.times_misfit'), problems);
  }

  /** The force of the named police contact, who must be a SPOC or FEOA of a force the authority works with. */
  private async policeForce(authorityId: string, contactId: string | null): Promise<string | null> {
    if (contactId === null) return null;
    const [contact] = await this.db.query(
      `SELECT u.force_id FROM users u WHERE u.id = $1 AND u.force_id IS NOT NULL AND u.roles && ARRAY['spoc', 'feoa']
         AND (u.force_id = (SELECT force_id FROM authorities WHERE id = $2) OR u.force_id IN (SELECT force_id FROM liaison_agreements WHERE authority_id = $2))`,
      [contactId, authorityId],
    );
    if (!contact) throw unprocessable(problem('event.contact_not_police'), [fieldProblem('policeContactId', 'event.contact_not_spoc_or_feoa')]);
    return contact.force_id;
  }

  private async visiblePoll(principal: Principal, id: string): Promise<PollRow> {
    if (!UUID.test(id)) throw notFound('poll');
    const [poll]: PollRow[] = await this.db.query('SELECT * FROM polls WHERE id = $1', [id]);
    if (!poll) throw notFound('poll');
    if (
      principal.authorityId
        ? poll.authority_id !== principal.authorityId
        : !(await this.db.query('SELECT 1 FROM electoral_events WHERE poll_id = $1 AND police_force_id = $2', [id, principal.forceId ?? ''])).length
    )
      throw notFound('poll');
    return poll;
  }

  private async visibleEvent(principal: Principal, id: string): Promise<EventRow> {
    if (!UUID.test(id)) throw notFound('electoral event');
    const [event]: EventRow[] = await this.db.query(`${EVENT_SELECT} WHERE e.id = $1`, [id]);
    if (!event) throw notFound('electoral event');
    const visible = principal.authorityId
      ? event.authority_id === principal.authorityId
      : event.police_force_id !== null && event.police_force_id === principal.forceId;
    if (!visible) throw notFound('electoral event');
    return event;
  }

  /** An event of the caller's own authority: only the authority changes its plans. */
  private async ownEvent(principal: Principal, id: string): Promise<EventRow> {
    const event = await this.visibleEvent(principal, id);
    if (event.authority_id !== principal.authorityId) throw notFound('electoral event');
    return event;
  }

  private audit(m: EntityManager, principal: Principal, caseId: string, authorityId: string, action: string, before: unknown, after: unknown) {
    const role = (['returning_officer', 'plan_owner', 'admin'] as const).find((r) => principal.roles.includes(r)) ?? principal.roles[0];
    return appendAuditEvent(m, { caseId, authorityId, actor: principal.sub, role, action, before, after });
  }
}

function pick(view: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in view).map((k) => [k, view[k]]));
}
