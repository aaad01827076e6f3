// For legal teams (and triage and the Returning Officer, who may read histories): the case
// history with its hash-chain verification, behind the access-reason prompt (reading a history
// is a disclosure the API records, Data Protection Act 2018 s.62), and the court bundle export
// as JSON or PDF, streamed through from the API.
import { Controller, Get, Inject, NotFoundException, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '@libs/auth/decorators';
import { ApiFailure, passThrough } from '../api-client';
import { addError, errorsFromApi, formBody, FormErrors, noErrors, UUID } from '../forms';
import { WebErrorsFilter } from '../web-errors.filter';
import { msg, tFor } from '../i18n';
import { sendPage, WebUser, WebUsers } from '../web-user';
import type { AllegationView } from '@libs/views/allegation';

/** One event of a case's audit chain, as GET /allegations/:id/history streams them. */
interface HistoryEvent {
  seq: number;
  at: string;
  actor: string;
  role: string;
  action: string;
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
}

const ACCESS_FIELDS = {
  'X-Access-Reason': { id: 'reason', label: msg('Reason') },
  'X-Disclosed-To': { id: 'disclosedTo', label: msg('Who receives it') },
  format: { id: 'format', label: msg('Format') },
};

function accessHeaders(f: Record<string, string>): Record<string, string> {
  // Header values are ASCII; anything else is replaced rather than refused, the reason stays legible.
  const ascii = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').trim();
  return { 'x-access-reason': ascii(f.reason ?? ''), ...(f.disclosedTo?.trim() ? { 'x-disclosed-to': ascii(f.disclosedTo) } : {}) };
}

@Public()
@UseFilters(WebErrorsFilter)
@ApiExcludeController()
@Controller('cases/:id')
export class LegalController {
  constructor(@Inject(WebUsers) private readonly users: WebUsers) {}

  @Get('history')
  async prompt(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const user = await this.users.require(req);
    await this.showPrompt(req, res, user, this.caseId(id), 'history');
  }

  @Post('history')
  async history(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const caseId = this.caseId(id);
    const f = formBody(req);
    if ((f.reason ?? '').trim().length < 3)
      return this.showPrompt(
        req,
        res,
        user,
        caseId,
        'history',
        { ...addError(noErrors(), 'reason', t('Enter why you are reading this case history, in at least 3 characters')), values: f },
        422,
      );
    try {
      const [c, events, verification] = await Promise.all([
        user.api.get<AllegationView>(`/allegations/${caseId}`),
        user.api.get<HistoryEvent[]>(`/allegations/${caseId}/history`, accessHeaders(f)),
        user.api.get<{ valid: boolean; events: number; firstBrokenSeq?: number }>(`/allegations/${caseId}/history/verify`),
      ]);
      sendPage(req, res, user, 'legal/history.njk', {
        title: t('Case history of {{reference}}', { reference: c.reference }),
        c,
        events,
        verification,
        reason: f.reason,
        backLink: `/cases/${caseId}`,
      });
    } catch (error) {
      if (!(error instanceof ApiFailure) || ![400, 422].includes(error.status)) throw error;
      await this.showPrompt(req, res, user, caseId, 'history', { ...errorsFromApi(error, ACCESS_FIELDS, 'reason', t), values: f }, error.status);
    }
  }

  @Get('bundle')
  async bundlePrompt(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const user = await this.users.require(req);
    await this.showPrompt(req, res, user, this.caseId(id), 'bundle');
  }

  @Post('bundle')
  async bundle(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const caseId = this.caseId(id);
    const f = formBody(req);
    const errors = noErrors();
    if ((f.reason ?? '').trim().length < 3) addError(errors, 'reason', t('Enter why you are exporting this case, in at least 3 characters'));
    if (f.format !== 'json' && f.format !== 'pdf') addError(errors, 'format', t('Select the format of the bundle'));
    if (errors.errorList.length) return this.showPrompt(req, res, user, caseId, 'bundle', { ...errors, values: f }, 422);
    try {
      await passThrough(res, await user.api.download(`/allegations/${caseId}/export?format=${f.format}`, accessHeaders(f)));
    } catch (error) {
      if (!(error instanceof ApiFailure) || ![400, 422].includes(error.status)) throw error;
      await this.showPrompt(req, res, user, caseId, 'bundle', { ...errorsFromApi(error, ACCESS_FIELDS, 'reason', t), values: f }, error.status);
    }
  }

  private caseId(id: string): string {
    if (!UUID.test(id)) throw new NotFoundException();
    return id;
  }

  private async showPrompt(
    req: Request,
    res: Response,
    user: WebUser,
    caseId: string,
    what: 'history' | 'bundle',
    form?: FormErrors & { values: Record<string, string> },
    status = 200,
  ) {
    const t = tFor(req);
    const c = await user.api.get<AllegationView>(`/allegations/${caseId}`);
    sendPage(
      req,
      res,
      user,
      'legal/access-reason.njk',
      {
        title:
          what === 'history'
            ? t('Why are you reading the history of case {{reference}}?', { reference: c.reference })
            : t('Export the court bundle of case {{reference}}', { reference: c.reference }),
        c,
        what,
        errors: form?.errors ?? {},
        errorList: form?.errorList ?? [],
        values: form?.values ?? {},
        backLink: `/cases/${caseId}`,
      },
      status,
    );
  }
}
