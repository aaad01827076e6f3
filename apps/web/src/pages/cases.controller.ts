// Cases: the searchable, filterable list; a case page with status, deadlines and a timeline; and
// the decisions taken on it (triage; a SPOC's accept or return, progress notes and the police
// outcome; closing and withdrawing), each a form whose refusal (409: the case moved on) or
// validation errors (422) are shown on the case page.
import { Controller, Get, Inject, NotFoundException, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ALLEGATION_STATUSES, OFFENCE_CATEGORIES, POLICE_OUTCOMES, RESOLUTIONS, RETURN_REASONS } from '@libs/domain';
import { Public } from '@libs/auth/decorators';
import { DirectoryNames } from '../directory-names.service';
import { ApiFailure } from '../api-client';
import { actionsFor, deadlinesOf, isOverdue, timelineOf } from '../case-view';
import { addError, errorsFromApi, formBody, FormErrors, noErrors, UUID } from '../forms';
import { refusalReason } from '../problems';
import { labelOf, STATUS_TAG } from '../labels';
import { WebErrorsFilter } from '../web-errors.filter';
import { msg, tFor, type T } from '../i18n';
import { sendPage, WebUser, WebUsers } from '../web-user';
import type { AllegationView } from '@libs/views/allegation';

const options = (codes: readonly string[], t: T) => codes.map((value) => ({ value, text: labelOf(value, t.lang) }));

const TRIAGE_FIELDS = {
  decision: { id: 'decision', label: msg('Decision') },
  forceId: { id: 'forceId', label: msg('Police force') },
  resolution: { id: 'resolution', label: msg('Resolution') },
  question: { id: 'question', label: msg('Question for the reporter') },
  duplicateOf: { id: 'duplicateOfReference', label: msg('Reference of the case it repeats') },
  note: { id: 'note', label: msg('Reason for the decision') },
};
const ACCEPT_FIELDS = { crimeReference: { id: 'crimeReference', label: msg('Crime reference') }, note: { id: 'acceptNote', label: msg('Note') } };
const RETURN_FIELDS = {
  reasonCode: { id: 'reasonCode', label: msg('Reason') },
  note: { id: 'returnNote', label: msg('Note') },
  suggestedForceId: { id: 'suggestedForceId', label: msg('Force that should have it') },
};
const UPDATE_FIELDS = { note: { id: 'updateNote', label: msg('Progress note') } };
const POLICE_OUTCOME_FIELDS = { outcome: { id: 'policeOutcome', label: msg('Outcome') }, note: { id: 'policeOutcomeNote', label: msg('Note') } };
const CLOSE_FIELDS = { outcome: { id: 'closeOutcome', label: msg('Outcome') }, note: { id: 'closeNote', label: msg('Reason for closing') } };
const WITHDRAW_FIELDS = { note: { id: 'withdrawNote', label: msg('Why it is withdrawn') } };
const EXTENSION_FIELDS = { note: { id: 'extensionNote', label: msg('The application') } };
const INFORMATION_FIELDS = { note: { id: 'reply', label: msg('The reporter’s reply') } };

/** The banner after each decision, by the last segment of its API path. */
const DONE: Record<string, string> = {
  triage: msg('Your triage decision was recorded.'),
  accept: msg('You accepted the referral.'),
  return: msg('You returned the referral to the authority.'),
  updates: msg('Your progress note was recorded.'),
  outcome: msg('The police outcome was recorded.'),
  close: msg('The case is closed.'),
  withdraw: msg('The allegation is withdrawn.'),
  information: msg('The reporter’s reply was recorded. The case is back with triage.'),
  'statutory-extension': msg('The application to extend the time limit was recorded.'),
};

@Public()
@UseFilters(WebErrorsFilter)
@ApiExcludeController()
@Controller('cases')
export class CasesController {
  constructor(
    @Inject(WebUsers) private readonly users: WebUsers,
    @Inject(DirectoryNames) private readonly directory: DirectoryNames,
  ) {}

  @Get()
  async list(@Req() req: Request, @Res() res: Response) {
    const t = tFor(req);
    const user = await this.users.require(req);
    const q = req.query as Record<string, string | undefined>;
    const filters = {
      q: typeof q.q === 'string' ? q.q.slice(0, 200) : '',
      status: ALLEGATION_STATUSES.includes(q.status as never) ? q.status! : '',
      category: OFFENCE_CATEGORIES.includes(q.category as never) ? q.category! : '',
    };
    const params = new URLSearchParams({ limit: '20' });
    for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
    if (typeof q.cursor === 'string' && q.cursor.length < 500) params.set('cursor', q.cursor);
    const page = await user.api.get<{ items: AllegationView[]; nextCursor: string | null }>(`/allegations?${params}`);
    const next = page.nextCursor
      ? `/cases?${new URLSearchParams({ ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)), cursor: page.nextCursor })}`
      : undefined;
    sendPage(req, res, user, 'cases/list.njk', {
      title: t('Cases'),
      filters,
      cases: page.items.map((c) => ({ ...c, statusTag: STATUS_TAG[c.status], overdue: c.status === 'triage' && isOverdue(c.triageDueAt) })),
      next,
      statuses: [{ value: '', text: t('Any status') }, ...options(ALLEGATION_STATUSES, t)],
      categories: [{ value: '', text: t('Any offence') }, ...options(OFFENCE_CATEGORIES, t)],
    });
  }

  @Get(':id')
  async show(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const user = await this.users.require(req);
    await this.showCase(req, res, user, id);
  }

  @Get(':id/confirmation')
  async confirmation(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const t = tFor(req);
    const user = await this.users.require(req);
    const c = await user.api.get<AllegationView>(`/allegations/${this.caseId(id)}`);
    sendPage(req, res, user, 'cases/confirmation.njk', { title: t('Allegation logged'), c });
  }

  @Post(':id/triage')
  async triage(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    const body: Record<string, string> = { decision: f.decision, note: f.note };
    if (f.decision === 'refer') body.forceId = f.forceId;
    if (f.decision === 'resolve') body.resolution = f.resolution;
    if (f.decision === 'request_information' && f.question?.trim()) body.question = f.question;
    const errors = noErrors();
    if (!['refer', 'resolve', 'request_information', 'duplicate'].includes(f.decision)) addError(errors, 'decision', t('Select a decision'));
    if (f.decision === 'duplicate') {
      // People know a case by its reference; the API takes the id of the case it repeats.
      const original = await this.caseByReference(user, f.duplicateOfReference ?? '');
      if (!original) addError(errors, 'duplicateOfReference', t('Enter the reference of another case of this authority, like NS-2026-00001'));
      else if (original.id === id) addError(errors, 'duplicateOfReference', t('Enter the reference of another case: a case cannot repeat itself'));
      else body.duplicateOf = original.id;
    }
    await this.decide(req, res, user, id, errors.errorList.length ? errors : undefined, '/triage', body, TRIAGE_FIELDS, 'decision', f);
  }

  @Post(':id/accept')
  async accept(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    await this.decide(
      req,
      res,
      user,
      id,
      undefined,
      '/referral/accept',
      { crimeReference: f.crimeReference, ...(f.acceptNote?.trim() ? { note: f.acceptNote } : {}) },
      ACCEPT_FIELDS,
      'crimeReference',
      f,
    );
  }

  @Post(':id/return')
  async returnReferral(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    const errors = noErrors();
    if (!RETURN_REASONS.includes(f.reasonCode as never)) addError(errors, 'reasonCode', t('Select why you are returning the referral'));
    await this.decide(
      req,
      res,
      user,
      id,
      errors.errorList.length ? errors : undefined,
      '/referral/return',
      { reasonCode: f.reasonCode, note: f.returnNote, ...(f.suggestedForceId ? { suggestedForceId: f.suggestedForceId } : {}) },
      RETURN_FIELDS,
      'reasonCode',
      f,
    );
  }

  /** The reporter answered a request for information: the case goes back to triage. */
  @Post(':id/information')
  async information(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    await this.decide(req, res, user, id, undefined, '/information', { note: f.reply }, INFORMATION_FIELDS, 'note', f);
  }

  @Post(':id/investigation-update')
  async investigationUpdate(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    await this.decide(req, res, user, id, undefined, '/referral/updates', { note: f.updateNote }, UPDATE_FIELDS, 'note', f);
  }

  @Post(':id/police-outcome')
  async policeOutcome(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    const errors = noErrors();
    if (!POLICE_OUTCOMES.includes(f.policeOutcome as never)) addError(errors, 'policeOutcome', t('Select the outcome'));
    await this.decide(
      req,
      res,
      user,
      id,
      errors.errorList.length ? errors : undefined,
      '/referral/outcome',
      { outcome: f.policeOutcome, note: f.policeOutcomeNote },
      POLICE_OUTCOME_FIELDS,
      'outcome',
      f,
    );
  }

  @Post(':id/close')
  async close(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    const errors = noErrors();
    if (!POLICE_OUTCOMES.includes(f.closeOutcome as never)) addError(errors, 'closeOutcome', t('Select the outcome the case closes with'));
    await this.decide(
      req,
      res,
      user,
      id,
      errors.errorList.length ? errors : undefined,
      '/close',
      { outcome: f.closeOutcome, note: f.closeNote },
      CLOSE_FIELDS,
      'outcome',
      f,
    );
  }

  @Post(':id/withdraw')
  async withdraw(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    await this.decide(req, res, user, id, undefined, '/withdraw', { note: f.withdrawNote }, WITHDRAW_FIELDS, 'note', f);
  }

  /** Records that a court extension of the s.176 time limit was applied for. */
  @Post(':id/statutory-extension')
  async statutoryExtension(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    await this.decide(req, res, user, id, undefined, '/statutory-extension', { note: f.extensionNote }, EXTENSION_FIELDS, 'note', f);
  }

  /** Posts one decision; on success back to the case, otherwise the case page with the reason. */
  private async decide(
    req: Request,
    res: Response,
    user: WebUser,
    id: string,
    pageErrors: FormErrors | undefined,
    path: string,
    body: Record<string, string>,
    fields: Record<string, { id: string; label: string }>,
    firstField: string,
    values: Record<string, string>,
  ) {
    const t = tFor(req);
    const caseId = this.caseId(id);
    if (pageErrors) return this.showCase(req, res, user, caseId, { ...pageErrors, values }, 422);
    try {
      await user.api.post(`/allegations/${caseId}${path}`, body);
      res.redirect(303, `/cases/${caseId}?done=${encodeURIComponent(path.split('/').pop()!)}`);
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      if (error.status === 409) {
        // The case moved on: show it as it now stands, with the reason the decision was refused.
        const errors = addError(
          noErrors(),
          'case-status',
          t('This decision was not recorded because the case has moved on: {{reason}}', { reason: refusalReason(error, t) }),
        );
        return this.showCase(req, res, user, caseId, { ...errors, values: {}, refused: true }, 409);
      }
      if (error.status === 422 || error.status === 400)
        return this.showCase(req, res, user, caseId, { ...errorsFromApi(error, fields, fields[firstField].id, t), values }, 422);
      throw error;
    }
  }

  /** The authority's case with exactly this reference (any case), or undefined. */
  private async caseByReference(user: WebUser, reference: string): Promise<{ id: string } | undefined> {
    const wanted = reference.trim().toUpperCase();
    if (!/^[A-Z0-9-]{3,40}$/.test(wanted)) return undefined;
    const page = await user.api.get<{ items: { id: string; reference: string }[] }>(`/allegations?${new URLSearchParams({ q: wanted, limit: '20' })}`);
    return page.items.find((c) => c.reference.toUpperCase() === wanted);
  }

  private caseId(id: string): string {
    if (!UUID.test(id)) throw new NotFoundException();
    return id;
  }

  private async showCase(
    req: Request,
    res: Response,
    user: WebUser,
    id: string,
    form?: FormErrors & { values: Record<string, string>; refused?: boolean },
    status = 200,
  ) {
    const t = tFor(req);
    const c = await user.api.get<AllegationView>(`/allegations/${this.caseId(id)}`);
    const forces = await this.directory.forces();
    const forceName = (fid: string) => forces.find((f) => f.id === fid)?.name ?? fid;
    const done = typeof req.query.done === 'string' ? req.query.done : undefined;
    const duplicateOfReference = c.duplicateOf
      ? await user.api.get<AllegationView>(`/allegations/${c.duplicateOf}`).then(
          (o) => o.reference,
          () => undefined,
        )
      : undefined;
    sendPage(
      req,
      res,
      user,
      'cases/case.njk',
      {
        title: t('Case {{reference}}', { reference: c.reference }),
        c,
        statusTag: STATUS_TAG[c.status],
        deadlines: deadlinesOf(c, t),
        timeline: timelineOf(c, forceName, t).reverse(),
        actions: actionsFor(user.principal, c),
        referralForce: c.referral ? forceName(c.referral.forceId) : undefined,
        duplicateOfReference,
        forces: forces.map((f) => ({ value: f.id, text: f.name })),
        resolutions: options(RESOLUTIONS, t),
        returnReasons: options(RETURN_REASONS, t),
        policeOutcomes: options(POLICE_OUTCOMES, t),
        errors: form?.errors ?? {},
        errorList: form?.errorList ?? [],
        values: form?.values ?? {},
        refused: form?.refused,
        done: done && !form && DONE[done] ? t(DONE[done]) : undefined,
      },
      status,
    );
  }
}
