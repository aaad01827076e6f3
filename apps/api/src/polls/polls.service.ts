import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '@libs/auth/principal';
import { eventTimeProblems, planGaps, riskScore, fieldProblem, problem } from '@libs/domain';
import { appendAuditEvent } from '@libs/persistence';
import { PollsStore, type ElectoralEvent, type Poll } from '@libs/persistence/stores/polls.store';
import { conflict, notFound, unprocessable } from '../common/api-error';
import type { CreateEventDto, CreatePollDto, UpdateEventDto } from './dto/poll.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

function toPollView(p: Poll) {
  return {
    id: p.id,
    authorityId: p.authorityId,
    electionId: p.electionId,
    title: p.title,
    pollingDay: p.pollingDay,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

function toEventView(e: ElectoralEvent) {
  const riskIds = e.riskIds;
  const view = {
    id: e.id,
    pollId: e.pollId,
    authorityId: e.authorityId,
    kind: e.kind,
    title: e.title,
    startsAt: iso(e.startsAt)!,
    endsAt: iso(e.endsAt),
    venue: e.venue,
    plan: e.plan,
    policeForceId: e.policeForceId,
    policeContact: e.policeContactId ? { id: e.policeContactId, name: e.policeContactName } : null,
    riskIds,
    createdAt: iso(e.createdAt),
    updatedAt: iso(e.updatedAt),
  };
  const gaps = planGaps({
    kind: e.kind,
    startsAt: view.startsAt,
    endsAt: view.endsAt,
    venue: e.venue,
    plan: e.plan,
    policeContactId: e.policeContactId,
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
  constructor(@Inject(DataSource) private readonly db: DataSource) {
    this.polls = new PollsStore(db);
  }

  private readonly polls: PollsStore;

  async createPoll(principal: Principal, dto: CreatePollDto) {
    const authorityId = principal.authorityId!;
    const id = randomUUID();
    return this.db.transaction(async (m) => {
      const poll = await new PollsStore(m).insertPoll({
        id,
        authorityId,
        electionId: dto.electionId,
        title: dto.title,
        pollingDay: dto.pollingDay,
        createdBy: principal.sub,
      });
      if (!poll) throw conflict(problem('poll.election_taken', { electionId: dto.electionId }), [fieldProblem('electionId', 'poll.election_used')]);
      await this.audit(m, principal, id, authorityId, 'poll.created', null, dto);
      return toPollView(poll);
    });
  }

  /** The caller's polls, the next polling day first; a force sees those where it is an event's police contact. */
  async listPolls(principal: Principal) {
    const polls = principal.authorityId ? await this.polls.pollsOfAuthority(principal.authorityId) : await this.polls.pollsOfForce(principal.forceId ?? '');
    return polls.map(toPollView);
  }

  /** A poll with its events in time order, and how many allegations and open risks name it (by electionId). */
  async getPoll(principal: Principal, id: string) {
    const poll = await this.visiblePoll(principal, id);
    const events = principal.authorityId ? await this.polls.eventsOfPoll(id) : await this.polls.eventsOfPollForForce(id, principal.forceId ?? null);
    const counts = principal.authorityId ? await this.polls.namedBy(poll.authorityId, poll.electionId) : null;
    return { ...toPollView(poll), events: events.map(toEventView), allegations: counts?.allegations ?? null, openRisks: counts?.openRisks ?? null };
  }

  async createEvent(principal: Principal, pollId: string, dto: CreateEventDto) {
    const poll = await this.visiblePoll(principal, pollId);
    if (poll.authorityId !== principal.authorityId) throw notFound('poll');
    const endsAt = dto.endsAt ?? null;
    this.checkTimes(poll, dto.startsAt, endsAt);
    const policeForceId = await this.policeForce(poll.authorityId, dto.policeContactId ?? null);
    const id = randomUUID();
    await this.db.transaction(async (m) => {
      await new PollsStore(m).insertEvent({
        id,
        pollId,
        authorityId: poll.authorityId,
        kind: dto.kind,
        title: dto.title,
        startsAt: dto.startsAt,
        endsAt,
        venue: dto.venue ?? '',
        plan: dto.plan ?? null,
        policeForceId,
        policeContactId: dto.policeContactId ?? null,
        createdBy: principal.sub,
      });
      await this.audit(m, principal, id, poll.authorityId, 'event.created', null, { pollId, ...dto });
    });
    return this.getEvent(principal, id);
  }

  async getEvent(principal: Principal, id: string) {
    return toEventView(await this.visibleEvent(principal, id));
  }

  /** Changes the event's times, venue, plan or police contact; the plan is replaced whole. */
  async updateEvent(principal: Principal, id: string, dto: UpdateEventDto) {
    const event = await this.ownEvent(principal, id);
    const poll = (await this.polls.findPoll(event.pollId))!;
    const next = {
      kind: dto.kind ?? event.kind,
      title: dto.title ?? event.title,
      startsAt: dto.startsAt ?? iso(event.startsAt)!,
      endsAt: dto.endsAt !== undefined ? dto.endsAt : iso(event.endsAt),
      venue: dto.venue ?? event.venue,
      plan: dto.plan !== undefined ? dto.plan : event.plan,
      policeContactId: dto.policeContactId !== undefined ? dto.policeContactId : event.policeContactId,
    };
    this.checkTimes(poll, next.startsAt, next.endsAt);
    const policeForceId = await this.policeForce(event.authorityId, next.policeContactId);
    await this.db.transaction(async (m) => {
      await new PollsStore(m).updateEvent(id, { ...next, policeForceId });
      const before = toEventView(event);
      await this.audit(m, principal, id, event.authorityId, 'event.updated', pick(before, Object.keys(dto)), dto);
    });
    return this.getEvent(principal, id);
  }

  async linkRisk(principal: Principal, id: string, riskId: string) {
    const event = await this.ownEvent(principal, id);
    const riskStatus = await this.polls.riskStatus(riskId, event.authorityId);
    if (!riskStatus) throw unprocessable(problem('event.risk_not_found'), [fieldProblem('riskId', 'event.no_such_risk')]);
    if (riskStatus !== 'open') throw conflict(problem('event.risk_closed'), [fieldProblem('riskId', 'risk.closed')]);
    await this.db.transaction(async (m) => {
      const linked = await new PollsStore(m).linkRisk(id, riskId, event.authorityId, principal.sub);
      if (linked) await this.audit(m, principal, id, event.authorityId, 'event.risk_linked', null, { riskId });
    });
    return this.getEvent(principal, id);
  }

  async unlinkRisk(principal: Principal, id: string, riskId: string) {
    const event = await this.ownEvent(principal, id);
    await this.db.transaction(async (m) => {
      // Idempotent, as a DELETE is: unlinking a risk that is not linked changes and records nothing.
      const removed = await new PollsStore(m).unlinkRisk(id, UUID.test(riskId) ? riskId : null);
      if (removed) await this.audit(m, principal, id, event.authorityId, 'event.risk_unlinked', { riskId }, null);
    });
    return this.getEvent(principal, id);
  }

  /** The risks linked to an event, as the register shows them. */
  async eventRisks(principal: Principal, id: string) {
    const event = await this.ownEvent(principal, id);
    const risks = await this.polls.linkedRisks(event.id);
    return risks.map((r) => ({
      id: r.id,
      title: r.title,
      category: r.category,
      ...riskScore(r.likelihood, r.impact),
      status: r.status,
      nextReviewDueAt: iso(r.nextReviewDueAt),
    }));
  }

  /** Who may be named as an event's police contact: the SPOCs and FEOAs of the forces the authority works with. */
  async policeContacts(principal: Principal) {
    const contacts = await this.polls.policeContacts(principal.authorityId ?? '');
    return contacts.map((c) => ({
      id: c.id,
      name: c.displayName,
      forceId: c.forceId,
      roles: c.roles.filter((x) => x === 'spoc' || x === 'feoa'),
    }));
  }

  private checkTimes(poll: Poll, startsAt: string, endsAt: string | null) {
    const problems = eventTimeProblems(poll.pollingDay, startsAt, endsAt);
    if (problems.length > 0) throw unprocessable(problem('event.times_misfit'), problems);
  }

  /** The force of the named police contact, who must be a SPOC or FEOA of a force the authority works with. */
  private async policeForce(authorityId: string, contactId: string | null): Promise<string | null> {
    if (contactId === null) return null;
    const forceId = await this.polls.policeContactForce(contactId, authorityId);
    if (!forceId) throw unprocessable(problem('event.contact_not_police'), [fieldProblem('policeContactId', 'event.contact_not_spoc_or_feoa')]);
    return forceId;
  }

  private async visiblePoll(principal: Principal, id: string): Promise<Poll> {
    if (!UUID.test(id)) throw notFound('poll');
    const poll = await this.polls.findPoll(id);
    if (!poll) throw notFound('poll');
    if (principal.authorityId ? poll.authorityId !== principal.authorityId : !(await this.polls.forceHasEventIn(id, principal.forceId ?? '')))
      throw notFound('poll');
    return poll;
  }

  private async visibleEvent(principal: Principal, id: string): Promise<ElectoralEvent> {
    if (!UUID.test(id)) throw notFound('electoral event');
    const event = await this.polls.findEvent(id);
    if (!event) throw notFound('electoral event');
    const visible = principal.authorityId
      ? event.authorityId === principal.authorityId
      : event.policeForceId !== null && event.policeForceId === principal.forceId;
    if (!visible) throw notFound('electoral event');
    return event;
  }

  /** An event of the caller's own authority: only the authority changes its plans. */
  private async ownEvent(principal: Principal, id: string): Promise<ElectoralEvent> {
    const event = await this.visibleEvent(principal, id);
    if (event.authorityId !== principal.authorityId) throw notFound('electoral event');
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
