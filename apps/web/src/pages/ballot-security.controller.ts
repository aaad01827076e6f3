// Ballot security: the authority's ballot paper batches and ballot boxes with their custody logs
// and a form for each step; the discrepancies triage decides (log an allegation, or dismiss with a
// reason); and the security reviews held with the police. All through the JSON API.
import { Controller, Get, Inject, NotFoundException, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { BALLOT_ACTIONS, BALLOT_ITEM_KINDS } from '@libs/domain';
import { Public } from '@libs/auth/decorators';
import { ApiFailure } from '../api-client';
import { measuresFrom } from '../elections';
import { addError, errorsFromApi, formBody, FormErrors, noErrors, UUID } from '../forms';
import { detailsOrReason, problemsOrReason, refusalReason } from '../problems';
import { labelOf } from '../labels';
import { WebErrorsFilter } from '../web-errors.filter';
import { msg, tFor } from '../i18n';
import { sendPage, WebUser, WebUsers } from '../web-user';
import type { BallotDiscrepancyView, BallotItemView, BallotReviewView } from '../api-views';

type Form = FormErrors & { values: Record<string, string> };
const ITEM_FIELDS = {
  kind: { id: 'kind', label: msg('Kind') },
  label: { id: 'label', label: msg('Label') },
  quantity: { id: 'quantity', label: msg('Papers') },
  receivedFrom: { id: 'receivedFrom', label: msg('Received from') },
  location: { id: 'location', label: msg('Where it is') },
};
const STEP_FIELDS = {
  action: { id: 'action', label: msg('Step') },
  location: { id: 'location', label: msg('Location') },
  sealNumber: { id: 'sealNumber', label: msg('Seal number') },
  sealNumberObserved: { id: 'sealNumberObserved', label: msg('Seal number read') },
  countObserved: { id: 'countObserved', label: msg('Papers counted') },
  accessBy: { id: 'accessBy', label: msg('Who has access') },
  note: { id: 'note', label: msg('Note') },
};
const REVIEW_FIELDS = {
  forceId: { id: 'forceId', label: msg('Police force') },
  heldOn: { id: 'heldOn', label: msg('Date held') },
  attendees: { id: 'attendees', label: msg('Who attended') },
  findings: { id: 'findings', label: msg('Findings') },
  actions: { id: 'actions', label: msg('Actions') },
};
const refused = [403, 409, 422];
const ACTION_HINTS: Record<string, string> = {
  stored: msg('Put in a store: say where, and who has access to it'),
  sealed: msg('Sealed with a numbered seal'),
  moved: msg('Taken somewhere else: read the seal number off it first'),
  opened: msg('Opened at the count: read the seal number off it, and count the papers'),
  returned: msg('Returned after the count, to storage or for destruction'),
};

@Public()
@UseFilters(WebErrorsFilter)
@ApiExcludeController()
@Controller('ballot-security')
export class BallotSecurityPageController {
  constructor(@Inject(WebUsers) private readonly users: WebUsers) {}

  @Get()
  async items(@Req() req: Request, @Res() res: Response) {
    await this.showItems(req, res, await this.users.require(req));
  }

  @Post('items')
  async addItem(@Req() req: Request, @Res() res: Response) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    const errors = noErrors();
    if (f.quantity && !/^\d+$/.test(f.quantity.trim())) addError(errors, 'quantity', t('Enter the number of papers as a whole number, or leave it blank'));
    if (errors.errorList.length) return this.showItems(req, res, user, { ...errors, values: f }, 422);
    const body = {
      kind: f.kind,
      label: f.label?.trim(),
      quantity: f.quantity?.trim() ? Number(f.quantity) : undefined,
      serialFrom: f.serialFrom?.trim() || undefined,
      serialTo: f.serialTo?.trim() || undefined,
      receivedFrom: f.receivedFrom?.trim(),
      location: f.location?.trim(),
    };
    try {
      const item = await user.api.post<BallotItemView>('/ballot-items', body);
      res.redirect(303, `/ballot-security/items/${item.id}`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || !refused.includes(error.status)) throw error;
      await this.showItems(req, res, user, { ...errorsFromApi(error, ITEM_FIELDS, 'label', t), values: f }, error.status);
    }
  }

  @Get('items/:id')
  async item(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    await this.showItem(req, res, await this.users.require(req), uuid(id));
  }

  @Post('items/:id/custody')
  async step(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    const errors = noErrors();
    if (!(BALLOT_ACTIONS as readonly string[]).includes(f.action ?? '')) addError(errors, 'action', t('Select the step'));
    if (f.countObserved && !/^\d+$/.test(f.countObserved.trim()))
      addError(errors, 'countObserved', t('Enter the papers counted as a whole number, or leave it blank'));
    if (errors.errorList.length) return this.showItem(req, res, user, uuid(id), { ...errors, values: f }, 422);
    const body = {
      action: f.action,
      location: f.location?.trim() || undefined,
      sealNumber: f.sealNumber?.trim() || undefined,
      sealNumberObserved: f.sealNumberObserved?.trim() || undefined,
      countObserved: f.countObserved?.trim() ? Number(f.countObserved) : undefined,
      accessBy: f.action === 'stored' ? measuresFrom(f.accessBy) : undefined,
      note: f.note?.trim() || undefined,
    };
    try {
      const result = await user.api.post<{ discrepancies: unknown[] }>(`/ballot-items/${uuid(id)}/custody`, body);
      res.redirect(303, `/ballot-security/items/${uuid(id)}?recorded=${result.discrepancies.length ? 'discrepancy' : 'ok'}`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || !refused.includes(error.status)) throw error;
      await this.showItem(req, res, user, uuid(id), { ...errorsFromApi(error, STEP_FIELDS, 'action', t), values: f }, error.status);
    }
  }

  @Get('discrepancies')
  async discrepancies(@Req() req: Request, @Res() res: Response) {
    await this.showDiscrepancies(req, res, await this.users.require(req));
  }

  @Post('discrepancies/:id/dismiss')
  async dismiss(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    const field = `reason-${uuid(id)}`;
    if (!f.reason?.trim())
      return this.showDiscrepancies(req, res, user, { ...addError(noErrors(), field, t('Enter why the discrepancy is dismissed')), values: f }, 422);
    try {
      await user.api.post(`/ballot-discrepancies/${uuid(id)}/dismiss`, { reason: f.reason.trim() });
      res.redirect(303, '/ballot-security/discrepancies?decided=dismissed');
    } catch (error) {
      if (!(error instanceof ApiFailure) || !refused.includes(error.status)) throw error;
      await this.showDiscrepancies(req, res, user, { ...addError(noErrors(), field, refusalReason(error, t)), values: f }, error.status);
    }
  }

  /** Logs an allegation from the discrepancy: triage as the reporter, the item's custody as the facts. */
  @Post('discrepancies/:id/allegation')
  async allegation(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    const field = `where-${uuid(id)}`;
    const errors = noErrors();
    if (!f.where?.trim()) addError(errors, field, t('Enter the polling station or count venue it concerns'));
    if (!/^\d{4}-\d{2}-\d{2}$/.test(f.pollDate?.trim() ?? '')) addError(errors, `poll-${uuid(id)}`, t('Enter the polling day as YYYY-MM-DD'));
    if (errors.errorList.length) return this.showDiscrepancies(req, res, user, { ...errors, values: f }, 422);
    const discrepancy = (await user.api.get<BallotDiscrepancyView[]>('/ballot-discrepancies')).find((d) => d.id === uuid(id));
    if (!discrepancy) throw new NotFoundException();
    const words = discrepancy.kind === 'seal_mismatch' ? 'seal number' : 'count of papers';
    const body = {
      category: 'other',
      pollDate: f.pollDate.trim(),
      location: { pollingStation: f.where.trim() },
      occurredAt: discrepancy.raisedAt,
      // Triage reports what the custody log found; the contact is the authority's own user.
      reporter: { name: user.principal.name ?? 'Triage', contact: `user ${user.principal.sub}`, type: 'staff' },
      description: `Ballot security: the ${words} on ${discrepancy.itemLabel} did not match the record (expected ${discrepancy.expected}, found ${discrepancy.observed}).`,
      urgency: 'urgent',
      safetyConcern: false,
    };
    try {
      const result = await user.api.post<{ allegation: { id: string } }>(`/ballot-discrepancies/${uuid(id)}/allegation`, body);
      res.redirect(303, `/cases/${result.allegation.id}`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || !refused.includes(error.status)) throw error;
      await this.showDiscrepancies(req, res, user, { ...addError(noErrors(), field, detailsOrReason(error, tFor(req))), values: f }, error.status);
    }
  }

  @Get('reviews')
  async reviews(@Req() req: Request, @Res() res: Response) {
    await this.showReviews(req, res, await this.users.require(req));
  }

  @Post('reviews')
  async addReview(@Req() req: Request, @Res() res: Response) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    const errors = noErrors();
    // One action a line: "what | who | YYYY-MM-DD".
    const actions = measuresFrom(f.actions).map((line) => line.split('|').map((p) => p.trim()));
    if (actions.some((a) => a.length !== 3 || !a[0] || !a[1] || !/^\d{4}-\d{2}-\d{2}$/.test(a[2])))
      addError(errors, 'actions', t('Write each action on its own line as: what | who | due date (YYYY-MM-DD)'));
    if (errors.errorList.length) return this.showReviews(req, res, user, { ...errors, values: f }, 422);
    try {
      await user.api.post('/ballot-security-reviews', {
        forceId: f.forceId,
        heldOn: f.heldOn?.trim(),
        attendees: measuresFrom(f.attendees),
        findings: f.findings?.trim(),
        actions: actions.map(([description, owner, dueBy]) => ({ description, owner, dueBy })),
      });
      res.redirect(303, '/ballot-security/reviews?recorded=1');
    } catch (error) {
      if (!(error instanceof ApiFailure) || !refused.includes(error.status)) throw error;
      await this.showReviews(req, res, user, { ...errorsFromApi(error, REVIEW_FIELDS, 'findings', t), values: f }, error.status);
    }
  }

  /** Marks an action agreed at the review done, by the signed-in Returning Officer, now. */
  @Post('reviews/:id/actions/:actionId/done')
  async actionDone(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Param('actionId') actionId: string) {
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    const field = `note-${uuid(actionId)}`;
    try {
      await user.api.post(`/ballot-security-reviews/${uuid(id)}/actions/${uuid(actionId)}/done`, { note: f.note?.trim() || undefined });
      res.redirect(303, `/ballot-security/reviews?done=${uuid(actionId)}#review-${uuid(id)}`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || !refused.includes(error.status)) throw error;
      await this.showReviews(req, res, user, { ...addError(noErrors(), field, problemsOrReason(error, tFor(req))), values: f }, error.status);
    }
  }

  private async showItems(req: Request, res: Response, user: WebUser, form?: Form, status = 200) {
    const t = tFor(req);
    const items = user.has('staff', 'triage', 'returning_officer', 'legal', 'admin') ? await user.api.get<BallotItemView[]>('/ballot-items') : [];
    sendPage(
      req,
      res,
      user,
      'ballot-security/items.njk',
      {
        title: t('Ballot security'),
        items,
        canAdd: user.has('staff', 'returning_officer'),
        canTriage: user.has('triage', 'returning_officer', 'legal'),
        kinds: BALLOT_ITEM_KINDS.map((k) => ({ value: k, text: labelOf(k, t.lang) })),
        ...formContext(form),
      },
      status,
    );
  }

  private async showItem(req: Request, res: Response, user: WebUser, id: string, form?: Form, status = 200) {
    const t = tFor(req);
    const item = await user.api.get<BallotItemView>(`/ballot-items/${id}`);
    const actions = BALLOT_ACTIONS.map((a) => ({ value: a, text: labelOf(a, t.lang), hint: { text: t(ACTION_HINTS[a]) } }));
    sendPage(
      req,
      res,
      user,
      'ballot-security/item.njk',
      {
        title: item.label,
        item,
        canRecord: user.has('staff', 'returning_officer') && item.status !== 'returned',
        actions,
        recorded: !form && typeof req.query.recorded === 'string' ? req.query.recorded : undefined,
        backLink: '/ballot-security',
        ...formContext(form),
      },
      status,
    );
  }

  private async showDiscrepancies(req: Request, res: Response, user: WebUser, form?: Form, status = 200) {
    const t = tFor(req);
    const all = await user.api.get<BallotDiscrepancyView[]>('/ballot-discrepancies');
    sendPage(
      req,
      res,
      user,
      'ballot-security/discrepancies.njk',
      {
        title: t('Ballot security discrepancies'),
        open: all.filter((d) => d.status === 'open'),
        decided: all.filter((d) => d.status !== 'open'),
        canDecide: user.has('triage'),
        decidedNow: !form && req.query.decided === 'dismissed',
        backLink: '/ballot-security',
        ...formContext(form),
      },
      status,
    );
  }

  private async showReviews(req: Request, res: Response, user: WebUser, form?: Form, status = 200) {
    const t = tFor(req);
    const reviews = await user.api.get<BallotReviewView[]>('/ballot-security-reviews');
    sendPage(
      req,
      res,
      user,
      'ballot-security/reviews.njk',
      {
        title: t('Security reviews with the police'),
        reviews,
        canAdd: user.has('returning_officer'),
        // Only the authority's Returning Officer marks an action done; the force reads it.
        canMarkDone: user.has('returning_officer') && Boolean(user.principal.authorityId),
        doneNow: !form && typeof req.query.done === 'string' ? reviews.flatMap((r) => r.actions).find((a) => a.id === req.query.done) : undefined,
        recordedNow: !form && req.query.recorded === '1',
        backLink: user.principal.authorityId ? '/ballot-security' : undefined,
        ...formContext(form),
      },
      status,
    );
  }
}

function uuid(value: string): string {
  if (!UUID.test(value)) throw new NotFoundException();
  return value;
}

function formContext(form?: Form) {
  return { errors: form?.errors ?? {}, errorList: form?.errorList ?? [], values: form?.values ?? {} };
}
