// Scheduled evidence checks: re-hashing stored content (integrity), and raising the disposal
// review of items whose retention date has passed. Both are idempotent: an alert or a review
// goes out once per item and due event, however often the schedule runs.
import { Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { notice } from '@libs/domain';
import { appendAuditEvent } from '@libs/persistence/audit';
import { EvidenceStore } from '@libs/persistence/stores/evidence.store';
import type { ContentStore } from '@libs/storage';
import { notify } from './notifications';

export interface IntegrityReport {
  checked: number;
  failed: number;
  newlyFailed: number;
}

export async function checkEvidenceIntegrity(db: DataSource, store: ContentStore): Promise<IntegrityReport> {
  const evidence = new EvidenceStore(db);
  const items = await evidence.digitalToCheck();
  const results = new Map<string, string | null>();
  const report: IntegrityReport = { checked: 0, failed: 0, newlyFailed: 0 };
  for (const item of items) {
    Context.current().heartbeat(item.id);
    if (!results.has(item.sha256)) results.set(item.sha256, (await store.rehash(item.sha256))?.sha256 ?? null);
    const actual = results.get(item.sha256)!;
    const ok = actual === item.sha256;
    report.checked += 1;
    await evidence.recordIntegrity(item.id, ok);
    if (ok) continue;
    report.failed += 1;
    const sent = await notify(db, {
      caseId: item.caseId,
      authorityId: item.authorityId,
      dueKey: `integrity:${item.id}:${actual ?? 'missing'}`,
      ...notice('integrity_alert', { reference: item.reference, evidenceId: item.id, description: item.description, expected: item.sha256, actual }),
      to: { authorityRoles: ['returning_officer', 'triage'] },
    });
    if (sent.newlySent > 0) {
      report.newlyFailed += 1;
      await db.transaction((m) =>
        appendAuditEvent(m, {
          caseId: item.caseId,
          authorityId: item.authorityId,
          actor: 'system:integrity-check',
          role: 'system',
          action: 'evidence.integrity_failed',
          after: { evidenceId: item.id, expected: item.sha256, actual },
        }),
      );
    }
  }
  return report;
}

export async function raiseDisposalReviews(db: DataSource): Promise<{ due: number; raised: number }> {
  const items = await new EvidenceStore(db).dueDisposalReview();
  let raised = 0;
  for (const item of items) {
    Context.current().heartbeat(item.id);
    const until = new Date(item.retentionUntil).toISOString();
    const sent = await notify(db, {
      caseId: item.caseId,
      authorityId: item.authorityId,
      dueKey: `disposal-review:${item.id}:${until}`,
      ...notice('disposal_review', { reference: item.reference, evidenceId: item.id, description: item.description, keepUntil: until }),
      to: { authorityRoles: ['returning_officer'] },
    });
    if (sent.newlySent > 0) raised += 1;
  }
  return { due: items.length, raised };
}
