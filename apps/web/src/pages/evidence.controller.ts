// Evidence on a case: the items with their SHA-256, an upload that streams the file through to
// POST /allegations/:id/evidence (a multipart form without JavaScript; with it, a raw XHR upload
// with a progress bar), each item's custody log, and the packages sealed for the police, handed
// over by triage and acknowledged by the force's SPOC.
import { Controller, Get, Inject, NotFoundException, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { PassThrough, type Readable } from 'node:stream';
import { Public } from '@libs/auth/decorators';
import { ApiFailure, passThrough } from '../api-client';
import { RECORDED_ACTIONS } from '@libs/domain';
import { actionsFor } from '../case-view';
import { labelOf } from '../labels';
import { addError, errorsFromApi, formBody, FormErrors, noErrors, UUID } from '../forms';
import { refusalReason } from '../problems';
import { WebErrorsFilter } from '../web-errors.filter';
import { msg, tFor, type T } from '../i18n';
import { BadCsrf, sendPage, WebUser, WebUsers } from '../web-user';
import { csrfMatches } from '../session';
import type { AllegationView } from '@libs/views/allegation';
import type { EvidenceView, PackageView } from '@libs/views/evidence';

interface BusboyFile {
  filename: string;
  mimeType: string;
}
interface Busboy extends NodeJS.WritableStream {
  on(event: 'field', listener: (name: string, value: string) => void): this;
  on(event: 'file', listener: (name: string, stream: Readable, info: BusboyFile) => void): this;
  on(event: 'close' | 'error' | 'finish', listener: (error?: Error) => void): this;
}
// busboy ships no types of its own.
const busboy = require('busboy') as (options: { headers: Request['headers']; limits?: Record<string, number> }) => Busboy;

const UPLOAD_FIELDS = {
  body: { id: 'file', label: msg('The file') },
  'Content-Type': { id: 'file', label: msg('The file’s type') },
  'X-Description': { id: 'description', label: msg('Description') },
  'X-Filename': { id: 'file', label: msg('The file name') },
};
const CUSTODY_FIELDS = {
  action: { id: 'action', label: msg('What happened') },
  from: { id: 'from', label: msg('From') },
  to: { id: 'to', label: msg('To') },
  location: { id: 'location', label: msg('Where') },
  sealNumber: { id: 'sealNumber', label: msg('Seal number') },
  note: { id: 'note', label: msg('Note') },
};
const CUSTODY_HINTS: Record<string, string> = {
  sealed: msg('Sealed in a bag with a numbered seal'),
  resealed: msg('The seal was broken and a new one applied: say why in the note'),
  transferred: msg('Passed from its holder to someone else'),
  examined: msg('Released for examination: say what was done in the note'),
  received: msg('Received from its holder'),
  returned: msg('Returned to the authority, or by the police after handover'),
};
const DONE: Record<string, string> = {
  custody: msg('The custody step was recorded.'),
  held: msg('A legal hold was placed on the item. It cannot be disposed of while the hold applies.'),
  released: msg('The legal hold was lifted.'),
  disposed: msg('The item was disposed of. Its record and custody log are kept.'),
};
const PACKAGE_FIELDS = { evidenceIds: { id: 'evidenceIds', label: msg('Items') }, note: { id: 'packageNote', label: msg('Note') } };

/** A header value as the API wants it: ASCII, percent-encoded otherwise. */
const headerSafe = (value: string) => (/^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value));

@Public()
@UseFilters(WebErrorsFilter)
@ApiExcludeController()
@Controller('cases/:id/evidence')
export class EvidenceController {
  constructor(@Inject(WebUsers) private readonly users: WebUsers) {}

  @Get()
  async list(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const user = await this.users.require(req);
    await this.show(req, res, user, this.caseId(id));
  }

  /** Without JavaScript: a multipart form. Its fields come before the file, so they are read first. */
  @Post()
  async uploadForm(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const t = tFor(req);
    const caseId = this.caseId(id);
    const user = await this.users.require(req);
    if (!req.is('multipart/form-data')) return this.show(req, res, user, caseId, { ...addError(noErrors(), 'file', t('Select a file')), values: {} }, 422);
    const fields: Record<string, string> = {};
    const result = await new Promise<{ item?: { id: string }; failure?: ApiFailure; pageError?: string }>((resolve, reject) => {
      let sawFile = false;
      const parser = busboy({ headers: req.headers, limits: { files: 1, fields: 10, fieldSize: 10_000 } });
      parser.on('field', (name, value) => (fields[name] = value));
      parser.on('file', (_name, stream, info) => {
        sawFile = true;
        if (!csrfMatches(user.token, fields._csrf)) {
          stream.resume();
          return reject(new BadCsrf());
        }
        if (!info.filename) {
          stream.resume();
          return resolve({ pageError: t('Select a file') });
        }
        const body = new PassThrough();
        stream.pipe(body);
        user.api
          .upload<{ id: string }>(`/allegations/${caseId}/evidence`, body, {
            'content-type': info.mimeType || 'application/octet-stream',
            'x-filename': headerSafe(info.filename),
            'x-description': headerSafe((fields.description ?? '').trim()),
          })
          .then(
            (item) => resolve({ item }),
            (error) => {
              stream.resume();
              if (error instanceof ApiFailure) resolve({ failure: error });
              else reject(error);
            },
          );
      });
      parser.on('close', () => {
        if (!sawFile) resolve(csrfMatches(user.token, fields._csrf) ? { pageError: t('Select a file') } : (reject(new BadCsrf()) as never));
      });
      parser.on('error', (error) => reject(error));
      req.pipe(parser);
    });
    if (result.item) return res.redirect(303, `/cases/${caseId}/evidence/${result.item.id}?uploaded=1`);
    const errors = result.failure ? this.uploadRefused(result.failure, t) : addError(noErrors(), 'file', result.pageError!);
    await this.show(req, res, user, caseId, { ...errors, values: { description: fields.description ?? '' } }, result.failure?.status ?? 422);
  }

  /** With JavaScript: the raw file as the body, so the browser can report progress. Answers JSON. */
  @Post('upload')
  async uploadRaw(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const t = tFor(req);
    const caseId = this.caseId(id);
    const user = await this.users.requirePost(req, req.header('x-csrf-token'));
    const headers: Record<string, string> = {
      'content-type': req.header('content-type') ?? 'application/octet-stream',
      'x-description': req.header('x-description') ?? '',
    };
    if (req.header('x-filename')) headers['x-filename'] = req.header('x-filename')!;
    if (req.header('content-length')) headers['content-length'] = req.header('content-length')!;
    try {
      const item = await user.api.upload<{ id: string; sha256: string; size: number }>(`/allegations/${caseId}/evidence`, req, headers);
      res.status(201).json({ ...item, href: `/cases/${caseId}/evidence/${item.id}` });
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      if (!req.readableEnded) res.setHeader('Connection', 'close');
      res.status(error.status).json({ errorList: this.uploadRefused(error, t).errorList });
    }
  }

  @Get(':evidenceId')
  async item(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Param('evidenceId') evidenceId: string) {
    const caseId = this.caseId(id);
    const user = await this.users.require(req);
    await this.showItem(req, res, user, caseId, this.itemId(evidenceId));
  }

  /** A custody step on the item (POST /evidence/:id/custody): the workflow of custody refuses what the item's state does not allow. */
  @Post(':evidenceId/custody')
  async custody(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Param('evidenceId') evidenceId: string) {
    const t = tFor(req);
    const caseId = this.caseId(id);
    const user = await this.users.requirePost(req);
    const itemId = this.itemId(evidenceId);
    const f = formBody(req);
    if (!(RECORDED_ACTIONS as readonly string[]).includes(f.action ?? ''))
      return this.showItem(req, res, user, caseId, itemId, { ...addError(noErrors(), 'action', t('Select what happened to the item')), values: f }, 422);
    const body: Record<string, string> = { action: f.action };
    for (const field of ['from', 'to', 'location', 'sealNumber', 'note'] as const) if (f[field]?.trim()) body[field] = f[field].trim();
    await this.itemDecision(req, res, user, caseId, itemId, f, () => user.api.post(`/evidence/${itemId}/custody`, body), 'custody', CUSTODY_FIELDS, 'action');
  }

  /** Legal places or lifts a hold, which blocks disposal. */
  @Post(':evidenceId/legal-hold')
  async legalHold(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Param('evidenceId') evidenceId: string) {
    const t = tFor(req);
    const caseId = this.caseId(id);
    const user = await this.users.requirePost(req);
    const itemId = this.itemId(evidenceId);
    const f = formBody(req);
    if (!f.holdReason?.trim())
      return this.showItem(req, res, user, caseId, itemId, { ...addError(noErrors(), 'holdReason', t('Enter the reason')), values: f }, 422);
    await this.itemDecision(
      req,
      res,
      user,
      caseId,
      itemId,
      f,
      () => user.api.post(`/evidence/${itemId}/legal-hold`, { hold: f.hold === 'true', reason: f.holdReason.trim() }),
      f.hold === 'true' ? 'held' : 'released',
      { reason: { id: 'holdReason', label: msg('Reason') } },
      'holdReason',
    );
  }

  /** The Returning Officer disposes of an item once its retention has passed and no hold applies. */
  @Post(':evidenceId/dispose')
  async dispose(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Param('evidenceId') evidenceId: string) {
    const t = tFor(req);
    const caseId = this.caseId(id);
    const user = await this.users.requirePost(req);
    const itemId = this.itemId(evidenceId);
    const f = formBody(req);
    if (!f.disposalNote?.trim())
      return this.showItem(
        req,
        res,
        user,
        caseId,
        itemId,
        { ...addError(noErrors(), 'disposalNote', t('Enter the review that decided the disposal')), values: f },
        422,
      );
    await this.itemDecision(
      req,
      res,
      user,
      caseId,
      itemId,
      f,
      () => user.api.post(`/evidence/${itemId}/dispose`, { note: f.disposalNote.trim() }),
      'disposed',
      { note: { id: 'disposalNote', label: msg('Review') } },
      'disposalNote',
    );
  }

  private async itemDecision(
    req: Request,
    res: Response,
    user: WebUser,
    caseId: string,
    itemId: string,
    f: Record<string, string>,
    call: () => Promise<unknown>,
    done: string,
    fields: Record<string, { id: string; label: string }>,
    fallback: string,
  ) {
    const t = tFor(req);
    try {
      await call();
      res.redirect(303, `/cases/${caseId}/evidence/${itemId}?done=${done}`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || ![403, 409, 422].includes(error.status)) throw error;
      const shown =
        error.status === 422
          ? errorsFromApi(error, fields, fallback, t)
          : addError(noErrors(), fallback, t('Not recorded: {{reason}}', { reason: refusalReason(error, t) }));
      await this.showItem(req, res, user, caseId, itemId, { ...shown, values: f }, error.status);
    }
  }

  private itemId(evidenceId: string): string {
    if (!UUID.test(evidenceId)) throw new NotFoundException();
    return evidenceId;
  }

  private async showItem(
    req: Request,
    res: Response,
    user: WebUser,
    caseId: string,
    itemId: string,
    form?: FormErrors & { values: Record<string, string> },
    status = 200,
  ) {
    const t = tFor(req);
    const [c, item] = await Promise.all([user.api.get<AllegationView>(`/allegations/${caseId}`), user.api.get<EvidenceView>(`/evidence/${itemId}`)]);
    if (item.caseId !== caseId) throw new NotFoundException();
    const pkg = item.packageId ? await user.api.get<PackageView>(`/packages/${item.packageId}`).catch(() => undefined) : undefined;
    const done = !form && typeof req.query.done === 'string' && DONE[req.query.done] ? t(DONE[req.query.done]) : undefined;
    sendPage(
      req,
      res,
      user,
      'evidence/item.njk',
      {
        title: t('Evidence: {{description}}', { description: item.description }),
        c,
        item,
        pkg,
        uploaded: req.query.uploaded === '1' && !form,
        done,
        // What this user may do with the item as it stands; the API refuses anything else.
        canRecordCustody: user.has('staff', 'triage', 'spoc') && item.status === 'held',
        canHold: user.has('legal', 'returning_officer') && item.status !== 'destroyed',
        canDispose:
          user.has('returning_officer') &&
          item.status !== 'destroyed' &&
          item.status !== 'packaged' &&
          !item.legalHold &&
          Boolean(item.retentionUntil) &&
          Date.parse(item.retentionUntil!) <= Date.now(),
        custodyActions: RECORDED_ACTIONS.map((a) => ({ value: a, text: labelOf(a, t.lang), hint: { text: t(CUSTODY_HINTS[a]) } })),
        errors: form?.errors ?? {},
        errorList: form?.errorList ?? [],
        values: form?.values ?? { from: item.holder },
        backLink: `/cases/${caseId}/evidence`,
      },
      status,
    );
  }

  /** The stored bytes, passed through from GET /evidence/:id/content (which audits the copy). */
  @Get(':evidenceId/content')
  async content(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Param('evidenceId') evidenceId: string) {
    this.caseId(id);
    const user = await this.users.require(req);
    if (!UUID.test(evidenceId)) throw new NotFoundException();
    await passThrough(res, await user.api.download(`/evidence/${evidenceId}/content`));
  }

  private uploadRefused(failure: ApiFailure, t: T): FormErrors {
    if (failure.status === 413) return addError(noErrors(), 'file', t('The file is too large'));
    if (failure.status === 415) return addError(noErrors(), 'file', t('The file must be one of the accepted types: {{types}}', { types: failure.message }));
    return errorsFromApi(failure, UPLOAD_FIELDS, 'file', t);
  }

  /** Triage seals chosen items into a package for the police (POST /allegations/:id/packages). */
  @Post('packages')
  async packageForm(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const t = tFor(req);
    const caseId = this.caseId(id);
    const user = await this.users.requirePost(req);
    const raw = (req.body as Record<string, unknown>)?.evidenceIds;
    const evidenceIds = (Array.isArray(raw) ? raw : raw ? [raw] : []).filter((v): v is string => typeof v === 'string');
    const note = formBody(req).packageNote?.trim();
    if (evidenceIds.length === 0)
      return this.show(req, res, user, caseId, { ...addError(noErrors(), 'evidenceIds', t('Select the items to package')), values: {} }, 422);
    try {
      const pkg = await user.api.post<{ id: string; manifestSha256: string }>(`/allegations/${caseId}/packages`, { evidenceIds, ...(note ? { note } : {}) });
      res.redirect(303, `/cases/${caseId}/evidence?packaged=${pkg.id}`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || ![409, 422].includes(error.status)) throw error;
      await this.show(
        req,
        res,
        user,
        caseId,
        {
          ...(error.status === 409
            ? addError(noErrors(), 'evidenceIds', t('The package was not sealed: {{reason}}', { reason: refusalReason(error, t) }))
            : errorsFromApi(error, PACKAGE_FIELDS, 'evidenceIds', t)),
          values: {},
        },
        error.status,
      );
    }
  }

  /** Triage hands a sealed package to the police; the force's SPOC acknowledges receipt. */
  @Post('packages/:packageId/:step')
  async packageStep(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Param('packageId') packageId: string, @Param('step') step: string) {
    const t = tFor(req);
    const caseId = this.caseId(id);
    const user = await this.users.requirePost(req);
    if (!UUID.test(packageId) || !['handover', 'acknowledge'].includes(step)) throw new NotFoundException();
    const note = formBody(req).stepNote?.trim();
    try {
      await user.api.post(`/packages/${packageId}/${step}`, note ? { note } : {});
      res.redirect(303, `/cases/${caseId}/evidence?${step === 'handover' ? 'handedOver' : 'acknowledged'}=${packageId}`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || ![409, 422].includes(error.status)) throw error;
      const what = step === 'handover' ? t('The package was not handed over') : t('The receipt was not recorded');
      await this.show(
        req,
        res,
        user,
        caseId,
        { ...addError(noErrors(), `package-${packageId}`, `${what}: ${refusalReason(error, t)}`), values: {} },
        error.status,
      );
    }
  }

  private caseId(id: string): string {
    if (!UUID.test(id)) throw new NotFoundException();
    return id;
  }

  private async show(req: Request, res: Response, user: WebUser, caseId: string, form?: FormErrors & { values: Record<string, string> }, status = 200) {
    const t = tFor(req);
    const [c, items] = await Promise.all([
      user.api.get<AllegationView>(`/allegations/${caseId}`),
      user.api.get<EvidenceView[]>(`/allegations/${caseId}/evidence`),
    ]);
    const packageIds = [...new Set(items.map((i) => i.packageId).filter(Boolean))] as string[];
    const packages = await Promise.all(packageIds.map((pid) => user.api.get<PackageView>(`/packages/${pid}`)));
    const packaged = typeof req.query.packaged === 'string' ? packages.find((p) => p.id === req.query.packaged) : undefined;
    const stepDone = req.query.handedOver
      ? t('The package was handed over to the police. Their SPOC is asked to acknowledge receipt.')
      : req.query.acknowledged
        ? t('You acknowledged receipt of the package.')
        : undefined;
    // What each package lets this user do next: the workflow refuses anything else with a 409.
    const withSteps = packages.map((p) => ({
      ...p,
      canHandOver: user.has('triage') && p.status === 'sealed',
      canAcknowledge: user.has('spoc') && p.status === 'handed_over' && p.forceId === user.principal.forceId,
    }));
    sendPage(
      req,
      res,
      user,
      'evidence/list.njk',
      {
        title: t('Evidence for case {{reference}}', { reference: c.reference }),
        c,
        items,
        packages: withSteps,
        packaged,
        stepDone: form ? undefined : stepDone,
        canUpload: actionsFor(user.principal, c).evidence,
        packageChoices: items
          .filter((i) => !i.packageId && i.status !== 'destroyed')
          .map((i) => ({ value: i.id, text: i.description, hint: { text: i.sha256 ?? t('Seal {{seal}}', { seal: i.sealNumber }) } })),
        canPackage: user.has('triage') && ['referred', 'accepted'].includes(c.status) && items.some((i) => !i.packageId && i.status !== 'destroyed'),
        errors: form?.errors ?? {},
        errorList: form?.errorList ?? [],
        values: form?.values ?? {},
        backLink: `/cases/${caseId}`,
      },
      status,
    );
  }
}
