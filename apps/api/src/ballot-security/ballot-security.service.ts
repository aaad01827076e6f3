import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '@libs/auth/principal';
import { applyBallotStep, type BallotItem, type BallotItemKind, type BallotStatus, type Discrepancy, notice, fieldProblem, problem } from '@libs/domain';
import { appendAuditEvent } from '@libs/persistence';
import { SecurityReviewsStore, type ActionCompletion } from '@libs/persistence/stores/security-reviews.store';
import { AllegationsService } from '../allegations/allegations.service';
import type { CreateAllegationDto } from '../allegations/dto/create-allegation.dto';
import { conflict, notFound, unprocessable } from '../common/api-error';
import type { BallotCustodyDto, CreateBallotItemDto, CreateSecurityReviewDto } from './dto/ballot.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
const day = (d: Date | string) =>
  typeof d === 'string' ? d.slice(0, 10) : `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
/** A step may be recorded this far ahead of the server's clock (clock skew), no further. */
const FUTURE_SKEW_MS = 5 * 60_000;

interface ItemRow {
  id: string;
  authority_id: string;
  poll_id: string | null;
  kind: BallotItemKind;
  label: string;
  quantity: number | null;
  serial_from: string | null;
  serial_to: string | null;
  status: BallotStatus;
  location: string;
  seal_number: string | null;
  created_at: Date;
  updated_at: Date;
}

const toItemView = (r: ItemRow) => ({
  id: r.id,
  authorityId: r.authority_id,
  pollId: r.poll_id,
  kind: r.kind,
  label: r.label,
  quantity: r.quantity,
  serialFrom: r.serial_from,
  serialTo: r.serial_to,
  status: r.status,
  location: r.location,
  sealNumber: r.seal_number,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

const toCustodyView = (e: Record<string, any>) => ({
  id: e.id,
  action: e.action,
  at: iso(e.at),
  recordedBy: e.recorded_by,
  location: e.location,
  sealNumber: e.seal_number,
  sealNumberObserved: e.seal_number_observed,
  countObserved: e.count_observed,
  accessBy: e.access_by,
  note: e.note,
});

const toDiscrepancyView = (d: Record<string, any>) => ({
  id: d.id,
  itemId: d.item_id,
  itemLabel: d.item_label ?? undefined,
  custodyEventId: d.custody_event_id,
  kind: d.kind,
  expected: d.expected,
  observed: d.observed,
  status: d.status,
  allegationId: d.allegation_id,
  decisionNote: d.decision_note,
  decidedBy: d.decided_by,
  decidedAt: iso(d.decided_at),
  raisedAt: iso(d.raised_at),
});

const toReviewView = (r: Record<string, any>) => ({
  id: r.id,
  authorityId: r.authority_id,
  pollId: r.poll_id,
  forceId: r.force_id,
  heldOn: day(r.held_on),
  attendees: r.attendees,
  findings: r.findings,
  actions: r.actions,
  createdBy: r.created_by,
  createdAt: iso(r.created_at),
});

/** A review's actions with their state: open, or done by whom, when, with what note. */
function withCompletions(review: ReturnType<typeof toReviewView>, completions: ActionCompletion[]) {
  const actions = (review.actions as Record<string, unknown>[]).map((a) => {
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
  ) {}

  async createItem(principal: Principal, dto: CreateBallotItemDto) {
    const authorityId = principal.authorityId!;
    if (dto.pollId && !(await this.db.query('SELECT 1 FROM polls WHERE id = $1 AND authority_id = $2', [dto.pollId, authorityId])).length) {
      throw unprocessable(problem('ballot.poll_not_found'), [fieldProblem('pollId', 'field.no_such_poll')]);
    }
    const id = randomUUID();
    return this.db.transaction(async (m) => {
      const rows: ItemRow[] = await m.query(
        `INSERT INTO ballot_items (id, authority_id, poll_id, kind, label, quantity, serial_from, serial_to, status, location, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'held', $9, $10) ON CONFLICT (authority_id, kind, label) DO NOTHING RETURNING *`,
        [
          id,
          authorityId,
          dto.pollId ?? null,
          dto.kind,
          dto.label,
          dto.quantity ?? null,
          dto.serialFrom ?? null,
          dto.serialTo ?? null,
          dto.location,
          principal.sub,
        ],
      );
      if (rows.length === 0)
        throw conflict(problem(dto.kind === 'ballot_box' ? 'ballot.box_label_taken' : 'ballot.batch_label_taken', { label: dto.label }), [
          fieldProblem('label', 'ballot.label_taken'),
        ]);
      const note = [`received from ${dto.receivedFrom}`, dto.note].filter(Boolean).join('; ');
      await m.query(
        `INSERT INTO ballot_custody_events (id, item_id, authority_id, action, at, recorded_by, location, note) VALUES ($1, $2, $3, 'received', now(), $4, $5, $6)`,
        [randomUUID(), id, authorityId, principal.sub, dto.location, note],
      );
      await this.audit(m, principal, id, authorityId, 'ballot.received', null, dto);
      return toItemView(rows[0]);
    });
  }

  async listItems(principal: Principal, query: { pollId?: string; kind?: string }) {
    const where = ['authority_id = $1'];
    const params: unknown[] = [principal.authorityId ?? ''];
    if (query.pollId) where.push(`poll_id = $${params.push(query.pollId)}`);
    if (query.kind) where.push(`kind = $${params.push(query.kind)}`);
    const rows: ItemRow[] = await this.db.query(`SELECT * FROM ballot_items WHERE ${where.join(' AND ')} ORDER BY kind, label LIMIT 1000`, params);
    return rows.map(toItemView);
  }

  async getItem(principal: Principal, id: string) {
    const item = await this.item(this.db.manager, principal, id);
    const [custody, discrepancies] = await Promise.all([
      this.db.query('SELECT * FROM ballot_custody_events WHERE item_id = $1 ORDER BY at, id', [id]),
      this.db.query('SELECT * FROM ballot_discrepancies WHERE item_id = $1 ORDER BY raised_at', [id]),
    ]);
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
      const row = await this.item(m, principal, id, true);
      const before: BallotItem = { kind: row.kind, status: row.status, location: row.location, sealNumber: row.seal_number, quantity: row.quantity };
      const decision = applyBallotStep(before, { ...dto, accessBy: dto.accessBy });
      if (!decision.ok) {
        const { field, refusal } = decision;
        throw conflict(refusal, [{ field, problem: refusal.message, code: refusal.code, values: refusal.values }], { item: toItemView(row) });
      }
      const after = decision.item;
      const eventId = randomUUID();
      await m.query(
        `INSERT INTO ballot_custody_events (id, item_id, authority_id, action, at, recorded_by, location, seal_number, seal_number_observed, count_observed, access_by, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          eventId,
          id,
          row.authority_id,
          dto.action,
          at,
          principal.sub,
          after.location,
          after.sealNumber,
          dto.sealNumberObserved ?? null,
          dto.countObserved ?? null,
          (dto.accessBy ?? []).map((a) => a.trim()).filter(Boolean),
          dto.note ?? '',
        ],
      );
      await m.query('UPDATE ballot_items SET status = $2, location = $3, seal_number = $4, updated_at = now() WHERE id = $1', [
        id,
        after.status,
        after.location,
        after.sealNumber,
      ]);
      await this.audit(
        m,
        principal,
        id,
        row.authority_id,
        `ballot.${dto.action}`,
        { status: before.status, location: before.location, sealNumber: before.sealNumber },
        { ...dto, at: at.toISOString() },
      );
      const raised = [];
      for (const found of decision.discrepancies) raised.push(await this.raise(m, principal, row, eventId, found));
      const [updated] = await m.query('SELECT * FROM ballot_items WHERE id = $1', [id]);
      return { item: toItemView(updated), step: { id: eventId, action: dto.action, at: at.toISOString() }, discrepancies: raised };
    });
  }

  async listDiscrepancies(principal: Principal, status?: string) {
    const rows = await this.db.query(
      `SELECT d.*, i.label AS item_label FROM ballot_discrepancies d JOIN ballot_items i ON i.id = d.item_id
       WHERE d.authority_id = $1 ${status ? 'AND d.status = $2' : ''} ORDER BY d.raised_at DESC LIMIT 500`,
      status ? [principal.authorityId ?? '', status] : [principal.authorityId ?? ''],
    );
    return rows.map(toDiscrepancyView);
  }

  async dismiss(principal: Principal, id: string, reason: string) {
    return this.db.transaction(async (m) => {
      const d = await this.discrepancy(m, principal, id);
      this.mustBeOpen(d);
      await m.query("UPDATE ballot_discrepancies SET status = 'dismissed', decision_note = $2, decided_by = $3, decided_at = now() WHERE id = $1", [
        id,
        reason,
        principal.sub,
      ]);
      await this.audit(
        m,
        principal,
        d.item_id,
        d.authority_id,
        'ballot.discrepancy_dismissed',
        { discrepancyId: id, status: 'open' },
        { discrepancyId: id, status: 'dismissed', reason },
      );
      return toDiscrepancyView(await this.discrepancy(m, principal, id));
    });
  }

  /**
   * Logs an allegation from the discrepancy (the body of POST /allegations) and links the two.
   * The discrepancy is its idempotency key: a retry gives the same case, not a second one.
   */
  async raiseAllegation(principal: Principal, id: string, dto: CreateAllegationDto) {
    const claimed = await this.db.transaction(async (m) => {
      const d = await this.discrepancy(m, principal, id);
      if (d.status === 'allegation' && d.allegation_id === null) return d; // a retry of a claim that did not finish
      this.mustBeOpen(d);
      await m.query("UPDATE ballot_discrepancies SET status = 'allegation', decided_by = $2, decided_at = now() WHERE id = $1", [id, principal.sub]);
      return d;
    });
    let receipt;
    try {
      receipt = await this.allegations.create(principal, dto, `ballot-discrepancy:${id}`);
    } catch (error) {
      await this.db.query("UPDATE ballot_discrepancies SET status = 'open', decided_by = NULL, decided_at = NULL WHERE id = $1 AND allegation_id IS NULL", [
        id,
      ]);
      throw error;
    }
    return this.db.transaction(async (m) => {
      const d = await this.discrepancy(m, principal, id);
      if (d.allegation_id !== receipt.id) {
        await m.query('UPDATE ballot_discrepancies SET allegation_id = $2, decision_note = $3 WHERE id = $1', [
          id,
          receipt.id,
          `allegation ${receipt.reference} logged from this discrepancy`,
        ]);
        const facts = { discrepancyId: id, itemId: claimed.item_id, kind: claimed.kind, expected: claimed.expected, observed: claimed.observed };
        await this.audit(
          m,
          principal,
          claimed.item_id,
          claimed.authority_id,
          'ballot.discrepancy_allegation',
          { discrepancyId: id, status: 'open' },
          { discrepancyId: id, status: 'allegation', allegationId: receipt.id },
        );
        await appendAuditEvent(m, {
          caseId: receipt.id,
          authorityId: claimed.authority_id,
          actor: principal.sub,
          role: 'triage',
          action: 'allegation.ballot_discrepancy_linked',
          after: facts,
        });
      }
      return { discrepancy: toDiscrepancyView(await this.discrepancy(m, principal, id)), allegation: receipt };
    });
  }

  async createReview(principal: Principal, dto: CreateSecurityReviewDto) {
    const authorityId = principal.authorityId!;
    if (!(await this.db.query('SELECT 1 FROM police_forces WHERE id = $1', [dto.forceId])).length)
      throw unprocessable(problem('field.no_such_force'), [fieldProblem('forceId', 'field.no_such_force')]);
    if (dto.pollId && !(await this.db.query('SELECT 1 FROM polls WHERE id = $1 AND authority_id = $2', [dto.pollId, authorityId])).length) {
      throw unprocessable(problem('ballot.poll_not_found'), [fieldProblem('pollId', 'field.no_such_poll')]);
    }
    if (Date.parse(`${dto.heldOn}T00:00:00Z`) > Date.now() + 86_400_000)
      throw unprocessable(problem('review.not_held_yet'), [fieldProblem('heldOn', 'validation.not_in_future')]);
    const id = randomUUID();
    const actions = dto.actions.map((a) => ({ id: randomUUID(), ...a, status: 'open' }));
    return this.db.transaction(async (m) => {
      const [row] = await m.query(
        `INSERT INTO ballot_security_reviews (id, authority_id, poll_id, force_id, held_on, attendees, findings, actions, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
        [id, authorityId, dto.pollId ?? null, dto.forceId, dto.heldOn, dto.attendees, dto.findings, JSON.stringify(actions), principal.sub],
      );
      await this.audit(m, principal, id, authorityId, 'ballot.security_review_recorded', null, { ...dto, actions });
      return toReviewView(row);
    });
  }

  /** The authority's reviews, or a force's reviews with any authority; newest first. */
  async listReviews(principal: Principal) {
    const rows = principal.authorityId
      ? await this.db.query('SELECT * FROM ballot_security_reviews WHERE authority_id = $1 ORDER BY held_on DESC, created_at DESC LIMIT 200', [
          principal.authorityId,
        ])
      : await this.db.query('SELECT * FROM ballot_security_reviews WHERE force_id = $1 ORDER BY held_on DESC, created_at DESC LIMIT 200', [
          principal.forceId ?? '',
        ]);
    const completions = await new SecurityReviewsStore(this.db).completions(rows.map((r: { id: string }) => r.id));
    return rows.map((r: Record<string, any>) => withCompletions(toReviewView(r), completions));
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

  private async raise(m: EntityManager, principal: Principal, item: ItemRow, custodyEventId: string, found: Discrepancy) {
    const id = randomUUID();
    const [row] = await m.query(
      `INSERT INTO ballot_discrepancies (id, authority_id, item_id, custody_event_id, kind, expected, observed) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [id, item.authority_id, item.id, custodyEventId, found.kind, found.expected, found.observed],
    );
    await this.audit(m, principal, item.id, item.authority_id, 'ballot.discrepancy_raised', null, { discrepancyId: id, ...found });
    // Triage is told at once, in-app; once per discrepancy.
    const told = notice('ballot_discrepancy', { discrepancy: found.kind, label: item.label, expected: found.expected, observed: found.observed });
    await m.query(
      `INSERT INTO notifications (id, recipient_id, case_id, kind, subject, body, due_key, about_type, about_id)
       SELECT gen_random_uuid(), u.id, NULL, $6, $2, $3, $4, 'ballot_discrepancy', $5::uuid FROM users u
       WHERE u.authority_id = $1 AND u.roles && ARRAY['triage']::text[]
       ON CONFLICT (recipient_id, due_key) DO NOTHING`,
      [item.authority_id, told.subject, told.body, `ballot-discrepancy:${id}`, id, told.kind],
    );
    return toDiscrepancyView(row);
  }

  private mustBeOpen(d: Record<string, any>) {
    if (d.status !== 'open')
      throw conflict(problem(d.status === 'allegation' ? 'discrepancy.already_allegation' : 'discrepancy.already_dismissed'), [
        fieldProblem('status', 'discrepancy.not_open', { status: d.status }),
      ]);
  }

  private async item(m: EntityManager, principal: Principal, id: string, lock = false): Promise<ItemRow> {
    if (!UUID.test(id)) throw notFound('ballot item');
    const [row]: ItemRow[] = await m.query(`SELECT * FROM ballot_items WHERE id = $1 AND authority_id = $2 ${lock ? 'FOR UPDATE' : ''}`, [
      id,
      principal.authorityId ?? '',
    ]);
    if (!row) throw notFound('ballot item');
    return row;
  }

  private async discrepancy(m: EntityManager, principal: Principal, id: string): Promise<Record<string, any>> {
    if (!UUID.test(id)) throw notFound('discrepancy');
    const [row] = await m.query('SELECT * FROM ballot_discrepancies WHERE id = $1 AND authority_id = $2 FOR UPDATE', [id, principal.authorityId ?? '']);
    if (!row) throw notFound('discrepancy');
    return row;
  }

  private audit(m: EntityManager, principal: Principal, caseId: string, authorityId: string, action: string, before: unknown, after: unknown) {
    const role = (['returning_officer', 'triage', 'staff', 'admin'] as const).find((r) => principal.roles.includes(r)) ?? principal.roles[0];
    return appendAuditEvent(m, { caseId, authorityId, actor: principal.sub, role, action, before, after });
  }
}
