import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '@libs/auth/principal';
import { applyBallotStep, type BallotItem, type Discrepancy, notice, fieldProblem, problem } from '@libs/domain';
import { appendAuditEvent } from '@libs/persistence';
import { BallotItemsStore, type BallotCustodyEvent, type BallotDiscrepancy, type BallotItemRecord } from '@libs/persistence/stores/ballot-items.store';
import { NotificationsStore } from '@libs/persistence/stores/notifications.store';
import { PollsStore } from '@libs/persistence/stores/polls.store';
import { SecurityReviewsStore, type ActionCompletion, type SecurityReview } from '@libs/persistence/stores/security-reviews.store';
import { AllegationsService } from '../allegations/allegations.service';
import type { CreateAllegationDto } from '../allegations/dto/create-allegation.dto';
import { conflict, notFound, unprocessable } from '../common/api-error';
import type { BallotCustodyDto, CreateBallotItemDto, CreateSecurityReviewDto } from './dto/ballot.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
/** A step may be recorded this far ahead of the server's clock (clock skew), no further. */
const FUTURE_SKEW_MS = 5 * 60_000;

const toItemView = (r: BallotItemRecord) => ({
  id: r.id,
  authorityId: r.authorityId,
  pollId: r.pollId,
  kind: r.kind,
  label: r.label,
  quantity: r.quantity,
  serialFrom: r.serialFrom,
  serialTo: r.serialTo,
  status: r.status,
  location: r.location,
  sealNumber: r.sealNumber,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
});

const toCustodyView = (e: BallotCustodyEvent) => ({
  id: e.id,
  action: e.action,
  at: iso(e.at),
  recordedBy: e.recordedBy,
  location: e.location,
  sealNumber: e.sealNumber,
  sealNumberObserved: e.sealNumberObserved,
  countObserved: e.countObserved,
  accessBy: e.accessBy,
  note: e.note,
});

const toDiscrepancyView = (d: BallotDiscrepancy) => ({
  id: d.id,
  itemId: d.itemId,
  itemLabel: d.itemLabel,
  custodyEventId: d.custodyEventId,
  kind: d.kind,
  expected: d.expected,
  observed: d.observed,
  status: d.status,
  allegationId: d.allegationId,
  decisionNote: d.decisionNote,
  decidedBy: d.decidedBy,
  decidedAt: iso(d.decidedAt),
  raisedAt: iso(d.raisedAt),
});

const toReviewView = (r: SecurityReview) => ({
  id: r.id,
  authorityId: r.authorityId,
  pollId: r.pollId,
  forceId: r.forceId,
  heldOn: r.heldOn,
  attendees: r.attendees,
  findings: r.findings,
  actions: r.actions,
  createdBy: r.createdBy,
  createdAt: iso(r.createdAt),
});

/** A review's actions with their state: open, or done by whom, when, with what note. */
function withCompletions(review: ReturnType<typeof toReviewView>, completions: ActionCompletion[]) {
  const actions = review.actions.map((a) => {
    const done = completions.find((c) => c.reviewId === review.id && c.actionId === a.id);
    return done ? { ...a, status: 'done', doneBy: done.doneBy, doneByName: done.doneByName, doneAt: done.doneAt, doneNote: done.note } : a;
  });
  return { ...review, actions };
}

/**
 * Ballot paper batches and ballot boxes, each with a custody log as evidence has; the
 * discrepancies a step finds, raised to triage; and the security reviews held with the police.
 * Every step and decision is an audit event on the item's chain in the authority's log.
 */
@Injectable()
export class BallotSecurityService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(AllegationsService) private readonly allegations: AllegationsService,
  ) {
    this.items = new BallotItemsStore(db);
    this.reviews = new SecurityReviewsStore(db);
    this.polls = new PollsStore(db);
  }

  private readonly items: BallotItemsStore;
  private readonly reviews: SecurityReviewsStore;
  private readonly polls: PollsStore;

  async createItem(principal: Principal, dto: CreateBallotItemDto) {
    const authorityId = principal.authorityId!;
    if (dto.pollId && !(await this.polls.isPollOf(dto.pollId, authorityId))) {
      throw unprocessable(problem('ballot.poll_not_found'), [fieldProblem('pollId', 'field.no_such_poll')]);
    }
    const id = randomUUID();
    return this.db.transaction(async (m) => {
      const items = new BallotItemsStore(m);
      const item = await items.insertItem({
        id,
        authorityId,
        pollId: dto.pollId ?? null,
        kind: dto.kind,
        label: dto.label,
        quantity: dto.quantity ?? null,
        serialFrom: dto.serialFrom ?? null,
        serialTo: dto.serialTo ?? null,
        location: dto.location,
        createdBy: principal.sub,
      });
      if (!item)
        throw conflict(problem(dto.kind === 'ballot_box' ? 'ballot.box_label_taken' : 'ballot.batch_label_taken', { label: dto.label }), [
          fieldProblem('label', 'ballot.label_taken'),
        ]);
      const note = [`received from ${dto.receivedFrom}`, dto.note].filter(Boolean).join('; ');
      await items.recordReceipt({ id: randomUUID(), itemId: id, authorityId, recordedBy: principal.sub, location: dto.location, note });
      await this.audit(m, principal, id, authorityId, 'ballot.received', null, dto);
      return toItemView(item);
    });
  }

  async listItems(principal: Principal, query: { pollId?: string; kind?: string }) {
    const items = await this.items.list(principal.authorityId ?? '', query);
    return items.map(toItemView);
  }

  async getItem(principal: Principal, id: string) {
    const item = await this.item(this.items, principal, id);
    const [custody, discrepancies] = await Promise.all([this.items.custody(id), this.items.discrepanciesOf(id)]);
    return { ...toItemView(item), custody: custody.map(toCustodyView), discrepancies: discrepancies.map(toDiscrepancyView) };
  }

  /**
   * Records one step under the item's row lock. A step the item's state does not allow is a 409
   * naming the field, with nothing written; a step that finds a seal or count that does not match
   * is recorded, and each discrepancy is raised to the authority's triage.
   */
  async recordStep(principal: Principal, id: string, dto: BallotCustodyDto) {
    const at = dto.at ? new Date(dto.at) : new Date();
    if (at.getTime() > Date.now() + FUTURE_SKEW_MS) throw unprocessable(problem('ballot.step_in_future'), [fieldProblem('at', 'validation.not_in_future')]);
    return this.db.transaction(async (m) => {
      const items = new BallotItemsStore(m);
      const row = await this.item(items, principal, id, true);
      const before: BallotItem = { kind: row.kind, status: row.status, location: row.location, sealNumber: row.sealNumber, quantity: row.quantity };
      const decision = applyBallotStep(before, { ...dto, accessBy: dto.accessBy });
      if (!decision.ok) {
        const { field, refusal } = decision;
        throw conflict(refusal, [{ field, problem: refusal.message, code: refusal.code, values: refusal.values }], { item: toItemView(row) });
      }
      const after = decision.item;
      const eventId = randomUUID();
      await items.insertCustodyEvent({
        id: eventId,
        itemId: id,
        authorityId: row.authorityId,
        action: dto.action,
        at,
        recordedBy: principal.sub,
        location: after.location,
        sealNumber: after.sealNumber,
        sealNumberObserved: dto.sealNumberObserved ?? null,
        countObserved: dto.countObserved ?? null,
        accessBy: (dto.accessBy ?? []).map((a) => a.trim()).filter(Boolean),
        note: dto.note ?? '',
      });
      await items.updateState(id, { status: after.status, location: after.location, sealNumber: after.sealNumber });
      await this.audit(
        m,
        principal,
        id,
        row.authorityId,
        `ballot.${dto.action}`,
        { status: before.status, location: before.location, sealNumber: before.sealNumber },
        { ...dto, at: at.toISOString() },
      );
      const raised = [];
      for (const found of decision.discrepancies) raised.push(await this.raise(m, principal, row, eventId, found));
      const updated = (await items.find(id))!;
      return { item: toItemView(updated), step: { id: eventId, action: dto.action, at: at.toISOString() }, discrepancies: raised };
    });
  }

  async listDiscrepancies(principal: Principal, status?: string) {
    const discrepancies = await this.items.listDiscrepancies(principal.authorityId ?? '', status);
    return discrepancies.map(toDiscrepancyView);
  }

  async dismiss(principal: Principal, id: string, reason: string) {
    return this.db.transaction(async (m) => {
      const items = new BallotItemsStore(m);
      const d = await this.discrepancy(items, principal, id);
      this.mustBeOpen(d);
      await items.dismissDiscrepancy(id, reason, principal.sub);
      await this.audit(
        m,
        principal,
        d.itemId,
        d.authorityId,
        'ballot.discrepancy_dismissed',
        { discrepancyId: id, status: 'open' },
        { discrepancyId: id, status: 'dismissed', reason },
      );
      return toDiscrepancyView(await this.discrepancy(items, principal, id));
    });
  }

  /**
   * Logs an allegation from the discrepancy (the body of POST /allegations) and links the two.
   * The discrepancy is its idempotency key: a retry gives the same case, not a second one.
   */
  async raiseAllegation(principal: Principal, id: string, dto: CreateAllegationDto) {
    const claimed = await this.db.transaction(async (m) => {
      const items = new BallotItemsStore(m);
      const d = await this.discrepancy(items, principal, id);
      if (d.status === 'allegation' && d.allegationId === null) return d; // a retry of a claim that did not finish
      this.mustBeOpen(d);
      await items.claimForAllegation(id, principal.sub);
      return d;
    });
    let receipt;
    try {
      receipt = await this.allegations.create(principal, dto, `ballot-discrepancy:${id}`);
    } catch (error) {
      await this.items.releaseClaim(id);
      throw error;
    }
    return this.db.transaction(async (m) => {
      const items = new BallotItemsStore(m);
      const d = await this.discrepancy(items, principal, id);
      if (d.allegationId !== receipt.id) {
        await items.linkAllegation(id, receipt.id, `allegation ${receipt.reference} logged from this discrepancy`);
        const facts = { discrepancyId: id, itemId: claimed.itemId, kind: claimed.kind, expected: claimed.expected, observed: claimed.observed };
        await this.audit(
          m,
          principal,
          claimed.itemId,
          claimed.authorityId,
          'ballot.discrepancy_allegation',
          { discrepancyId: id, status: 'open' },
          { discrepancyId: id, status: 'allegation', allegationId: receipt.id },
        );
        await appendAuditEvent(m, {
          caseId: receipt.id,
          authorityId: claimed.authorityId,
          actor: principal.sub,
          role: 'triage',
          action: 'allegation.ballot_discrepancy_linked',
          after: facts,
        });
      }
      return { discrepancy: toDiscrepancyView(await this.discrepancy(items, principal, id)), allegation: receipt };
    });
  }

  async createReview(principal: Principal, dto: CreateSecurityReviewDto) {
    const authorityId = principal.authorityId!;
    if (!(await this.reviews.forceExists(dto.forceId))) throw unprocessable(problem('field.no_such_force'), [fieldProblem('forceId', 'field.no_such_force')]);
    if (dto.pollId && !(await this.polls.isPollOf(dto.pollId, authorityId))) {
      throw unprocessable(problem('ballot.poll_not_found'), [fieldProblem('pollId', 'field.no_such_poll')]);
    }
    if (Date.parse(`${dto.heldOn}T00:00:00Z`) > Date.now() + 86_400_000)
      throw unprocessable(problem('review.not_held_yet'), [fieldProblem('heldOn', 'validation.not_in_future')]);
    const id = randomUUID();
    const actions = dto.actions.map((a) => ({ id: randomUUID(), ...a, status: 'open' }));
    return this.db.transaction(async (m) => {
      const review = await new SecurityReviewsStore(m).insert({
        id,
        authorityId,
        pollId: dto.pollId ?? null,
        forceId: dto.forceId,
        heldOn: dto.heldOn,
        attendees: dto.attendees,
        findings: dto.findings,
        actions,
        createdBy: principal.sub,
      });
      await this.audit(m, principal, id, authorityId, 'ballot.security_review_recorded', null, { ...dto, actions });
      return toReviewView(review);
    });
  }

  /** The authority's reviews, or a force's reviews with any authority; newest first. */
  async listReviews(principal: Principal) {
    const reviews = principal.authorityId
      ? await this.reviews.listForAuthority(principal.authorityId)
      : await this.reviews.listForForce(principal.forceId ?? '');
    const completions = await this.reviews.completions(reviews.map((r) => r.id));
    return reviews.map((r) => withCompletions(toReviewView(r), completions));
  }

  /**
   * Marks one of a review's actions done, by the caller, now: once (a second time is refused, the
   * first completion standing), as an audit event on the review's chain.
   */
  async completeAction(principal: Principal, reviewId: string, actionId: string, note: string | undefined) {
    if (!UUID.test(reviewId)) throw notFound('security review');
    return this.db.transaction(async (m) => {
      const store = new SecurityReviewsStore(m);
      const review = await store.findForAuthority(reviewId, principal.authorityId ?? '');
      if (!review) throw notFound('security review');
      const action = review.actions.find((a) => a.id === actionId);
      if (!action) throw notFound('review action');
      const done = await store.complete(review, action.id, { id: principal.sub, name: principal.name ?? principal.sub }, note?.trim() ?? '');
      if (!done) {
        const [first] = (await store.completions([review.id])).filter((c) => c.actionId === action.id);
        throw conflict(problem('review.action_done'), [
          first ? fieldProblem('status', 'review.action_done_on', { doneAt: first.doneAt }) : fieldProblem('status', 'review.action_done_before'),
        ]);
      }
      await this.audit(
        m,
        principal,
        review.id,
        review.authorityId,
        'ballot.security_review_action_done',
        { actionId: action.id, status: 'open' },
        {
          actionId: action.id,
          description: action.description,
          status: 'done',
          doneBy: done.doneBy,
          doneByName: done.doneByName,
          doneAt: done.doneAt,
          note: done.note,
        },
      );
      return {
        reviewId: review.id,
        action: { ...action, status: 'done', doneBy: done.doneBy, doneByName: done.doneByName, doneAt: done.doneAt, doneNote: done.note },
      };
    });
  }

  private async raise(m: EntityManager, principal: Principal, item: BallotItemRecord, custodyEventId: string, found: Discrepancy) {
    const id = randomUUID();
    const raised = await new BallotItemsStore(m).insertDiscrepancy({
      id,
      authorityId: item.authorityId,
      itemId: item.id,
      custodyEventId,
      kind: found.kind,
      expected: found.expected,
      observed: found.observed,
    });
    await this.audit(m, principal, item.id, item.authorityId, 'ballot.discrepancy_raised', null, { discrepancyId: id, ...found });
    // Triage is told at once, in-app; once per discrepancy.
    const told = notice('ballot_discrepancy', { discrepancy: found.kind, label: item.label, expected: found.expected, observed: found.observed });
    await new NotificationsStore(m).notifyAuthorityRole(item.authorityId, 'triage', {
      kind: told.kind,
      dueKey: `ballot-discrepancy:${id}`,
      subject: told.subject,
      body: told.body,
      aboutType: 'ballot_discrepancy',
      aboutId: id,
    });
    return toDiscrepancyView(raised);
  }

  private mustBeOpen(d: BallotDiscrepancy) {
    if (d.status !== 'open')
      throw conflict(problem(d.status === 'allegation' ? 'discrepancy.already_allegation' : 'discrepancy.already_dismissed'), [
        fieldProblem('status', 'discrepancy.not_open', { status: d.status }),
      ]);
  }

  private async item(items: BallotItemsStore, principal: Principal, id: string, lock = false): Promise<BallotItemRecord> {
    if (!UUID.test(id)) throw notFound('ballot item');
    const row = await items.findForAuthority(id, principal.authorityId ?? '', lock);
    if (!row) throw notFound('ballot item');
    return row;
  }

  /** One of the caller's authority's discrepancies, under its row lock. */
  private async discrepancy(items: BallotItemsStore, principal: Principal, id: string): Promise<BallotDiscrepancy> {
    if (!UUID.test(id)) throw notFound('discrepancy');
    const row = await items.lockDiscrepancy(id, principal.authorityId ?? '');
    if (!row) throw notFound('discrepancy');
    return row;
  }

  private audit(m: EntityManager, principal: Principal, caseId: string, authorityId: string, action: string, before: unknown, after: unknown) {
    const role = (['returning_officer', 'triage', 'staff', 'admin'] as const).find((r) => principal.roles.includes(r)) ?? principal.roles[0];
    return appendAuditEvent(m, { caseId, authorityId, actor: principal.sub, role, action, before, after });
  }
}
