import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal, Role } from '@libs/auth/principal';
import { canonicalJson } from '@libs/domain';
import { checkpointNote, checkpointPublicKey, checkpointVerifierKey, toHex } from '@libs/merkle';
import { appendAuditEvent, GENESIS_HASH, loadAuditEvents } from '@libs/persistence';
import { caseLogIndexes, CheckpointSigner, inclusionProofAt, issueCheckpoint } from '@libs/transparency';
import { toAllegationView } from '@libs/views/allegation';
import { AllegationsService } from '../allegations/allegations.service';
import type { AccessStatement } from '../common/access-reason';
import { toEvidenceView } from '@libs/views/evidence';
import { EvidenceStore, type CustodyEvent } from '@libs/persistence/stores/evidence.store';
import { PackagesStore } from '@libs/persistence/stores/packages.store';
import { CHECKPOINT_SIGNER } from '../transparency/transparency.service';
import { BUNDLE_FORMAT, BUNDLE_FORMATS, type CourtBundle } from './bundle.types';

export const BUNDLE_READERS: Role[] = ['legal'];

/**
 * The court bundle: the case, its whole audit chain, every evidence item with its hash and custody
 * log, and a signed checkpoint of the authority's Merkle log with an inclusion proof of each
 * event, so that a third party can check all of it offline (packages/bundle-verifier).
 */
@Injectable()
export class BundleService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(AllegationsService) private readonly allegations: AllegationsService,
    @Inject(CHECKPOINT_SIGNER) private readonly signer: CheckpointSigner,
  ) {}

  async build(principal: Principal, caseId: string, access: AccessStatement, format: 'json' | 'pdf'): Promise<CourtBundle> {
    const found = await this.allegations.findVisible(principal, caseId, BUNDLE_READERS);
    const role = BUNDLE_READERS.find((r) => principal.roles.includes(r))!;
    // The disclosure is recorded first, and is itself in the bundle it records.
    const disclosure = await this.db.transaction((m) =>
      appendAuditEvent(m, {
        caseId: found.id,
        authorityId: found.authorityId,
        actor: principal.sub,
        role,
        action: 'bundle.exported',
        after: {
          reason: access.reason,
          recipient: access.recipient,
          format,
          disclosed: 'court bundle: case, history, evidence hashes and custody, inclusion proofs',
        },
      }),
    );
    // A checkpoint signed now covers every event of the case, the disclosure included.
    const checkpoint = (await issueCheckpoint(this.db, found.authorityId, this.signer))!;
    const [allegation, events, evidenceRows, custodyRows, packageRows, leafIndexes] = await Promise.all([
      this.allegations.findVisible(principal, caseId, BUNDLE_READERS),
      loadAuditEvents(this.db.manager, found.id),
      new EvidenceStore(this.db).ofCase(found.id),
      new EvidenceStore(this.db).custodyOfCase(found.id),
      new PackagesStore(this.db).ofCase(found.id),
      caseLogIndexes(this.db, found.id, checkpoint.treeSize),
    ]);
    // The case's events that the checkpoint covers (those in its log below the tree size), each
    // with its inclusion proof. A case's events enter the log in the order of their seq.
    const inCheckpoint = [];
    const inclusionProofs = [];
    for (const event of events) {
      const leafIndex = leafIndexes.get(event.seq);
      if (leafIndex === undefined) continue;
      const proof = await inclusionProofAt(this.db, found.authorityId, leafIndex, checkpoint.treeSize);
      inCheckpoint.push(event);
      inclusionProofs.push({ seq: event.seq, leafIndex, auditPath: proof.auditPath.map(toHex) });
    }
    const custodyOf = new Map<string, CustodyEvent[]>();
    for (const row of custodyRows) custodyOf.set(row.evidenceId, [...(custodyOf.get(row.evidenceId) ?? []), row]);
    const content: Omit<CourtBundle, 'bundleSha256'> = {
      format: BUNDLE_FORMAT,
      generatedAt: new Date().toISOString(),
      disclosure: {
        actor: principal.name ?? principal.sub,
        role,
        reason: access.reason,
        recipient: access.recipient,
        at: disclosure.at,
        auditSeq: disclosure.seq,
      },
      case: toAllegationView(allegation),
      history: { caseId: found.id, genesis: GENESIS_HASH, head: inCheckpoint.at(-1)?.hash ?? GENESIS_HASH, events: inCheckpoint },
      evidence: evidenceRows.map((row) => {
        const view = toEvidenceView(row, custodyOf.get(row.id) ?? []);
        return {
          id: view.id,
          kind: view.kind,
          description: view.description,
          filename: view.filename,
          contentType: view.contentType,
          size: view.size,
          sha256: view.sha256,
          sealNumber: view.sealNumber,
          location: view.location,
          holder: view.holder,
          status: view.status,
          custody: view.custody!,
        };
      }),
      packages: packageRows.map((p) => ({
        id: p.id,
        forceId: p.forceId,
        status: p.status,
        manifestSha256: p.manifestSha256,
        items: p.manifest.items.map((i) => ({ id: i.id, sha256: i.sha256 })),
        sealedAt: p.createdAt ? new Date(p.createdAt).toISOString() : null,
        acknowledgedAt: p.acknowledgedAt ? new Date(p.acknowledgedAt).toISOString() : null,
      })),
      formats: BUNDLE_FORMATS,
      transparency: {
        checkpoint,
        checkpointNote: checkpointNote(checkpoint, this.signer.publicKey),
        vkey: checkpointVerifierKey(checkpoint.authorityId, this.signer.publicKey),
        publicKey: checkpointPublicKey(this.signer.publicKey).export({ type: 'spki', format: 'pem' }).toString(),
        inclusionProofs,
      },
    };
    // What is hashed is exactly what a reader parses back from the JSON text.
    const plain = JSON.parse(JSON.stringify(content)) as Omit<CourtBundle, 'bundleSha256'>;
    return { ...plain, bundleSha256: createHash('sha256').update(canonicalJson(plain)).digest('hex') };
  }
}
