import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../../../libs/auth/principal';
import { allegationWorkflowId, mergePolicy, Policy, validatePolicy, withPolicyDefaults } from '../../../../libs/domain';
import { riskReviewWorkflowId } from '../../../../workflows/risk-review.messages';
import { policyChangedSignal } from '../../../../workflows/shared/messages';
import { reevaluateRetention } from '../../../../libs/persistence';
import { notFound, unprocessable } from '../common/api-error';
import { LOGGER } from '../common/logger.provider';

@Injectable()
export class PoliciesService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(Client) private readonly temporal: Client,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** The authority's policy; the defaults of API.md until an admin changes it. */
  async current(authorityId: string, m: EntityManager = this.db.manager): Promise<Policy> {
    const [row] = await m.query('SELECT document FROM policies WHERE authority_id = $1', [authorityId]);
    return withPolicyDefaults((row?.document as Partial<Policy>) ?? {});
  }

  async get(principal: Principal, authorityId: string): Promise<Policy> {
    this.assertTenant(principal, authorityId);
    return this.current(authorityId);
  }

  /**
   * Merges a partial document, validates the whole, stores it and tells every open case of the
   * authority, so running cases use the new values for their next deadlines.
   */
  async patch(principal: Principal, authorityId: string, patch: Record<string, unknown>): Promise<Policy> {
    this.assertTenant(principal, authorityId);
    const merged = mergePolicy(await this.current(authorityId), patch);
    const problems = validatePolicy(merged);
    if (problems.length > 0) throw unprocessable(problems.map((p) => `${p.field} ${p.problem}`).join('; '), problems);
    const policy = merged as Policy;
    await this.db.query(
      `INSERT INTO policies (authority_id, document, updated_at, updated_by) VALUES ($1, $2, now(), $3)
       ON CONFLICT (authority_id) DO UPDATE SET document = EXCLUDED.document, updated_at = now(), updated_by = EXCLUDED.updated_by`,
      [authorityId, JSON.stringify(policy), principal.sub],
    );
    this.log.info({ authorityId, by: principal.sub, changed: Object.keys(patch) }, 'policy changed');
    if ('evidenceRetention' in patch) {
      const items = await reevaluateRetention(this.db.manager, authorityId);
      this.log.info({ authorityId, items }, 'evidence retention re-evaluated');
    }
    await this.tellOpenCases(authorityId, policy);
    return policy;
  }

  private async tellOpenCases(authorityId: string, policy: Policy): Promise<void> {
    const cases: { id: string }[] = await this.db.query("SELECT id FROM allegations WHERE authority_id = $1 AND status NOT IN ('closed', 'withdrawn')", [authorityId]);
    const risks: { id: string }[] = await this.db.query("SELECT id FROM risks WHERE authority_id = $1 AND status = 'open'", [authorityId]);
    // Open risks' review cycles take the new grace and near-poll cadence too.
    const open = [...cases.map((c) => ({ workflowId: allegationWorkflowId(c.id) })), ...risks.map((r) => ({ workflowId: riskReviewWorkflowId(r.id) }))];
    let failed = 0;
    const queue = [...open];
    const signalNext = async (): Promise<void> => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        try {
          await this.temporal.workflow.getHandle(next.workflowId).signal(policyChangedSignal, policy);
        } catch (error) {
          // A case whose workflow has not started yet reads the stored policy when it does start.
          failed += 1;
          this.log.warn({ workflowId: next.workflowId, err: (error as Error).message }, 'policy change not delivered');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, signalNext));
    this.log.info({ authorityId, cases: open.length, failed }, 'policy change sent to open cases');
  }

  private assertTenant(principal: Principal, authorityId: string): void {
    if (principal.authorityId !== authorityId) throw notFound('authority');
  }
}
