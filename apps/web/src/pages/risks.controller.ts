// The risk register: a 5 x 5 likelihood-by-impact heat map of the open risks, the register with
// overdue reviews first (the API's order), each risk with its reviews, and the owner's review form.
import { Controller, ForbiddenException, Get, Inject, NotFoundException, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { riskScore } from '@libs/domain';
import { Public } from '@libs/auth/decorators';
import { ApiFailure } from '../api-client';
import { DirectoryNames } from '../directory-names.service';
import { addError, errorsFromApi, formBody, FormErrors, noErrors, UUID } from '../forms';
import { refusalReason } from '../problems';
import { WebErrorsFilter } from '../web-errors.filter';
import { msg, tFor } from '../i18n';
import { formChoices, riskBody, riskFields, rowsOf, valuesOfRisk } from '../risk-form';
import { sendPage, WebUser, WebUsers } from '../web-user';
import type { RiskDetailView, RiskView } from '@libs/views/risk';

const REVIEW_FIELDS = {
  notes: { id: 'notes', label: msg('What the review found') },
  likelihood: { id: 'likelihood', label: msg('Likelihood') },
  impact: { id: 'impact', label: msg('Impact') },
  ownerId: { id: 'notes', label: msg('Owner') },
};
const SCALE = [1, 2, 3, 4, 5];
/** The roles the API lets add a risk (POST /risks) and change one (PATCH /risks/:id). */
const ADDERS = ['staff', 'plan_owner', 'returning_officer'] as const;
const CHANGERS = ['plan_owner', 'returning_officer'] as const;
type RiskForm = FormErrors & { values: Record<string, string> };

/** Rows from impact 5 (top) to 1, columns likelihood 1 to 5; each cell counts the open risks there. */
export function heatMap(risks: { likelihood: number; impact: number; status: string }[]) {
  return [...SCALE].reverse().map((impact) => ({
    impact,
    cells: SCALE.map((likelihood) => ({
      likelihood,
      count: risks.filter((r) => r.status === 'open' && r.likelihood === likelihood && r.impact === impact).length,
      rating: riskScore(likelihood, impact).rating,
    })),
  }));
}

@Public()
@UseFilters(WebErrorsFilter)
@ApiExcludeController()
@Controller('risk-register')
export class RisksPageController {
  constructor(
    @Inject(WebUsers) private readonly users: WebUsers,
    @Inject(DirectoryNames) private readonly directory: DirectoryNames,
  ) {}

  @Get()
  async register(@Req() req: Request, @Res() res: Response) {
    const t = tFor(req);
    const user = await this.users.require(req);
    const risks = await user.api.get<RiskView[]>('/risks?status=open');
    const owners = await this.owners(user);
    sendPage(req, res, user, 'risks/register.njk', {
      title: t('Risk register'),
      risks: risks.map((r) => ({ ...r, ownerName: owners.get(r.ownerId) ?? t('Unknown'), mine: r.ownerId === user.principal.sub })),
      heatMap: heatMap(risks),
      overdueCount: risks.filter((r) => r.overdue).length,
      canAdd: user.has(...ADDERS),
    });
  }

  // Declared before ':id', which would read "new" as a risk's id.
  @Get('new')
  async addForm(@Req() req: Request, @Res() res: Response) {
    const user = await this.users.require(req);
    if (!user.has(...ADDERS)) throw new ForbiddenException();
    await this.showForm(req, res, user, undefined, { ...noErrors(), values: { reviewEveryUnit: 'days', mitigationRows: '1' } });
  }

  @Post('new')
  async add(@Req() req: Request, @Res() res: Response) {
    const user = await this.users.requirePost(req);
    await this.save(req, res, user, undefined);
  }

  @Get(':id/change')
  async changeForm(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const user = await this.users.require(req);
    if (!user.has(...CHANGERS)) throw new ForbiddenException();
    const risk = await user.api.get<RiskDetailView>(`/risks/${this.riskId(id)}`);
    await this.showForm(req, res, user, risk, { ...noErrors(), values: valuesOfRisk(risk) });
  }

  @Post(':id/change')
  async change(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const user = await this.users.requirePost(req);
    const risk = await user.api.get<RiskDetailView>(`/risks/${this.riskId(id)}`);
    await this.save(req, res, user, risk);
  }

  @Get(':id')
  async risk(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const user = await this.users.require(req);
    await this.show(req, res, user, this.riskId(id));
  }

  @Post(':id/review')
  async review(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const riskId = this.riskId(id);
    const f = formBody(req);
    const body: Record<string, unknown> = { notes: f.notes };
    const errors = noErrors();
    for (const field of ['likelihood', 'impact'] as const) {
      if (!/^[1-5]$/.test(f[field] ?? ''))
        addError(errors, field, field === 'likelihood' ? t('Select the likelihood after the review') : t('Select the impact after the review'));
      else body[field] = Number(f[field]);
    }
    if (errors.errorList.length) return this.show(req, res, user, riskId, { ...errors, values: f }, 422);
    try {
      await user.api.post(`/risks/${riskId}/reviews`, body);
      res.redirect(303, `/risk-register/${riskId}?reviewed=1`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || ![403, 409, 422].includes(error.status)) throw error;
      const shown =
        error.status === 422
          ? errorsFromApi(error, REVIEW_FIELDS, 'notes', t)
          : addError(noErrors(), 'notes', t('The review was not recorded: {{reason}}', { reason: refusalReason(error, t) }));
      await this.show(req, res, user, riskId, { ...shown, values: f }, error.status);
    }
  }

  /** Closes the risk (its owner's plan owner or the Returning Officer), with why; its review cycle ends. */
  @Post(':id/close')
  async close(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const riskId = this.riskId(id);
    const f = formBody(req);
    if (!f.closeNote?.trim())
      return this.show(req, res, user, riskId, { ...addError(noErrors(), 'closeNote', t('Enter why the risk is closed')), values: f }, 422);
    try {
      await user.api.post(`/risks/${riskId}/close`, { note: f.closeNote.trim() });
      res.redirect(303, `/risk-register/${riskId}?closed=1`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || ![403, 409, 422].includes(error.status)) throw error;
      await this.show(
        req,
        res,
        user,
        riskId,
        { ...addError(noErrors(), 'closeNote', t('The risk was not closed: {{reason}}', { reason: refusalReason(error, t) })), values: f },
        error.status,
      );
    }
  }

  /** Adds (no risk) or changes the risk; a refused save shows why beside each field and saves nothing. */
  private async save(req: Request, res: Response, user: WebUser, risk: RiskView | undefined) {
    const t = tFor(req);
    const f = formBody(req);
    // "Add another mitigation": the same form with one more blank row; nothing is saved yet.
    if (f.addMitigation) return this.showForm(req, res, user, risk, { ...noErrors(), values: { ...f, mitigationRows: String(rowsOf(f) + 1) } });
    const { body, errors } = riskBody(f, t);
    if (errors.errorList.length) return this.showForm(req, res, user, risk, { ...errors, values: f }, 422);
    try {
      const saved = risk ? await user.api.patch<RiskView>(`/risks/${risk.id}`, body) : await user.api.post<RiskView>('/risks', body);
      res.redirect(303, `/risk-register/${saved.id}?${risk ? 'changed' : 'added'}=1`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || ![403, 409, 422].includes(error.status)) throw error;
      const shown =
        error.status === 422
          ? errorsFromApi(error, riskFields(rowsOf(f)), 'title', t)
          : addError(noErrors(), 'title', t('The risk was not saved: {{reason}}', { reason: refusalReason(error, t) }));
      await this.showForm(req, res, user, risk, { ...shown, values: f }, error.status);
    }
  }

  private async showForm(req: Request, res: Response, user: WebUser, risk: RiskView | undefined, form: RiskForm, status = 200) {
    const t = tFor(req);
    const owners = await this.owners(user);
    sendPage(
      req,
      res,
      user,
      'risks/form.njk',
      {
        title: risk ? t('Change the risk') : t('Add a risk'),
        risk,
        action: risk ? `/risk-register/${risk.id}/change` : '/risk-register/new',
        ...formChoices(owners, form.values, t),
        errors: form.errors,
        errorList: form.errorList,
        values: form.values,
        backLink: risk ? `/risk-register/${risk.id}` : '/risk-register',
      },
      status,
    );
  }

  private riskId(id: string): string {
    if (!UUID.test(id)) throw new NotFoundException();
    return id;
  }

  /** Names for owner ids: the authority's users. */
  private owners(user: WebUser): Promise<Map<string, string>> {
    return this.directory.usersOf(user.principal.authorityId ?? '');
  }

  private async show(req: Request, res: Response, user: WebUser, id: string, form?: FormErrors & { values: Record<string, string> }, status = 200) {
    const t = tFor(req);
    const risk = await user.api.get<RiskDetailView>(`/risks/${id}`);
    const owners = await this.owners(user);
    sendPage(
      req,
      res,
      user,
      'risks/risk.njk',
      {
        title: risk.title,
        risk,
        ownerName: owners.get(risk.ownerId) ?? t('Unknown'),
        reviews: (risk.reviews ?? []).map((r) => ({ ...r, reviewerName: owners.get(r.reviewedBy) ?? r.reviewedBy })),
        canReview: risk.status === 'open' && risk.ownerId === user.principal.sub,
        canClose: risk.status === 'open' && user.has(...CHANGERS),
        canChange: risk.status === 'open' && user.has(...CHANGERS),
        addedNow: req.query.added === '1' && !form,
        changedNow: req.query.changed === '1' && !form,
        closedNow: req.query.closed === '1' && !form,
        scale: SCALE.map((n) => ({ value: String(n), text: String(n) })),
        errors: form?.errors ?? {},
        errorList: form?.errorList ?? [],
        values: form?.values ?? { likelihood: String(risk.likelihood), impact: String(risk.impact) },
        reviewed: req.query.reviewed === '1' && !form,
        backLink: '/risk-register',
      },
      status,
    );
  }
}
