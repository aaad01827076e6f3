// Evidence packages for the police: sealing (manifest and its hash, items locked), handover and
// acknowledgement, each written with its custody events and audit events in one transaction.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { DataSource, EntityManager } from 'typeorm';
import { canonicalJson } from '../libs/domain';
import { appendAuditEvent } from '../libs/persistence/audit';
import type { SealedPackage } from '../workflows/allegation/messages';
import { DECISION_REFUSED, type Actor } from '../workflows/shared/types';

export interface SealPackageInput {
  packageId: string;
  caseId: string;
  authorityId: string;
  reference: string;
  forceId: string;
  evidenceIds: string[];
  note?: string;
  actor: Actor;
}

export interface PackageStepInput {
  packageId: string;
  caseId: string;
  authorityId: string;
  forceId: string;
  actor: Actor;
  at: string;
  acknowledgeDueAt?: string;
  note?: string;
}

const refuse = (message: string, rule = 'evidence') => ApplicationFailure.create({ type: DECISION_REFUSED, message, nonRetryable: true, details: [{ rule }] });

/**
 * Seals a package: the chosen items, with their hashes and custody histories, go into a manifest
 * whose SHA-256 is the package's identity; the items are locked. Idempotent: a retry finds the
 * package sealed already and returns it.
 */
export async function sealPackage(db: DataSource, input: SealPackageInput): Promise<SealedPackage> {
  return db.transaction(async (m) => {
    const [existing] = await m.query('SELECT manifest_sha256, manifest FROM evidence_packages WHERE id = $1', [input.packageId]);
    if (existing) return summary(input.packageId, existing.manifest_sha256, existing.manifest);
    const items = await m.query('SELECT * FROM evidence_items WHERE id = ANY($1::uuid[]) ORDER BY created_at, id FOR UPDATE', [input.evidenceIds]);
    const byId = new Map(items.map((i: { id: string }) => [i.id, i]));
    for (const id of input.evidenceIds) {
      const item = byId.get(id) as { case_id: string; status: string; package_id: string | null } | undefined;
      if (!item || item.case_id !== input.caseId) throw refuse(`evidence item ${id} is not an item of this case`);
      if (item.status !== 'held') throw refuse(`evidence item ${id} is ${item.status}${item.package_id ? ` (package ${item.package_id})` : ''}; only held items can be packaged`);
    }
    const at = new Date().toISOString();
    const manifest = {
      packageId: input.packageId,
      caseId: input.caseId,
      reference: input.reference,
      authorityId: input.authorityId,
      forceId: input.forceId,
      sealedAt: at,
      sealedBy: input.actor.userId,
      note: input.note ?? null,
      // One at a time: these queries share the transaction's connection.
      items: await sequentially(items, async (i: Record<string, any>) => ({
        id: i.id,
        kind: i.kind,
        description: i.description,
        filename: i.filename,
        contentType: i.content_type,
        size: i.size === null ? null : Number(i.size),
        sha256: i.sha256,
        sealNumber: i.seal_number,
        custody: (await m.query('SELECT seq, action, from_holder, to_holder, location, seal_number, note, actor, role, at FROM custody_events WHERE evidence_id = $1 ORDER BY seq', [i.id])).map((c: Record<string, any>) => ({
          seq: c.seq, action: c.action, from: c.from_holder, to: c.to_holder, location: c.location, sealNumber: c.seal_number, note: c.note, actor: c.actor, role: c.role, at: new Date(c.at).toISOString(),
        })),
      })),
    };
    const manifestSha256 = createHash('sha256').update(canonicalJson(manifest)).digest('hex');
    await m.query(
      `INSERT INTO evidence_packages (id, case_id, authority_id, force_id, status, manifest, manifest_sha256, created_by, created_at) VALUES ($1, $2, $3, $4, 'sealed', $5, $6, $7, $8)`,
      [input.packageId, input.caseId, input.authorityId, input.forceId, JSON.stringify(manifest), manifestSha256, input.actor.userId, at],
    );
    for (const item of items) {
      await custodyStep(m, item.id, 'packaged', input.actor, { from: item.holder, to: item.holder, note: `sealed in package ${input.packageId}` });
      await m.query("UPDATE evidence_items SET status = 'packaged', package_id = $2 WHERE id = $1", [item.id, input.packageId]);
    }
    await appendAuditEvent(m, {
      caseId: input.caseId,
      authorityId: input.authorityId,
      actor: input.actor.userId,
      role: 'triage',
      action: 'package.sealed',
      after: { packageId: input.packageId, manifestSha256, forceId: input.forceId, items: items.map((i: { id: string; sha256: string | null }) => ({ id: i.id, sha256: i.sha256 })) },
    });
    return summary(input.packageId, manifestSha256, manifest);
  });
}

function summary(packageId: string, manifestSha256: string, manifest: { items: { id: string; sha256: string | null }[] }): SealedPackage {
  return { packageId, manifestSha256, items: manifest.items.map((i) => ({ id: i.id, sha256: i.sha256 })) };
}

async function custodyStep(m: EntityManager, evidenceId: string, action: string, actor: Actor, event: { from?: string | null; to?: string | null; note?: string | null; location?: string | null }) {
  const [{ seq }] = await m.query('SELECT custody_seq + 1 AS seq FROM evidence_items WHERE id = $1 FOR UPDATE', [evidenceId]);
  await m.query('UPDATE evidence_items SET custody_seq = $2 WHERE id = $1', [evidenceId, seq]);
  const role = actor.roles.includes('spoc') ? 'spoc' : 'triage';
  await m.query(
    `INSERT INTO custody_events (evidence_id, seq, action, from_holder, to_holder, location, note, actor, role) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [evidenceId, seq, action, event.from ?? null, event.to ?? null, event.location ?? null, event.note ?? null, actor.userId, role],
  );
}

/** The package leaves the authority: every item's custody passes to the force. Idempotent. */
export async function recordPackageHandover(db: DataSource, input: PackageStepInput): Promise<void> {
  await db.transaction(async (m) => {
    const [pkg] = await m.query('SELECT status FROM evidence_packages WHERE id = $1 FOR UPDATE', [input.packageId]);
    if (pkg.status !== 'sealed') return;
    await m.query("UPDATE evidence_packages SET status = 'handed_over', handed_over_at = $2, handed_over_by = $3, acknowledge_due_at = $4 WHERE id = $1", [input.packageId, input.at, input.actor.userId, input.acknowledgeDueAt]);
    const items = await m.query('SELECT id, holder FROM evidence_items WHERE package_id = $1 ORDER BY id', [input.packageId]);
    for (const item of items) {
      await custodyStep(m, item.id, 'handed_over', input.actor, { from: item.holder, to: input.forceId, note: input.note ?? `package ${input.packageId} handed over` });
      await m.query("UPDATE evidence_items SET status = 'handed_over', holder = $2 WHERE id = $1", [item.id, input.forceId]);
    }
    await appendAuditEvent(m, { caseId: input.caseId, authorityId: input.authorityId, actor: input.actor.userId, role: 'triage', action: 'package.handed_over', after: { packageId: input.packageId, forceId: input.forceId, acknowledgeDueAt: input.acknowledgeDueAt, note: input.note ?? null } });
  });
}

/** The force's SPOC acknowledges receipt: each item's custody records it. Idempotent. */
export async function recordPackageAcknowledged(db: DataSource, input: PackageStepInput): Promise<void> {
  await db.transaction(async (m) => {
    const [pkg] = await m.query('SELECT status FROM evidence_packages WHERE id = $1 FOR UPDATE', [input.packageId]);
    if (pkg.status === 'acknowledged') return;
    await m.query("UPDATE evidence_packages SET status = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3 WHERE id = $1", [input.packageId, input.at, input.actor.userId]);
    const items = await m.query('SELECT id, holder FROM evidence_items WHERE package_id = $1 ORDER BY id', [input.packageId]);
    const receiver = input.actor.username ?? input.actor.userId;
    for (const item of items) {
      await custodyStep(m, item.id, 'received', input.actor, { from: item.holder, to: receiver, note: input.note ?? `package ${input.packageId} received` });
      await m.query('UPDATE evidence_items SET holder = $2 WHERE id = $1', [item.id, receiver]);
    }
    await appendAuditEvent(m, { caseId: input.caseId, authorityId: input.authorityId, actor: input.actor.userId, role: 'spoc', action: 'package.acknowledged', after: { packageId: input.packageId, note: input.note ?? null } });
  });
}

async function sequentially<T, R>(items: T[], map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (const item of items) results.push(await map(item));
  return results;
}
