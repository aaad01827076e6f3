// Evidence packages for the police: sealing (manifest and its hash, items locked), handover and
// acknowledgement, each written with its custody events and audit events in one transaction.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import { canonicalJson, problem, type ProblemCode, type ValuesArg } from '@libs/domain';
import { appendAuditEvent } from '@libs/persistence/audit';
import type { SealedPackage } from '@workflows/allegation/messages';
import { DECISION_REFUSED, type Actor } from '@workflows/shared/types';
import { EvidenceStore } from '@libs/persistence/stores/evidence.store';
import { PackagesStore, type Manifest } from '@libs/persistence/stores/packages.store';
import type { Queryable } from '@libs/persistence/stores/queryable';

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

/** A refusal the API answers with 409, as a workflow validator's is (workflows/shared/refuse.ts). */
function refuse<C extends ProblemCode>(code: C, ...values: ValuesArg<C>) {
  const { message, values: given } = problem(code, ...values);
  return ApplicationFailure.create({ type: DECISION_REFUSED, message, nonRetryable: true, details: [{ rule: 'evidence', code, values: given }] });
}

/**
 * Seals a package: the chosen items, with their hashes and custody histories, go into a manifest
 * whose SHA-256 is the package's identity; the items are locked. Idempotent: a retry finds the
 * package sealed already and returns it.
 */
export async function sealPackage(db: DataSource, input: SealPackageInput): Promise<SealedPackage> {
  return db.transaction(async (m) => {
    const packages = new PackagesStore(m);
    const evidence = new EvidenceStore(m);
    const existing = await packages.sealed(input.packageId);
    if (existing) return summary(input.packageId, existing.manifestSha256, existing.manifest);
    const items = await evidence.lockMany(input.evidenceIds);
    const byId = new Map(items.map((i) => [i.id, i]));
    for (const id of input.evidenceIds) {
      const item = byId.get(id);
      if (!item || item.caseId !== input.caseId) throw refuse('package.item_not_in_case', { id });
      if (item.status !== 'held')
        throw item.packageId
          ? refuse('package.item_in_package', { id, status: item.status, packageId: item.packageId })
          : refuse('package.item_not_held', { id, status: item.status });
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
      items: await sequentially(items, async (i) => ({
        id: i.id,
        kind: i.kind,
        description: i.description,
        filename: i.filename,
        contentType: i.contentType,
        size: i.size,
        sha256: i.sha256,
        sealNumber: i.sealNumber,
        custody: (await evidence.custodyOf(i.id)).map((c) => ({
          seq: c.seq,
          action: c.action,
          from: c.fromHolder,
          to: c.toHolder,
          location: c.location,
          sealNumber: c.sealNumber,
          note: c.note,
          actor: c.actor,
          role: c.role,
          at: new Date(c.at).toISOString(),
        })),
      })),
    };
    const manifestSha256 = createHash('sha256').update(canonicalJson(manifest)).digest('hex');
    await packages.insertSealed({
      id: input.packageId,
      caseId: input.caseId,
      authorityId: input.authorityId,
      forceId: input.forceId,
      manifest,
      manifestSha256,
      createdBy: input.actor.userId,
      createdAt: at,
    });
    for (const item of items) {
      await custodyStep(m, item.id, 'packaged', input.actor, { from: item.holder, to: item.holder, note: `sealed in package ${input.packageId}` });
      await evidence.markPackaged(item.id, input.packageId);
    }
    await appendAuditEvent(m, {
      caseId: input.caseId,
      authorityId: input.authorityId,
      actor: input.actor.userId,
      role: 'triage',
      action: 'package.sealed',
      after: { packageId: input.packageId, manifestSha256, forceId: input.forceId, items: items.map((i) => ({ id: i.id, sha256: i.sha256 })) },
    });
    return summary(input.packageId, manifestSha256, manifest);
  });
}

function summary(packageId: string, manifestSha256: string, manifest: Pick<Manifest, 'items'>): SealedPackage {
  return { packageId, manifestSha256, items: manifest.items.map((i) => ({ id: i.id, sha256: i.sha256 })) };
}

async function custodyStep(
  m: Queryable,
  evidenceId: string,
  action: string,
  actor: Actor,
  event: { from?: string | null; to?: string | null; note?: string | null; location?: string | null },
) {
  const role = actor.roles.includes('spoc') ? 'spoc' : 'triage';
  await new EvidenceStore(m).appendNextCustody(evidenceId, {
    action,
    fromHolder: event.from ?? null,
    toHolder: event.to ?? null,
    location: event.location ?? null,
    note: event.note ?? null,
    actor: actor.userId,
    role,
  });
}

/** The package leaves the authority: every item's custody passes to the force. Idempotent. */
export async function recordPackageHandover(db: DataSource, input: PackageStepInput): Promise<void> {
  await db.transaction(async (m) => {
    const packages = new PackagesStore(m);
    const evidence = new EvidenceStore(m);
    if ((await packages.lockStatus(input.packageId)) !== 'sealed') return;
    await packages.markHandedOver(input.packageId, input.at, input.actor.userId, input.acknowledgeDueAt);
    for (const item of await evidence.inPackage(input.packageId)) {
      await custodyStep(m, item.id, 'handed_over', input.actor, {
        from: item.holder,
        to: input.forceId,
        note: input.note ?? `package ${input.packageId} handed over`,
      });
      await evidence.markHandedOver(item.id, input.forceId);
    }
    await appendAuditEvent(m, {
      caseId: input.caseId,
      authorityId: input.authorityId,
      actor: input.actor.userId,
      role: 'triage',
      action: 'package.handed_over',
      after: { packageId: input.packageId, forceId: input.forceId, acknowledgeDueAt: input.acknowledgeDueAt, note: input.note ?? null },
    });
  });
}

/** The force's SPOC acknowledges receipt: each item's custody records it. Idempotent. */
export async function recordPackageAcknowledged(db: DataSource, input: PackageStepInput): Promise<void> {
  await db.transaction(async (m) => {
    const packages = new PackagesStore(m);
    const evidence = new EvidenceStore(m);
    if ((await packages.lockStatus(input.packageId)) === 'acknowledged') return;
    await packages.markAcknowledged(input.packageId, input.at, input.actor.userId);
    const receiver = input.actor.username ?? input.actor.userId;
    for (const item of await evidence.inPackage(input.packageId)) {
      await custodyStep(m, item.id, 'received', input.actor, { from: item.holder, to: receiver, note: input.note ?? `package ${input.packageId} received` });
      await evidence.setHolder(item.id, receiver);
    }
    await appendAuditEvent(m, {
      caseId: input.caseId,
      authorityId: input.authorityId,
      actor: input.actor.userId,
      role: 'spoc',
      action: 'package.acknowledged',
      after: { packageId: input.packageId, note: input.note ?? null },
    });
  });
}

async function sequentially<T, R>(items: T[], map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (const item of items) results.push(await map(item));
  return results;
}
