// Indicators of possible fraud and their thresholds: the authority's indicators and the files of
// observations uploaded, each indicator with its observations. A plan owner or the Returning
// Officer adds an indicator and changes its threshold (or retires it); staff, plan owners and the
// Returning Officer record one observation, or upload a CSV of them that the page streams through
// to the API (POST /indicator-uploads), never holding it whole. A value that reaches the threshold
// raises an alert for triage (/alerts).
import { Controller, ForbiddenException, Get, Inject, NotFoundException, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { PassThrough, type Readable } from 'node:stream';
import { INDICATOR_SUBJECT_TYPES, OBSERVATION_CSV_COLUMNS } from '@libs/domain';
import { Public } from '@libs/auth/decorators';
import { ApiFailure, type ErrorDetail } from '../api-client';
import { addError, errorsFromApi, formBody, FormErrors, noErrors, UUID } from '../forms';
import { detailProblem, refusalReason } from '../problems';
import { msg, tFor, type T } from '../i18n';
import {
  changeIndicatorBody,
  INDICATOR_FIELDS,
  newIndicatorBody,
  OBSERVATION_FIELDS,
  observationBody,
  SUBJECT_TYPES,
  valuesOfIndicator,
} from '../indicator-form';
import { csrfMatches } from '../session';
import { WebErrorsFilter } from '../web-errors.filter';
import { BadCsrf, sendPage, WebUser, WebUsers } from '../web-user';
import type { IndicatorDetailView, IndicatorView } from '@libs/views/indicator';

/** An uploaded observations file as GET /indicator-uploads lists it; the page finds the one just uploaded by its id, the template shows the rest. */
interface UploadView {
  id: string;
}

interface Busboy extends NodeJS.WritableStream {
  on(event: 'field', listener: (name: string, value: string) => void): this;
  on(event: 'file', listener: (name: string, stream: Readable, info: { filename: string; mimeType: string }) => void): this;
  on(event: 'close' | 'error' | 'finish', listener: (error?: Error) => void): this;
}
// busboy ships no types of its own.
const busboy = require('busboy') as (options: { headers: Request['headers']; limits?: Record<string, number> }) => Busboy;

/** As the API's @Roles: POST/PATCH /indicators, POST observations and uploads, GET /indicator-alerts. */
const DEFINERS = ['plan_owner', 'returning_officer'] as const;
const RECORDERS = ['staff', 'plan_owner', 'returning_officer'] as const;
const ALERT_READERS = ['triage', 'plan_owner', 'returning_officer'] as const;
/** How many of a refused file's problems the page lists. */
const PROBLEMS_SHOWN = 50;
type Form = FormErrors & { values: Record<string, string>; problems?: { line?: number; field: string; problem: string }[]; problemCount?: number };

/** A header value as the API wants it: ASCII, percent-encoded otherwise. */
const headerSafe = (value: string) => (/^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value));

@Public()
@UseFilters(WebErrorsFilter)
@ApiExcludeController()
@Controller('monitoring')
export class IndicatorsPageController {
  constructor(@Inject(WebUsers) private readonly users: WebUsers) {}

  @Get()
  async list(@Req() req: Request, @Res() res: Response) {
    await this.showList(req, res, await this.users.require(req));
  }

  /**
   * A CSV of observations as a multipart form: its CSRF field comes before the file, which goes
   * on to the API as it arrives. Every row is recorded, or (422) none and each problem is listed.
   */
  @Post('uploads')
  async upload(@Req() req: Request, @Res() res: Response) {
    const t = tFor(req);
    const user = await this.users.require(req);
    if (!req.is('multipart/form-data')) {
      if (!csrfMatches(user.token, (req.body as Record<string, unknown> | undefined)?._csrf)) throw new BadCsrf();
      return this.showList(req, res, user, { ...addError(noErrors(), 'file', t('Select a CSV file of observations')), values: {} }, 422);
    }
    const fields: Record<string, string> = {};
    const result = await new Promise<{ receipt?: { id: string }; failure?: ApiFailure; pageError?: string }>((resolve, reject) => {
      let sawFile = false;
      const parser = busboy({ headers: req.headers, limits: { files: 1, fields: 5, fieldSize: 10_000 } });
      parser.on('field', (name, value) => (fields[name] = value));
      parser.on('file', (_name, stream, info) => {
        sawFile = true;
        if (!csrfMatches(user.token, fields._csrf)) {
          stream.resume();
          return reject(new BadCsrf());
        }
        if (!info.filename) {
          stream.resume();
          return resolve({ pageError: t('Select a CSV file of observations') });
        }
        if (!/\.(csv|txt)$/i.test(info.filename)) {
          stream.resume();
          return resolve({ pageError: t('The file must be a CSV file. Save the spreadsheet as CSV (comma separated values) and upload that.') });
        }
        const body = new PassThrough();
        stream.pipe(body);
        user.api.upload<{ id: string }>('/indicator-uploads', body, { 'content-type': 'text/csv', 'x-filename': headerSafe(info.filename) }).then(
          (receipt) => resolve({ receipt }),
          (error) => {
            stream.resume();
            if (error instanceof ApiFailure) resolve({ failure: error });
            else reject(error);
          },
        );
      });
      parser.on('close', () => {
        if (!sawFile) resolve(csrfMatches(user.token, fields._csrf) ? { pageError: t('Select a CSV file of observations') } : (reject(new BadCsrf()) as never));
      });
      parser.on('error', (error) => reject(error));
      req.pipe(parser);
    });
    if (result.receipt) return res.redirect(303, `/monitoring?uploaded=${result.receipt.id}#upload-${result.receipt.id}`);
    if (result.pageError) return this.showList(req, res, user, { ...addError(noErrors(), 'file', result.pageError), values: {} }, 422);
    const failure = result.failure!;
    if (![403, 413, 415, 422].includes(failure.status)) throw failure;
    await this.showList(req, res, user, this.uploadRefused(failure, t), failure.status);
  }

  // Declared before ':id', which would read "new" as an indicator's id.
  @Get('new')
  async addForm(@Req() req: Request, @Res() res: Response) {
    const user = await this.users.require(req);
    if (!user.has(...DEFINERS)) throw new ForbiddenException();
    await this.showForm(req, res, user, undefined, { ...noErrors(), values: {} });
  }

  @Post('new')
  async add(@Req() req: Request, @Res() res: Response) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    const { body, errors } = newIndicatorBody(f, t);
    if (errors.errorList.length) return this.showForm(req, res, user, undefined, { ...errors, values: f }, 422);
    try {
      const made = await user.api.post<{ id: string }>('/indicators', body);
      res.redirect(303, `/monitoring/${made.id}?added=1`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || ![403, 409, 422].includes(error.status)) throw error;
      await this.showForm(
        req,
        res,
        user,
        undefined,
        { ...this.refused(error, msg('The indicator was not added: {{reason}}'), 'name', t), values: f },
        error.status,
      );
    }
  }

  @Get(':id')
  async indicator(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const user = await this.users.require(req);
    await this.show(req, res, user, this.indicatorId(id));
  }

  @Post(':id/observations')
  async record(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const indicatorId = this.indicatorId(id);
    const f = formBody(req);
    const { body, errors } = observationBody(f, t);
    if (errors.errorList.length) return this.show(req, res, user, indicatorId, { ...errors, values: f }, 422);
    try {
      const recorded = await user.api.post<{ alertsRaised: string[]; alertsUpdated: number }>(`/indicators/${indicatorId}/observations`, body);
      const outcome = recorded.alertsRaised.length ? 'raised' : recorded.alertsUpdated ? 'updated' : 'below';
      res.redirect(303, `/monitoring/${indicatorId}?recorded=${outcome}`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || ![403, 409, 422].includes(error.status)) throw error;
      await this.show(
        req,
        res,
        user,
        indicatorId,
        { ...this.refused(error, msg('The observation was not recorded: {{reason}}'), 'subject', t), values: f },
        error.status,
      );
    }
  }

  @Get(':id/change')
  async changeForm(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const user = await this.users.require(req);
    if (!user.has(...DEFINERS)) throw new ForbiddenException();
    const indicator = await user.api.get<IndicatorDetailView>(`/indicators/${this.indicatorId(id)}`);
    await this.showForm(req, res, user, indicator, { ...noErrors(), values: valuesOfIndicator(indicator) });
  }

  @Post(':id/change')
  async change(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const indicator = await user.api.get<IndicatorDetailView>(`/indicators/${this.indicatorId(id)}`);
    const f = formBody(req);
    const { body, errors } = changeIndicatorBody(f, t);
    if (errors.errorList.length) return this.showForm(req, res, user, indicator, { ...errors, values: f }, 422);
    try {
      await user.api.patch(`/indicators/${indicator.id}`, body);
      res.redirect(303, `/monitoring/${indicator.id}?changed=1`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || ![403, 409, 422].includes(error.status)) throw error;
      await this.showForm(
        req,
        res,
        user,
        indicator,
        { ...this.refused(error, msg('The indicator was not changed: {{reason}}'), 'name', t), values: f },
        error.status,
      );
    }
  }

  private indicatorId(id: string): string {
    if (!UUID.test(id)) throw new NotFoundException();
    return id;
  }

  /** A 422 or 409 beside the fields it names (a key already used is the key's); a 403 in words. */
  private refused(error: ApiFailure, sentence: string, fallbackId: string, t: T): FormErrors {
    if (error.status !== 403 && error.details.length) {
      return errorsFromApi(error, { ...INDICATOR_FIELDS, ...OBSERVATION_FIELDS }, fallbackId, t);
    }
    return addError(noErrors(), fallbackId, t(sentence, { reason: refusalReason(error, t) }));
  }

  /** A refused file: why, beside the file field, and its problems by line as the API lists them. */
  private uploadRefused(error: ApiFailure, t: T): Form {
    if (error.status === 422) {
      const problemCount = Number((error.body as { problemCount?: unknown }).problemCount) || error.details.length;
      // Each line's problem in the page's language, by its code.
      const problems = (error.details as (ErrorDetail & { line?: number })[]).slice(0, PROBLEMS_SHOWN).map((p) => ({ ...p, problem: detailProblem(p, t) }));
      return {
        ...addError(
          noErrors(),
          'file',
          problemCount === 1
            ? t('The file has a problem, so nothing in it was recorded. Correct it and upload the file again.')
            : t('The file has {{total}} problems, so nothing in it was recorded. Correct them and upload the file again.', { total: problemCount }),
        ),
        values: {},
        problems,
        problemCount,
      };
    }
    if (error.status === 413) return { ...addError(noErrors(), 'file', t('The file is too large. Split it into smaller files and upload each.')), values: {} };
    return { ...addError(noErrors(), 'file', t('The file was not recorded: {{reason}}', { reason: refusalReason(error, t) })), values: {} };
  }

  private async showList(req: Request, res: Response, user: WebUser, form?: Form, status = 200) {
    const t = tFor(req);
    const indicators = await user.api.get<IndicatorView[]>('/indicators');
    const uploads = await user.api.get<UploadView[]>('/indicator-uploads');
    const uploadedId = typeof req.query.uploaded === 'string' && UUID.test(req.query.uploaded) && !form ? req.query.uploaded : undefined;
    sendPage(
      req,
      res,
      user,
      'indicators/list.njk',
      {
        title: t('Indicators'),
        indicators: indicators.map((i) => ({ ...i, subjectText: t(SUBJECT_TYPES[i.subjectType]?.text ?? i.subjectType) })),
        uploads,
        uploaded: uploadedId ? uploads.find((u) => u.id === uploadedId) : undefined,
        columns: OBSERVATION_CSV_COLUMNS.join(','),
        exampleKey: indicators.find((i) => i.status === 'active')?.key ?? 'postal_votes_per_address',
        canDefine: user.has(...DEFINERS),
        canRecord: user.has(...RECORDERS),
        canReadAlerts: user.has(...ALERT_READERS),
        errors: form?.errors ?? {},
        errorList: form?.errorList ?? [],
        problems: form?.problems ?? [],
        problemCount: form?.problemCount ?? 0,
        problemsShown: PROBLEMS_SHOWN,
      },
      status,
    );
  }

  private async show(req: Request, res: Response, user: WebUser, id: string, form?: Form, status = 200) {
    const t = tFor(req);
    const indicator = await user.api.get<IndicatorDetailView>(`/indicators/${id}`);
    const subject = typeof req.query.subject === 'string' ? req.query.subject.trim().slice(0, 500) : '';
    const observations = await user.api.get<unknown[]>(
      `/indicators/${id}/observations?${new URLSearchParams({ limit: '100', ...(subject ? { subject } : {}) })}`,
    );
    const recorded = !form && typeof req.query.recorded === 'string' ? req.query.recorded : undefined;
    sendPage(
      req,
      res,
      user,
      'indicators/indicator.njk',
      {
        title: indicator.name,
        indicator,
        subjectText: t(SUBJECT_TYPES[indicator.subjectType]?.text ?? indicator.subjectType),
        subjectLabel: t(SUBJECT_TYPES[indicator.subjectType]?.subject ?? 'Subject'),
        observations,
        subjectFilter: subject,
        canChange: user.has(...DEFINERS),
        canRecord: indicator.status === 'active' && user.has(...RECORDERS),
        canReadAlerts: user.has(...ALERT_READERS),
        addedNow: req.query.added === '1' && !form,
        changedNow: req.query.changed === '1' && !form,
        recordedNow: ['raised', 'updated', 'below'].includes(recorded ?? '') ? recorded : undefined,
        errors: form?.errors ?? {},
        errorList: form?.errorList ?? [],
        values: form?.values ?? {},
        backLink: '/monitoring',
      },
      status,
    );
  }

  private showForm(req: Request, res: Response, user: WebUser, indicator: IndicatorView | undefined, form: Form, status = 200) {
    const t = tFor(req);
    sendPage(
      req,
      res,
      user,
      'indicators/form.njk',
      {
        title: indicator ? t('Change the indicator') : t('Add an indicator'),
        indicator,
        action: indicator ? `/monitoring/${indicator.id}/change` : '/monitoring/new',
        subjectTypes: INDICATOR_SUBJECT_TYPES.map((value) => ({ value, text: t(SUBJECT_TYPES[value].text), hint: { text: t(SUBJECT_TYPES[value].hint) } })),
        statuses: [
          { value: 'active', text: t('Active: it takes observations') },
          { value: 'retired', text: t('Retired: it takes no more observations') },
        ],
        errors: form.errors,
        errorList: form.errorList,
        values: form.values,
        backLink: indicator ? `/monitoring/${indicator.id}` : '/monitoring',
      },
      status,
    );
  }
}
