// Indicator alerts, for triage to decide: an indicator crossed its threshold for a subject (an
// address, a polling district); triage logs an allegation from it, links it to a case already
// logged (named by its reference), or dismisses it with a reason. Each is final, and offered only
// while the alert is open. Plan owners and the Returning Officer read them.
import { Controller, Get, Inject, NotFoundException, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { OFFENCE_CATEGORIES } from '@libs/domain';
import { Public } from '@libs/auth/decorators';
import { ApiFailure } from '../api-client';
import { addError, formBody, FormErrors, noErrors, UUID } from '../forms';
import { detailsOrReason } from '../problems';
import { tFor } from '../i18n';
import { labelOf } from '../labels';
import { WebErrorsFilter } from '../web-errors.filter';
import { sendPage, WebUser, WebUsers } from '../web-user';
import type { AlertView } from '@libs/views/indicator';

type Form = FormErrors & { values: Record<string, string> };
const refused = [403, 409, 422];

@Public()
@UseFilters(WebErrorsFilter)
@ApiExcludeController()
@Controller('alerts')
export class IndicatorAlertsPageController {
  constructor(@Inject(WebUsers) private readonly users: WebUsers) {}

  @Get()
  async alerts(@Req() req: Request, @Res() res: Response) {
    await this.show(req, res, await this.users.require(req));
  }

  @Post(':id/dismiss')
  async dismiss(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    const field = `reason-${uuid(id)}`;
    if (!f.reason?.trim()) return this.show(req, res, user, { ...addError(noErrors(), field, tFor(req)('Enter why the alert is dismissed')), values: f }, 422);
    await this.decide(
      req,
      res,
      user,
      field,
      f,
      () => user.api.post<AlertView>(`/indicator-alerts/${uuid(id)}/dismiss`, { reason: f.reason.trim() }),
      '/alerts?decided=dismissed',
    );
  }

  /** Links the alert to a case already logged, named by its reference as people know it. */
  @Post(':id/link')
  async link(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    const field = `reference-${uuid(id)}`;
    const errors = noErrors();
    const found = f.reference?.trim() ? await this.caseByReference(user, f.reference) : undefined;
    if (!found) addError(errors, field, tFor(req)('Enter the reference of a case of this authority, like NS-2026-00001'));
    if (!f.linkNote?.trim()) addError(errors, `link-note-${uuid(id)}`, tFor(req)('Enter why the alert belongs to that case'));
    if (errors.errorList.length) return this.show(req, res, user, { ...errors, values: f }, 422);
    await this.decide(
      req,
      res,
      user,
      field,
      f,
      () => user.api.post<AlertView>(`/indicator-alerts/${uuid(id)}/link`, { allegationId: found!.id, note: f.linkNote.trim() }),
      `/cases/${found!.id}`,
    );
  }

  /** Logs an allegation from the alert: triage as the reporter, the indicator's readings as the facts. */
  @Post(':id/allegation')
  async allegation(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    const field = `category-${uuid(id)}`;
    const errors = noErrors();
    if (!(OFFENCE_CATEGORIES as readonly string[]).includes(f.category ?? '')) addError(errors, field, tFor(req)('Select the offence the alert suggests'));
    if (!/^\d{4}-\d{2}-\d{2}$/.test(f.pollDate?.trim() ?? '')) addError(errors, `poll-${uuid(id)}`, tFor(req)('Enter the polling day as YYYY-MM-DD'));
    if (errors.errorList.length) return this.show(req, res, user, { ...errors, values: f }, 422);
    const alert = await user.api.get<AlertView>(`/indicator-alerts/${uuid(id)}`);
    const body = {
      category: f.category,
      pollDate: f.pollDate.trim(),
      location: { address: alert.subject },
      occurredAt: alert.lastObservedAt ?? alert.raisedAt,
      reporter: { name: user.principal.name ?? 'Triage', contact: `user ${user.principal.sub}`, type: 'staff' },
      description: `Indicator alert: ${alert.indicator.name} reached ${alert.peakValue} for ${alert.subject} (threshold ${alert.threshold}), over ${alert.observations} observation(s).`,
      urgency: 'routine',
      safetyConcern: false,
    };
    await this.decide(
      req,
      res,
      user,
      field,
      f,
      async () => user.api.post<{ alert: AlertView; allegation: { id: string } }>(`/indicator-alerts/${uuid(id)}/allegation`, body),
      undefined,
    );
  }

  private async decide(
    req: Request,
    res: Response,
    user: WebUser,
    field: string,
    f: Record<string, string>,
    call: () => Promise<{ allegation: { id: string } | null }>,
    next: string | undefined,
  ) {
    try {
      const result = await call();
      res.redirect(303, next ?? `/cases/${result.allegation!.id}`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || !refused.includes(error.status)) throw error;
      const why = detailsOrReason(error, tFor(req));
      await this.show(req, res, user, { ...addError(noErrors(), field, tFor(req)('Not recorded: {{why}}', { why })), values: f }, error.status);
    }
  }

  /** The authority's case with exactly this reference, or undefined. */
  private async caseByReference(user: WebUser, reference: string): Promise<{ id: string } | undefined> {
    const wanted = reference.trim().toUpperCase();
    const page = await user.api.get<{ items: { id: string; reference: string }[] }>(`/allegations?${new URLSearchParams({ q: wanted, limit: '20' })}`);
    return page.items.find((c) => c.reference.toUpperCase() === wanted);
  }

  private async show(req: Request, res: Response, user: WebUser, form?: Form, status = 200) {
    const all = await user.api.get<AlertView[]>('/indicator-alerts');
    sendPage(
      req,
      res,
      user,
      'indicators/alerts.njk',
      {
        title: tFor(req)('Indicator alerts'),
        open: all.filter((a) => a.status === 'open'),
        decided: all.filter((a) => a.status !== 'open'),
        canDecide: user.has('triage'),
        categories: [{ value: '', text: tFor(req)('Select an offence') }, ...OFFENCE_CATEGORIES.map((c) => ({ value: c, text: labelOf(c, tFor(req).lang) }))],
        decidedNow: !form && req.query.decided === 'dismissed',
        errors: form?.errors ?? {},
        errorList: form?.errorList ?? [],
        values: form?.values ?? {},
      },
      status,
    );
  }
}

function uuid(value: string): string {
  if (!UUID.test(value)) throw new NotFoundException();
  return value;
}
