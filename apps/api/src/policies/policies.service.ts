import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import { nameUuid } from '@libs/auth/demo-data';
import type { Principal } from '@libs/auth/principal';
import { allegationWorkflowId, mergePolicy, Policy, validatePolicy, withPolicyDefaults } from '@libs/domain';
import { riskReviewWorkflowId } from '@workflows/risk-review.messages';
import { policyChangedSignal } from '@workflows/shared/messages';
import { appendAuditEvent, reevaluateRetention } from '@libs/persistence';
import { PoliciesStore } from '@libs/persistence/stores/policies.store';
import { notFound } from '../common/api-error';
import { invalidRequest } from '../common/validation';
import { LOGGER } from '../common/logger.provider';

/**
 * The audit chain an authority's policy changes are appended to, in the authority's Merkle log.
 * Chains are keyed by a UUID and authority ids are text, so the key is derived from the id.
 */
export const policyAuditChainId = (authorityId: string) => nameUuid(`policy:${authorityId}`);

@Injectable()
export class PoliciesService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(Client) private readonly temporal: Client,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** The authority's policy; the defaults of API.md until an admin changes it. */
  async current(authorityId: string, m: EntityManager = this.db.manager): Promise<Policy> {
    const stored = await new PoliciesStore(m).find(authorityId);
    return withPolicyDefaults((stored?.document as Partial<Policy>) ?? {});
  }

  async get(principal: Principal, authorityId: string): Promise<Policy> {
    this.assertTenant(principal, authorityId);
    return this.current(authorityId);
  }

  /**
   * Merges a partial document, validates the whole, stores it with an audit event naming each
   * changed field's old and new value, and tells every open case of the authority, so running
   * cases use the new values for their next deadlines. A refused document changes nothing.
   */
  async patch(principal: Principal, authorityId: string, patch: Record<string, unknown>): Promise<Policy> {
    this.assertTenant(principal, authorityId);
    const { policy, changed } = await this.db.transaction(async (m) => {
      const store = new PoliciesStore(m);
      const current = withPolicyDefaults(((await store.find(authorityId, true))?.document as Partial<Policy>) ?? {});
      const merged = mergePolicy(current, patch);
      const problems = validatePolicy(merged);
      if (problems.length > 0) throw invalidRequest(problems);
      const next = merged as Policy;
      const changed = (Object.keys(next) as (keyof Policy)[]).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(current[k]));
      if (changed.length === 0) return { policy: next, changed };
      await store.save(authorityId, next, principal.sub);
      const redated = changed.includes('evidenceRetention') ? await reevaluateRetention(m, authorityId) : undefined;
      await appendAuditEvent(m, {
        caseId: policyAuditChainId(authorityId),
        authorityId,
        actor: principal.sub,
        role: 'admin',
        action: 'policy.changed',
        before: Object.fromEntries(changed.map((k) => [k, current[k]])),
        after: { ...Object.fromEntries(changed.map((k) => [k, next[k]])), ...(redated === undefined ? {} : { evidenceItemsRedated: redated }) },
      });
      return { policy: next, changed };
    });
    this.log.info({ authorityId, by: principal.sub, changed }, changed.length ? 'policy changed' : 'policy saved unchanged');
    if (changed.length > 0) await this.tellOpenCases(authorityId, policy);
    return policy;
  }

  private async tellOpenCases(authorityId: string, policy: Policy): Promise<void> {
    const store = new PoliciesStore(this.db);
    // Open risks' review cycles take the new grace and near-poll cadence too.
    const open = [...(await store.openCaseIds(authorityId)).map(allegationWorkflowId), ...(await store.openRiskIds(authorityId)).map(riskReviewWorkflowId)];
    let failed = 0;
    const queue = [...open];
    const signalNext = async (): Promise<void> => {
      for (let workflowId = queue.shift(); workflowId; workflowId = queue.shift()) {
        try {
          await this.temporal.workflow.getHandle(workflowId).signal(policyChangedSignal, policy);
        } catch (error) {
          // A case whose workflow has not started yet reads the stored policy when it does start.
          failed += 1;
          this.log.warn({ workflowId, err: (error as Error).message }, 'policy change not delivered');
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
