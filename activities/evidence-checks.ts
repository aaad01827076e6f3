// Scheduled evidence checks: re-hashing stored content (integrity), and raising the disposal
// review of items whose retention date has passed. Both are idempotent: an alert or a review
// goes out once per item and due event, however often the schedule runs.
import { Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { appendAuditEvent } from '../libs/persistence/audit';
import type { ContentStore } from '../libs/storage';
import { notify } from './notifications';

export interface IntegrityReport {
  checked: number;
  failed: number;
  newlyFailed: number;
}

export async function checkEvidenceIntegrity(db: DataSource, store: ContentStore): Promise<IntegrityReport> {
  const items: { id: string; case_id: string; authority_id: string; sha256: string; integrity_ok: boolean | null; reference: string; description: string }[] = await db.query(
    `SELECT e.id, e.case_id, e.authority_id, e.sha256, e.integrity_ok, a.reference, e.description
       FROM evidence_items e JOIN allegations a ON a.id = e.case_id
      WHERE e.kind = 'digital' AND e.status <> 'destroyed' ORDER BY e.sha256, e.id`,
  );
  const results = new Map<string, string | null>();
  const report: IntegrityReport = { checked: 0, failed: 0, newlyFailed: 0 };
  for (const item of items) {
    Context.current().heartbeat(item.id);
    if (!results.has(item.sha256)) results.set(item.sha256, (await store.rehash(item.sha256))?.sha256 ?? null);
    const actual = results.get(item.sha256)!;
    const ok = actual === item.sha256;
    report.checked += 1;
    await db.query('UPDATE evidence_items SET integrity_checked_at = now(), integrity_ok = $2 WHERE id = $1', [item.id, ok]);
    if (ok) continue;
    report.failed += 1;
    const sent = await notify(db, {
      caseId: item.case_id,
      authorityId: item.authority_id,
      dueKey: `integrity:${item.id}:${actual ?? 'missing'}`,
      kind: 'integrity_alert',
      subject: `Evidence integrity alert: ${item.reference}`,
      body: `The stored bytes of evidence item ${item.id} (${item.description}) in allegation ${item.reference} ${actual ? `now hash to ${actual}, not ${item.sha256}` : 'are missing'}. Treat the stored copy as compromised and investigate.`,
      to: { authorityRoles: ['returning_officer', 'triage'] },
    });
    if (sent.newlySent > 0) {
      report.newlyFailed += 1;
      await db.transaction((m) =>
        appendAuditEvent(m, { caseId: item.case_id, authorityId: item.authority_id, actor: 'system:integrity-check', role: 'system', action: 'evidence.integrity_failed', after: { evidenceId: item.id, expected: item.sha256, actual } }),
      );
    }
  }
  return report;
}

export async function raiseDisposalReviews(db: DataSource): Promise<{ due: number; raised: number }> {
  const items: { id: string; case_id: string; authority_id: string; retention_until: Date; description: string; reference: string }[] = await db.query(
    `SELECT e.id, e.case_id, e.authority_id, e.retention_until, e.description, a.reference
       FROM evidence_items e JOIN allegations a ON a.id = e.case_id
      WHERE e.retention_until <= now() AND e.status <> 'destroyed' AND NOT e.legal_hold ORDER BY e.retention_until, e.id`,
  );
  let raised = 0;
  for (const item of items) {
    Context.current().heartbeat(item.id);
    const until = new Date(item.retention_until).toISOString();
    const sent = await notify(db, {
      caseId: item.case_id,
      authorityId: item.authority_id,
      dueKey: `disposal-review:${item.id}:${until}`,
      kind: 'disposal_review',
      subject: `Disposal review due: ${item.reference}`,
      body: `Evidence item ${item.id} (${item.description}) of allegation ${item.reference} was to be kept until ${until}. Review it: dispose of it, or place a legal hold.`,
      to: { authorityRoles: ['returning_officer'] },
    });
    if (sent.newlySent > 0) raised += 1;
  }
  return { due: items.length, raised };
}
