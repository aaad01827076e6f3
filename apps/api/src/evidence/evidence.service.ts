import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { Principal, Role } from '@libs/auth/principal';
import { EvidenceConfig } from '@libs/config';
import { applyCustody, isOpen, type CustodyItem, type EvidenceStatus, fieldProblem, problem, type Problem } from '@libs/domain';
import { appendAuditEvent } from '@libs/persistence';
import type { Allegation } from '@libs/persistence/stores/allegations.store';
import { ContentMissingError, ContentStore, ContentTooLargeError } from '@libs/storage';
import { AllegationsService } from '../allegations/allegations.service';
import { ApiError, badRequest, conflict, notFound } from '../common/api-error';
import { LOGGER } from '../common/logger.provider';
import { unsafeAsSpaces, withoutUnsafe } from '../common/unsafe-text';
import type { CustodyEventDto, DisposalDto, LegalHoldDto, PhysicalEvidenceDto } from './dto/evidence.dto';
import { toEvidenceView } from '@libs/views/evidence';
import { EvidenceStore, type EvidenceItem } from '@libs/persistence/stores/evidence.store';
import type { Queryable } from '@libs/persistence/stores/queryable';

export const CONTENT_STORE = Symbol('CONTENT_STORE');

/** Roles that read a case's evidence: the authority's case roles, and the referred force's. */
const EVIDENCE_READERS: Role[] = ['staff', 'triage', 'returning_officer', 'legal'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface UploadHeaders {
  contentType: string;
  contentLength?: number;
  description: string;
  filename: string | null;
}

@Injectable()
export class EvidenceService {
  private readonly allowedTypes: Set<string>;

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(AllegationsService) private readonly allegations: AllegationsService,
    @Inject(CONTENT_STORE) private readonly store: ContentStore,
    @Inject(EvidenceConfig) private readonly config: EvidenceConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.allowedTypes = new Set(config.EVIDENCE_CONTENT_TYPES.split(',').map((t) => t.trim().toLowerCase()));
  }

  /** Everything about an upload that can be refused before a byte of the body is read. */
  uploadHeaders(req: Request): UploadHeaders {
    const contentType = (req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (!this.allowedTypes.has(contentType)) {
      throw new ApiError(
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        `evidence of type ${contentType || '(none)'} is not accepted; accepted types: ${[...this.allowedTypes].join(', ')}`,
        [{ field: 'Content-Type', problem: 'not on the allow-list' }],
      );
    }
    const lengthHeader = req.header('content-length');
    const contentLength = lengthHeader === undefined ? undefined : Number(lengthHeader);
    if (contentLength !== undefined && contentLength > this.config.EVIDENCE_MAX_BYTES) throw this.tooLarge();
    const description = unsafeAsSpaces(req.header('x-description') ?? '').trim();
    if (!description || description.length > 2000)
      throw badRequest('describe the item in the X-Description header (1 to 2000 characters)', [
        { field: 'X-Description', problem: description ? 'too long' : 'is missing' },
      ]);
    return { contentType, contentLength, description, filename: this.filenameOf(req.header('x-filename')) };
  }

  /** The client's name for the file, kept as metadata only: decoded, stripped of any path, control and bidi characters. */
  private filenameOf(header: string | undefined): string | null {
    if (header === undefined) return null;
    let name = header;
    try {
      name = decodeURIComponent(header);
    } catch {
      throw badRequest('X-Filename must be plain or percent-encoded UTF-8', [{ field: 'X-Filename', problem: 'malformed percent-encoding' }]);
    }
    name = withoutUnsafe(basename(name.replace(/\\/g, '/'))).trim();
    if (!name || name.length > 255 || name === '.' || name === '..')
      throw badRequest('X-Filename must be a file name of 1 to 255 characters', [{ field: 'X-Filename', problem: 'not a usable file name' }]);
    return name;
  }

  private tooLarge(): ApiError {
    return new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, `evidence files may be at most ${this.config.EVIDENCE_MAX_BYTES} bytes`, [
      { field: 'body', problem: 'too large' },
    ]);
  }

  /** The case, if the caller may add evidence to it now. */
  async caseForEvidence(principal: Principal, caseId: string): Promise<Allegation> {
    const allegation = await this.allegations.findVisible(principal, caseId, EVIDENCE_READERS);
    if (!isOpen(allegation.status))
      throw conflict(problem('evidence.case_finished', { status: allegation.status }), [
        fieldProblem('state', 'evidence.case_is', { status: allegation.status }),
      ]);
    return allegation;
  }

  /**
   * Streams the body into the content store, hashing it as it arrives, then records the item,
   * its first custody event and the audit event together. The same bytes already logged
   * against this case give back that item (`duplicate: true`) and record nothing new.
   */
  async addDigital(principal: Principal, allegation: Allegation, headers: UploadHeaders, body: Readable) {
    let stored;
    try {
      stored = await this.store.put(body, { maxBytes: this.config.EVIDENCE_MAX_BYTES });
    } catch (error) {
      if (error instanceof ContentTooLargeError) throw this.tooLarge();
      // A full disk is the server's problem, not a broken upload: 507, and the store left nothing behind.
      if (['ENOSPC', 'EDQUOT'].includes((error as NodeJS.ErrnoException).code ?? '')) {
        this.log.error({ caseId: allegation.id, err: (error as Error).message }, 'evidence store is full');
        throw new ApiError(HttpStatus.INSUFFICIENT_STORAGE, 'the evidence store is full; nothing was stored. Try again once space has been freed', [
          { field: 'storage', problem: 'full' },
        ]);
      }
      this.log.warn({ caseId: allegation.id, err: (error as Error).message }, 'evidence upload failed');
      throw badRequest('the upload did not complete; nothing was stored', [{ field: 'body', problem: 'incomplete upload' }]);
    }
    if (headers.contentLength !== undefined && stored.size !== headers.contentLength) {
      throw badRequest(`Content-Length said ${headers.contentLength} bytes but ${stored.size} arrived; nothing was recorded`, [
        { field: 'Content-Length', problem: 'does not match the body' },
      ]);
    }
    return this.db.transaction(async (m) => {
      const evidence = new EvidenceStore(m);
      const existing = await evidence.lockAndFindDuplicate(allegation.id, stored.sha256);
      if (existing) return { duplicate: true, item: toEvidenceView(existing) };
      const id = randomUUID();
      const holder = this.holderName(principal);
      await evidence.insertDigital({
        id,
        caseId: allegation.id,
        authorityId: allegation.authorityId,
        description: headers.description,
        filename: headers.filename,
        contentType: headers.contentType,
        size: stored.size,
        sha256: stored.sha256,
        holder,
        createdBy: principal.sub,
      });
      await this.recordCustody(m, principal, id, 1, { action: 'collected', to: holder, note: 'uploaded' });
      await appendAuditEvent(m, {
        caseId: allegation.id,
        authorityId: allegation.authorityId,
        actor: principal.sub,
        role: this.roleOf(principal),
        action: 'evidence.added',
        after: {
          evidenceId: id,
          kind: 'digital',
          sha256: stored.sha256,
          size: stored.size,
          contentType: headers.contentType,
          filename: headers.filename,
          description: headers.description,
        },
      });
      return { duplicate: false, item: toEvidenceView((await evidence.find(id))!) };
    });
  }

  async addPhysical(principal: Principal, allegation: Allegation, dto: PhysicalEvidenceDto) {
    return this.db.transaction(async (m) => {
      const id = randomUUID();
      const holder = this.holderName(principal);
      const evidence = new EvidenceStore(m);
      await evidence.insertPhysical({
        id,
        caseId: allegation.id,
        authorityId: allegation.authorityId,
        description: dto.description,
        sealNumber: dto.sealNumber,
        location: dto.location,
        holder,
        createdBy: principal.sub,
      });
      await this.recordCustody(m, principal, id, 1, { action: 'collected', to: holder, location: dto.location, sealNumber: dto.sealNumber, note: 'logged' });
      await appendAuditEvent(m, {
        caseId: allegation.id,
        authorityId: allegation.authorityId,
        actor: principal.sub,
        role: this.roleOf(principal),
        action: 'evidence.added',
        after: { evidenceId: id, kind: 'physical', description: dto.description, sealNumber: dto.sealNumber, location: dto.location },
      });
      return toEvidenceView((await evidence.find(id))!);
    });
  }

  /** The item if the caller may see its case (404 otherwise, as for the case itself). */
  async findVisible(principal: Principal, id: string, m: Queryable = this.db): Promise<{ item: EvidenceItem; allegation: Allegation }> {
    if (!UUID.test(id)) throw notFound('evidence item');
    const item = await new EvidenceStore(m).find(id);
    if (!item) throw notFound('evidence item');
    const allegation = await this.allegations.findVisible(principal, item.caseId, EVIDENCE_READERS).catch(() => {
      throw notFound('evidence item');
    });
    return { item, allegation };
  }

  /** The case's items, oldest first, without their custody logs (each item's page has it). */
  async listForCase(principal: Principal, caseId: string) {
    const allegation = await this.allegations.findVisible(principal, caseId, EVIDENCE_READERS);
    const rows = await new EvidenceStore(this.db).ofCase(allegation.id);
    return rows.map((row) => toEvidenceView(row));
  }

  async get(principal: Principal, id: string) {
    const { item } = await this.findVisible(principal, id);
    const custody = await new EvidenceStore(this.db).custodyOf(id);
    return toEvidenceView(item, custody);
  }

  /** The stored bytes, and the audit event that records who took a copy. */
  async openContent(principal: Principal, id: string): Promise<{ item: EvidenceItem; body: Readable }> {
    const { item, allegation } = await this.findVisible(principal, id);
    if (item.kind !== 'digital') throw conflict(problem('evidence.physical_no_content'), [fieldProblem('kind', 'evidence.physical')]);
    if (item.status === 'destroyed')
      throw new ApiError(HttpStatus.GONE, `the content was destroyed at ${item.destroyedAt?.toISOString()}; its hash remains on record`, [
        { field: 'status', problem: 'destroyed' },
      ]);
    let body: Readable;
    try {
      body = await this.store.open(item.sha256!);
    } catch (error) {
      if (error instanceof ContentMissingError)
        throw new ApiError(HttpStatus.GONE, 'the stored content is missing; the integrity check will raise an alert', [
          { field: 'content', problem: 'missing' },
        ]);
      throw error;
    }
    await this.db.transaction((m) =>
      appendAuditEvent(m, {
        caseId: allegation.id,
        authorityId: allegation.authorityId,
        actor: principal.sub,
        role: this.roleOf(principal),
        action: 'evidence.downloaded',
        after: { evidenceId: id, sha256: item.sha256 },
      }),
    );
    return { item, body };
  }

  /** Records a custody event if the item's rules allow it; a refusal is a 409, audited, with nothing changed. */
  async custody(principal: Principal, id: string, dto: CustodyEventDto) {
    const { allegation } = await this.findVisible(principal, id);
    const outcome = await this.db.transaction(async (m) => {
      const evidence = new EvidenceStore(m);
      const item = (await evidence.find(id, true))!;
      const current: CustodyItem = { status: item.status as EvidenceStatus, holder: item.holder, location: item.location, sealNumber: item.sealNumber };
      const decision = applyCustody(current, dto);
      if (!decision.ok) return { refused: decision, item };
      const next = decision.item;
      await evidence.moveCustody(id, next);
      await this.recordCustody(m, principal, id, item.custodySeq + 1, dto);
      await appendAuditEvent(m, {
        caseId: allegation.id,
        authorityId: allegation.authorityId,
        actor: principal.sub,
        role: this.roleOf(principal),
        action: `custody.${dto.action}`,
        before: { evidenceId: id, holder: current.holder, location: current.location, sealNumber: current.sealNumber, status: current.status },
        after: { evidenceId: id, holder: next.holder, location: next.location, sealNumber: next.sealNumber, status: next.status, note: dto.note ?? null },
      });
      return { refused: null, item };
    });
    if (outcome.refused) {
      const { rule, field, refusal } = outcome.refused;
      await this.db.transaction((m) =>
        appendAuditEvent(m, {
          caseId: allegation.id,
          authorityId: allegation.authorityId,
          actor: principal.sub,
          role: this.roleOf(principal),
          action: 'custody.refused',
          after: { evidenceId: id, rule, reason: refusal.message, request: { ...dto } },
        }),
      );
      throw conflict(refusal, [{ field, problem: rule }], { item: toEvidenceView(outcome.item) });
    }
    return this.get(principal, id);
  }

  /** Places or lifts a legal hold; a held item cannot be disposed of whatever its retention date. */
  async legalHold(principal: Principal, id: string, dto: LegalHoldDto) {
    const { allegation } = await this.findVisible(principal, id);
    const refused = await this.db.transaction(async (m) => {
      const evidence = new EvidenceStore(m);
      const item = (await evidence.find(id, true))!;
      if (item.status === 'destroyed') return problem('hold.destroyed');
      if (item.legalHold === dto.hold) return problem(dto.hold ? 'hold.already_held' : 'hold.not_held');
      await evidence.setLegalHold(id, dto.hold, dto.hold ? (dto.reason ?? null) : null);
      await appendAuditEvent(m, {
        caseId: allegation.id,
        authorityId: allegation.authorityId,
        actor: principal.sub,
        role: this.roleOf(principal),
        action: dto.hold ? 'evidence.legal_hold_placed' : 'evidence.legal_hold_lifted',
        before: { evidenceId: id, legalHold: item.legalHold },
        after: { evidenceId: id, legalHold: dto.hold, reason: dto.reason },
      });
      return null;
    });
    if (refused) throw conflict(refused, [{ field: 'hold', problem: refused.message, code: refused.code, values: refused.values }]);
    return this.get(principal, id);
  }

  /**
   * Disposal after review: the content is destroyed, a `destroyed` custody event is recorded, and
   * the item's metadata and hash are kept. Refused before the retention date, under a legal hold,
   * or while the police hold the item. The bytes go only when no other live item shares them.
   */
  async dispose(principal: Principal, id: string, dto: DisposalDto) {
    const { allegation } = await this.findVisible(principal, id);
    const outcome = await this.db.transaction(async (m) => {
      const evidence = new EvidenceStore(m);
      const item = (await evidence.find(id, true))!;
      const refuse = (rule: string, why: Problem) => ({ refused: { rule, why }, item });
      if (item.status === 'destroyed') return refuse('destroyed', problem('disposal.already_destroyed'));
      if (item.legalHold) return refuse('legal_hold', problem('disposal.legal_hold', { reason: String(item.legalHoldReason) }));
      if (!item.retentionUntil) return refuse('retention', problem('disposal.case_open'));
      if (new Date(item.retentionUntil).getTime() > Date.now())
        return refuse('retention', problem('disposal.kept_until', { until: new Date(item.retentionUntil).toISOString() }));
      if (item.status !== 'held') return refuse('holder', problem('disposal.not_back', { status: item.status }));
      await evidence.markDestroyed(id);
      await this.recordCustody(m, principal, id, item.custodySeq + 1, { action: 'destroyed', from: item.holder, note: dto.note });
      await appendAuditEvent(m, {
        caseId: allegation.id,
        authorityId: allegation.authorityId,
        actor: principal.sub,
        role: this.roleOf(principal),
        action: 'evidence.destroyed',
        before: { evidenceId: id, status: item.status, sha256: item.sha256 },
        after: { evidenceId: id, status: 'destroyed', sha256: item.sha256, note: dto.note },
      });
      const shared = item.sha256 ? await evidence.bytesSharedWithAnother(item.sha256, id) : true;
      return { refused: null, item, destroyBytes: Boolean(item.sha256) && !shared };
    });
    if (outcome.refused) {
      const { rule, why } = outcome.refused;
      await this.db.transaction((m) =>
        appendAuditEvent(m, {
          caseId: allegation.id,
          authorityId: allegation.authorityId,
          actor: principal.sub,
          role: this.roleOf(principal),
          action: 'disposal.refused',
          after: { evidenceId: id, rule, reason: why.message },
        }),
      );
      throw conflict(why, [{ field: rule, problem: why.message, code: why.code, values: why.values }], { item: toEvidenceView(outcome.item) });
    }
    // After the commit: the record says destroyed first, so a crash here leaves bytes that the
    // integrity check reports, never a record that points at nothing it admits to.
    if (outcome.destroyBytes) await this.store.destroy(outcome.item.sha256!);
    return this.get(principal, id);
  }

  private async recordCustody(m: Queryable, principal: Principal, evidenceId: string, seq: number, event: Partial<CustodyEventDto> & { action: string }) {
    await new EvidenceStore(m).appendCustody({
      evidenceId,
      seq,
      action: event.action,
      fromHolder: event.from ?? null,
      toHolder: event.to ?? null,
      location: event.location ?? null,
      sealNumber: event.sealNumber ?? null,
      note: event.note ?? null,
      actor: principal.sub,
      role: this.roleOf(principal),
    });
  }

  /** Who holds an item they logged: the user's name where the token gives one. */
  private holderName(principal: Principal): string {
    return principal.name ?? principal.sub;
  }

  private roleOf(principal: Principal): Role {
    return (['triage', 'staff', 'spoc', 'returning_officer', 'legal'] as Role[]).find((r) => principal.roles.includes(r)) ?? principal.roles[0];
  }
}
