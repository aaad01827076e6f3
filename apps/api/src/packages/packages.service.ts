import { randomUUID } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { ZipFile } from 'yazl';
import { DataSource } from 'typeorm';
import type { Principal, Role } from '@libs/auth/principal';
import { allegationWorkflowId } from '@libs/domain';
import { appendAuditEvent } from '@libs/persistence';
import { PackagesStore, type EvidencePackage } from '@libs/persistence/stores/packages.store';
import { toPackageView } from '@libs/views/evidence';
import type { ContentStore } from '@libs/storage';
import { packageEvidenceUpdate } from '@workflows/allegation/messages';
import { acknowledgePackageUpdate, evidencePackageWorkflowId, handOverPackageUpdate } from '@workflows/evidence-package.messages';
import { AllegationsService } from '../allegations/allegations.service';
import { DecisionsService } from '../allegations/decisions.service';
import { notFound } from '../common/api-error';
import { CONTENT_STORE } from '../evidence/evidence.service';
import type { CreatePackageDto, PackageNoteDto } from './dto/package.dto';

const READERS: Role[] = ['staff', 'triage', 'returning_officer', 'legal'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Evidence packages: sealed by the case's workflow, handed over and acknowledged through their own. */
@Injectable()
export class PackagesService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(AllegationsService) private readonly allegations: AllegationsService,
    @Inject(DecisionsService) private readonly decisions: DecisionsService,
    @Inject(CONTENT_STORE) private readonly store: ContentStore,
  ) {}

  async create(principal: Principal, caseId: string, dto: CreatePackageDto) {
    const allegation = await this.allegations.findVisible(principal, caseId, ['triage']);
    const packageId = randomUUID();
    await this.decisions.ask(
      principal,
      allegation,
      { name: 'package.seal', update: packageEvidenceUpdate, payload: { packageId, evidenceIds: dto.evidenceIds, note: dto.note }, readers: ['triage'] },
      allegationWorkflowId(allegation.id),
    );
    return toPackageView(await this.row(packageId));
  }

  async get(principal: Principal, id: string) {
    return toPackageView((await this.findVisible(principal, id)).pkg);
  }

  async handOver(principal: Principal, id: string, dto: PackageNoteDto) {
    const { pkg, allegation } = await this.findVisible(principal, id, ['triage']);
    await this.decisions.ask(
      principal,
      allegation,
      { name: 'package.handover', update: handOverPackageUpdate, payload: { note: dto.note }, readers: ['triage'] },
      evidencePackageWorkflowId(pkg.id),
    );
    return toPackageView(await this.row(pkg.id));
  }

  async acknowledge(principal: Principal, id: string, dto: PackageNoteDto) {
    const { pkg, allegation } = await this.findVisible(principal, id, ['spoc']);
    await this.decisions.ask(
      principal,
      allegation,
      { name: 'package.acknowledge', update: acknowledgePackageUpdate, payload: { note: dto.note }, readers: ['spoc'] },
      evidencePackageWorkflowId(pkg.id),
    );
    return toPackageView(await this.row(pkg.id));
  }

  /**
   * The package as a zip streamed from storage: `manifest.json` exactly as sealed (its SHA-256
   * is the package's), and each digital item's bytes under `items/`. Stored, not compressed, so
   * each file in the zip is byte-for-byte what the manifest hashes.
   */
  async download(principal: Principal, id: string): Promise<{ filename: string; body: Readable }> {
    const { pkg, allegation } = await this.findVisible(principal, id);
    const zip = new ZipFile();
    zip.addBuffer(Buffer.from(JSON.stringify(pkg.manifest, null, 2)), 'manifest.json', { compress: false });
    // The hash is of the manifest's canonical JSON (keys sorted, no whitespace), as libs/domain canonicalJson writes it.
    zip.addBuffer(Buffer.from(`${pkg.manifestSha256}  canonical JSON of manifest.json\n`), 'MANIFEST.sha256', { compress: false });
    for (const item of pkg.manifest.items) {
      if (item.kind !== 'digital' || !item.sha256) continue;
      const name = `items/${item.id}-${(item.filename ?? item.sha256).replace(/[^\w.-]/g, '_')}`;
      zip.addReadStream(await this.store.open(item.sha256), name, { compress: false });
    }
    zip.end();
    await this.db.transaction((m) =>
      appendAuditEvent(m, {
        caseId: allegation.id,
        authorityId: allegation.authorityId,
        actor: principal.sub,
        role: principal.roles[0],
        action: 'package.downloaded',
        after: { packageId: id, manifestSha256: pkg.manifestSha256 },
      }),
    );
    const body = new PassThrough();
    zip.outputStream.on('error', (error) => body.destroy(error)).pipe(body);
    return { filename: `evidence-package-${id}.zip`, body };
  }

  private async row(id: string): Promise<EvidencePackage> {
    const row = await new PackagesStore(this.db).find(id);
    if (!row) throw notFound('evidence package');
    return row;
  }

  private async findVisible(principal: Principal, id: string, readers: Role[] = READERS) {
    if (!UUID.test(id)) throw notFound('evidence package');
    const pkg = await this.row(id);
    const allegation = await this.allegations.findVisible(principal, pkg.caseId, readers).catch(() => {
      throw notFound('evidence package');
    });
    return { pkg, allegation };
  }
}
