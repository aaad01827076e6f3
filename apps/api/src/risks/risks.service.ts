import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../../../libs/auth/principal';
import { ApiConfig, TemporalConfig } from '../../../../libs/config';
import { riskScore } from '../../../../libs/domain';
import { appendAuditEvent } from '../../../../libs/persistence';
import { closeRiskSignal, riskChangedSignal, riskReviewedUpdate, riskReviewWorkflowId, type RiskReviewInput } from '../../../../workflows/risk-review.messages';
import { ApiError, conflict, notFound, unprocessable } from '../common/api-error';
import { LOGGER } from '../common/logger.provider';
import { PoliciesService } from '../policies/policies.service';
import type { CreateRiskDto, ListRisksQuery, MitigationDto, RecordReviewDto, UpdateRiskDto } from './dto/risk.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

interface RiskRow {
  id: string;
  authority_id: string;
  election_id: string | null;
  poll_date: string | null;
  title: string;
  category: string;
  likelihood: number;
  impact: number;
  owner_id: string;
  mitigations: (MitigationDto & { id: string })[];
  review_every: string;
  status: 'open' | 'closed';
  last_reviewed_at: Date | null;
  next_review_due_at: Date | null;
  escalated_at: Date | null;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
}

export function toRiskView(r: RiskRow) {
  const due = r.next_review_due_at ? new Date(r.next_review_due_at) : null;
  return {
    id: r.id,
    authorityId: r.authority_id,
    electionId: r.election_id,
    pollDate: r.poll_date,
    title: r.title,
    category: r.category,
    likelihood: r.likelihood,
    impact: r.impact,
    ...riskScore(r.likelihood, r.impact),
    ownerId: r.owner_id,
    mitigations: r.mitigations,
    reviewEvery: r.review_every,
    status: r.status,
    lastReviewedAt: iso(r.last_reviewed_at),
    nextReviewDueAt: iso(due),
    overdue: r.status === 'open' && due !== null && due.getTime() < Date.now(),
    escalatedAt: iso(r.escalated_at),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    closedAt: iso(r.closed_at),
  };
}

/** The risk register. Each open risk has a review-cycle workflow, which alone sets its due date. */
@Injectable()
export class RisksService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(Client) private readonly temporal: Client,
    @Inject(TemporalConfig) private readonly temporalConfig: TemporalConfig,
    @Inject(ApiConfig) private readonly config: ApiConfig,
    @Inject(PoliciesService) private readonly policies: PoliciesService,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async create(principal: Principal, dto: CreateRiskDto) {
    const authorityId = principal.authorityId!;
    await this.checkUsers(authorityId, dto.ownerId, dto.mitigations);
    const id = randomUUID();
    const now = new Date();
    const mitigations = dto.mitigations.map((m) => ({ ...m, id: m.id ?? randomUUID() }));
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO risks (id, authority_id, election_id, poll_date, title, category, likelihood, impact, owner_id, mitigations, review_every, status, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12, $13, $13)`,
        [id, authorityId, dto.electionId ?? null, dto.pollDate ?? null, dto.title, dto.category, dto.likelihood, dto.impact, dto.ownerId, JSON.stringify(mitigations), dto.reviewEvery, principal.sub, now],
      );
      await this.audit(m, principal, id, authorityId, 'risk.created', null, { ...dto, mitigations });
    });
    const input: RiskReviewInput = { riskId: id, authorityId, title: dto.title, ownerId: dto.ownerId, reviewEvery: dto.reviewEvery, pollDate: dto.pollDate ?? null, lastReviewedAt: now.toISOString(), policy: await this.policies.current(authorityId) };
    try {
      await this.temporal.workflow.start('riskReviewWorkflow', { workflowId: riskReviewWorkflowId(id), taskQueue: this.temporalConfig.TEMPORAL_TASK_QUEUE, args: [input] });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) {
        // No risk without its review cycle: take the row back out and say so. Its audit events
        // stay, with the abandonment recorded: they are leaves of the authority's append-only log.
        await this.db.transaction(async (m) => {
          await m.query('DELETE FROM risks WHERE id = $1', [id]);
          await this.audit(m, principal, id, authorityId, 'risk.registration_abandoned', null, { reason: 'the review workflow could not be started' });
        });
        this.log.warn({ riskId: id, err: (error as Error).message }, 'risk review workflow did not start');
        throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'the risk could not be registered because its review cycle could not be started; nothing was saved, try again', [{ field: 'temporal', problem: 'workflow start failed' }]);
      }
    }
    // The workflow projects the first due date at once; show it if it is there already.
    return toRiskView(await this.row(id));
  }

  async list(principal: Principal, query: ListRisksQuery) {
    const where = ['authority_id = $1'];
    const params: unknown[] = [principal.authorityId ?? ''];
    if (query.status) where.push(`status = $${params.push(query.status)}`);
    if (query.category) where.push(`category = $${params.push(query.category)}`);
    if (query.overdue === true) where.push("status = 'open' AND next_review_due_at < now()");
    if (query.overdue === false) where.push("NOT (status = 'open' AND coalesce(next_review_due_at < now(), false))");
    const rows: RiskRow[] = await this.db.query(
      `SELECT * FROM risks WHERE ${where.join(' AND ')}
       ORDER BY (status = 'open' AND next_review_due_at < now()) DESC, next_review_due_at ASC NULLS LAST, created_at DESC LIMIT 500`,
      params,
    );
    return rows.map(toRiskView);
  }

  async get(principal: Principal, id: string) {
    const risk = await this.visible(principal, id);
    const reviews = await this.db.query('SELECT id, reviewed_by, notes, likelihood, impact, mitigations, reviewed_at FROM risk_reviews WHERE risk_id = $1 ORDER BY reviewed_at DESC', [id]);
    return {
      ...toRiskView(risk),
      reviews: reviews.map((r: Record<string, any>) => ({ id: r.id, reviewedBy: r.reviewed_by, notes: r.notes, likelihood: r.likelihood, impact: r.impact, mitigations: r.mitigations, reviewedAt: iso(r.reviewed_at) })),
    };
  }

  /** Changes apply at once: the review workflow is told of a new owner, cadence or poll date. */
  async update(principal: Principal, id: string, dto: UpdateRiskDto) {
    const risk = await this.visible(principal, id);
    if (risk.status === 'closed') throw conflict('the risk is closed', [{ field: 'status', problem: 'closed' }]);
    if (dto.ownerId || dto.mitigations) await this.checkUsers(risk.authority_id, dto.ownerId ?? risk.owner_id, dto.mitigations ?? []);
    const mitigations = dto.mitigations?.map((m) => ({ ...m, id: m.id ?? randomUUID() }));
    const next = {
      title: dto.title ?? risk.title,
      category: dto.category ?? risk.category,
      likelihood: dto.likelihood ?? risk.likelihood,
      impact: dto.impact ?? risk.impact,
      owner_id: dto.ownerId ?? risk.owner_id,
      mitigations: mitigations ?? risk.mitigations,
      review_every: dto.reviewEvery ?? risk.review_every,
      poll_date: dto.pollDate ?? risk.poll_date,
      election_id: dto.electionId ?? risk.election_id,
    };
    await this.db.transaction(async (m) => {
      const [, updatedRows] = await m.query(
        `UPDATE risks SET title = $2, category = $3, likelihood = $4, impact = $5, owner_id = $6, mitigations = $7, review_every = $8, poll_date = $9, election_id = $10, updated_at = now() WHERE id = $1 AND status = 'open'`,
        [id, next.title, next.category, next.likelihood, next.impact, next.owner_id, JSON.stringify(next.mitigations), next.review_every, next.poll_date, next.election_id],
      );
      // closed since it was read above
      if (updatedRows === 0) throw conflict('the risk is closed', [{ field: 'status', problem: 'closed' }]);
      await this.audit(m, principal, id, risk.authority_id, 'risk.updated', pick(toRiskView(risk), Object.keys(dto)), { ...dto, ...(mitigations ? { mitigations } : {}) });
    });
    if (dto.ownerId || dto.reviewEvery || dto.pollDate || dto.title) {
      await this.temporal.workflow.getHandle(riskReviewWorkflowId(id)).signal(riskChangedSignal, { ownerId: dto.ownerId, reviewEvery: dto.reviewEvery, pollDate: dto.pollDate, title: dto.title });
    }
    return toRiskView(await this.row(id));
  }

  /**
   * The owner records a review: ratings and mitigations are updated and the cycle restarts. The
   * review row commits only if the workflow took it, so a review is never recorded without its
   * cycle restarting.
   */
  async review(principal: Principal, id: string, dto: RecordReviewDto) {
    const risk = await this.visible(principal, id);
    if (risk.owner_id !== principal.sub) throw new ApiError(HttpStatus.FORBIDDEN, "only the risk's owner records its reviews", [{ field: 'ownerId', problem: 'you are not the owner of this risk' }]);
    if (risk.status === 'closed') throw conflict('the risk is closed; it has no review cycle', [{ field: 'status', problem: 'closed' }]);
    if (dto.mitigations) await this.checkUsers(risk.authority_id, risk.owner_id, dto.mitigations);
    const reviewId = randomUUID();
    const reviewedAt = new Date();
    const likelihood = dto.likelihood ?? risk.likelihood;
    const impact = dto.impact ?? risk.impact;
    const mitigations = dto.mitigations?.map((m) => ({ ...m, id: m.id ?? randomUUID() })) ?? risk.mitigations;
    await this.db.transaction(async (m) => {
      await m.query('INSERT INTO risk_reviews (id, risk_id, reviewed_by, notes, likelihood, impact, mitigations, reviewed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        reviewId, id, principal.sub, dto.notes, likelihood, impact, JSON.stringify(mitigations), reviewedAt,
      ]);
      try {
        await this.temporal.withDeadline(Date.now() + this.config.DECISION_TIMEOUT_MS, () =>
          this.temporal.workflow.getHandle(riskReviewWorkflowId(id)).executeUpdate(riskReviewedUpdate, { args: [{ reviewedAt: reviewedAt.toISOString() }] }),
        );
      } catch (error) {
        this.log.warn({ riskId: id, err: (error as Error).message }, 'risk review not taken by its workflow');
        throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, "the risk's review cycle did not answer; the review was not recorded, try again", [{ field: 'temporal', problem: 'update failed' }]);
      }
      await m.query('UPDATE risks SET likelihood = $2, impact = $3, mitigations = $4, last_reviewed_at = $5, updated_at = now() WHERE id = $1', [id, likelihood, impact, JSON.stringify(mitigations), reviewedAt]);
      await this.audit(m, principal, id, risk.authority_id, 'risk.reviewed', { likelihood: risk.likelihood, impact: risk.impact, mitigations: risk.mitigations }, { reviewId, notes: dto.notes, likelihood, impact, mitigations });
    });
    return { review: { id: reviewId, reviewedAt: reviewedAt.toISOString(), notes: dto.notes, likelihood, impact, mitigations }, risk: toRiskView(await this.row(id)) };
  }

  async close(principal: Principal, id: string, note: string) {
    const risk = await this.visible(principal, id);
    if (risk.status === 'closed') throw conflict('the risk is already closed', [{ field: 'status', problem: 'closed' }]);
    await this.db.transaction(async (m) => {
      // Only the open risk is closed: of two closes at once, the second finds it closed (409)
      // rather than writing a second risk.closed event.
      const [, closedRows] = await m.query("UPDATE risks SET status = 'closed', closed_at = now(), next_review_due_at = NULL, updated_at = now() WHERE id = $1 AND status = 'open'", [id]);
      if (closedRows === 0) throw conflict('the risk is already closed', [{ field: 'status', problem: 'closed' }]);
      await this.audit(m, principal, id, risk.authority_id, 'risk.closed', { status: 'open' }, { status: 'closed', note });
    });
    await this.temporal.workflow.getHandle(riskReviewWorkflowId(id)).signal(closeRiskSignal);
    return toRiskView(await this.row(id));
  }

  private async checkUsers(authorityId: string, ownerId: string, mitigations: MitigationDto[]) {
    const ids = [...new Set([ownerId, ...mitigations.map((m) => m.ownerId)])];
    const found: { id: string }[] = await this.db.query('SELECT id FROM users WHERE id = ANY($1::uuid[]) AND authority_id = $2', [ids, authorityId]);
    const known = new Set(found.map((u) => u.id));
    const problems = [
      ...(known.has(ownerId) ? [] : [{ field: 'ownerId', problem: 'is not a user of this authority' }]),
      ...mitigations.flatMap((m, i) => (known.has(m.ownerId) ? [] : [{ field: `mitigations[${i}].ownerId`, problem: 'is not a user of this authority' }])),
    ];
    if (problems.length > 0) throw unprocessable('owners must be users of this authority', problems);
  }

  private async row(id: string): Promise<RiskRow> {
    const [row] = await this.db.query('SELECT * FROM risks WHERE id = $1', [id]);
    if (!row) throw notFound('risk');
    return row;
  }

  private async visible(principal: Principal, id: string): Promise<RiskRow> {
    if (!UUID.test(id)) throw notFound('risk');
    const row = await this.row(id);
    if (row.authority_id !== principal.authorityId) throw notFound('risk');
    return row;
  }

  /** Each risk has its own hash-chained history, kept like a case's (keyed by the risk id). */
  private audit(m: EntityManager, principal: Principal, riskId: string, authorityId: string, action: string, before: unknown, after: unknown) {
    const role = (['plan_owner', 'returning_officer', 'staff'] as const).find((r) => principal.roles.includes(r)) ?? principal.roles[0];
    return appendAuditEvent(m, { caseId: riskId, authorityId, actor: principal.sub, role, action, before, after });
  }
}

function pick(view: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in view).map((k) => [k, view[k]]));
}
