// Logging an allegation through question pages (GOV.UK "question pages" and "check answers"):
// one topic per page, an error summary and inline errors when an answer is missing or wrong,
// then a check-your-answers page whose submission is one POST /allegations.
import { randomUUID } from 'node:crypto';
import { Controller, Get, Inject, NotFoundException, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { OFFENCE_CATEGORIES, REPORTER_TYPES, URGENCIES } from '@libs/domain';
import { Public } from '@libs/auth/decorators';
import { ApiFailure } from '../api-client';
import { addError, formBody, noErrors, translateErrors, UUID } from '../forms';
import { detailProblem, fieldProblemText } from '../problems';
import { IntakeDrafts } from '../intake-drafts.service';
import { allegationBody, Answers, API_FIELDS, firstIncomplete, stepBySlug, STEPS, summaryRows } from '../intake';
import { labelOf } from '../labels';
import { WebErrorsFilter } from '../web-errors.filter';
import { tFor, type T } from '../i18n';
import { sendPage, WebUser, WebUsers } from '../web-user';

const options = (codes: readonly string[], t: T) => codes.map((value) => ({ value, text: labelOf(value, t.lang) }));

@Public()
@UseFilters(WebErrorsFilter)
@ApiExcludeController()
@Controller('cases/new')
export class IntakeController {
  constructor(
    @Inject(WebUsers) private readonly users: WebUsers,
    @Inject(IntakeDrafts) private readonly drafts: IntakeDrafts,
  ) {}

  @Get()
  async start(@Req() req: Request, @Res() res: Response) {
    const t = tFor(req);
    const user = await this.staff(req);
    sendPage(req, res, user, 'intake/start.njk', { title: t('Log an allegation') });
  }

  @Post()
  async begin(@Req() req: Request, @Res() res: Response) {
    const user = await this.staff(req, true);
    const id = randomUUID();
    // Drafts hold a reporter's personal details: a week untouched is abandoned, and goes.
    await this.drafts.start(user.principal, id);
    res.redirect(303, `/cases/new/${id}/${STEPS[0].slug}`);
  }

  @Get(':draft/check-answers')
  async checkAnswers(@Req() req: Request, @Res() res: Response, @Param('draft') draftId: string) {
    const user = await this.staff(req);
    const draft = await this.draft(user, draftId);
    if (draft.caseId) return res.redirect(303, `/cases/${draft.caseId}/confirmation`);
    const incomplete = firstIncomplete(draft.answers);
    if (incomplete) return res.redirect(303, `/cases/new/${draftId}/${incomplete.slug}`);
    this.showCheckAnswers(req, res, user, draftId, draft.answers);
  }

  @Post(':draft/check-answers')
  async submit(@Req() req: Request, @Res() res: Response, @Param('draft') draftId: string) {
    const t = tFor(req);
    const user = await this.staff(req, true);
    const draft = await this.draft(user, draftId);
    if (draft.caseId) return res.redirect(303, `/cases/${draft.caseId}/confirmation`);
    try {
      // The draft's id is the idempotency key: a second submission returns the same case.
      const created = await user.api.post<{ id: string }>('/allegations', allegationBody(draft.answers), { 'idempotency-key': `web-intake-${draftId}` });
      // The answers now live in the case; the draft keeps only where a repeated submission goes.
      await this.drafts.submitted(user.principal, draftId, created.id);
      res.redirect(303, `/cases/${created.id}/confirmation`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || error.status !== 422) throw error;
      const errors = noErrors();
      for (const detail of error.details) {
        const where = API_FIELDS[detail.field] ?? API_FIELDS[detail.field.split('.')[0]];
        addError(errors, where?.id ?? 'submit', fieldProblemText(where ? t(where.label) : detail.field, detailProblem(detail, t), t));
        if (where) errors.errorList[errors.errorList.length - 1].href = `/cases/new/${draftId}/${where.step}?change=1#${where.id}`;
      }
      this.showCheckAnswers(req, res, user, draftId, draft.answers, errors.errorList, 422);
    }
  }

  @Get(':draft/:step')
  async question(@Req() req: Request, @Res() res: Response, @Param('draft') draftId: string, @Param('step') slug: string, @Query('change') change?: string) {
    const user = await this.staff(req);
    const draft = await this.draft(user, draftId);
    if (draft.caseId) return res.redirect(303, `/cases/${draft.caseId}/confirmation`);
    const step = stepBySlug(slug);
    if (!step) throw new NotFoundException();
    this.showQuestion(req, res, user, draftId, step.slug, draft.answers, noErrors(), change === '1');
  }

  @Post(':draft/:step')
  async answer(@Req() req: Request, @Res() res: Response, @Param('draft') draftId: string, @Param('step') slug: string) {
    const user = await this.staff(req, true);
    const draft = await this.draft(user, draftId);
    if (draft.caseId) return res.redirect(303, `/cases/${draft.caseId}/confirmation`);
    const step = stepBySlug(slug);
    if (!step) throw new NotFoundException();
    const body = formBody(req);
    const given: Answers = Object.fromEntries(step.fields.map((f) => [f, (body[f] ?? '').slice(0, 20_000)]));
    const errors = noErrors();
    step.check(given, errors);
    const answers = { ...draft.answers, ...given };
    await this.drafts.saveAnswers(user.principal, draftId, answers);
    if (errors.errorList.length > 0) return this.showQuestion(req, res, user, draftId, step.slug, answers, errors, body.change === '1', 422);
    const next = body.change === '1' ? (firstIncomplete(answers)?.slug ?? 'check-answers') : (STEPS[STEPS.indexOf(step) + 1]?.slug ?? 'check-answers');
    res.redirect(303, `/cases/new/${draftId}/${next}`);
  }

  private showQuestion(
    req: Request,
    res: Response,
    user: WebUser,
    draftId: string,
    slug: string,
    answers: Answers,
    errors: ReturnType<typeof noErrors>,
    change: boolean,
    status = 200,
  ) {
    const t = tFor(req);
    const index = STEPS.findIndex((s) => s.slug === slug);
    const step = STEPS[index];
    errors = translateErrors(errors, t);
    sendPage(
      req,
      res,
      user,
      `intake/${slug}.njk`,
      {
        title: t(step.title),
        draftId,
        answers,
        change,
        errors: errors.errors,
        errorList: errors.errorList,
        stepNumber: index + 1,
        stepCount: STEPS.length,
        backLink: change ? `/cases/new/${draftId}/check-answers` : index > 0 ? `/cases/new/${draftId}/${STEPS[index - 1].slug}` : '/cases/new',
        categories: options(OFFENCE_CATEGORIES, t),
        reporterTypes: options(REPORTER_TYPES, t),
        urgencies: options(URGENCIES, t),
      },
      status,
    );
  }

  private showCheckAnswers(
    req: Request,
    res: Response,
    user: WebUser,
    draftId: string,
    answers: Answers,
    errorList: { text: string; href: string }[] = [],
    status = 200,
  ) {
    const t = tFor(req);
    sendPage(
      req,
      res,
      user,
      'intake/check-answers.njk',
      {
        title: t('Check your answers before logging the allegation'),
        draftId,
        rows: summaryRows(answers, draftId, t),
        errorList,
        backLink: `/cases/new/${draftId}/${STEPS[STEPS.length - 1].slug}`,
      },
      status,
    );
  }

  private async staff(req: Request, post = false): Promise<WebUser> {
    const user = post ? await this.users.requirePost(req) : await this.users.require(req);
    if (!user.has('staff')) throw new ApiFailure(403, { message: 'only electoral staff log allegations' });
    return user;
  }

  /** The signed-in user's own draft; anyone else's is not found. */
  private async draft(user: WebUser, id: string): Promise<{ answers: Answers; caseId: string | null }> {
    if (!UUID.test(id)) throw new NotFoundException();
    const draft = await this.drafts.find(user.principal, id);
    if (!draft) throw new NotFoundException();
    return { answers: draft.answers as Answers, caseId: draft.caseId };
  }
}
