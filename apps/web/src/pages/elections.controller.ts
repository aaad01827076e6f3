// Elections: the authority's polls and, for each, its events (polling day, postal vote opening
// sessions, verification, count) with their safety and security plans, police contact and linked
// risks. Pages read and write through the JSON API (/polls, /electoral-events, /police-contacts).
import { Controller, Get, Inject, NotFoundException, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { EVENT_KINDS } from '@libs/domain';
import { Public } from '@libs/auth/decorators';
import { ApiFailure, type ErrorDetail } from '../api-client';
import { londonInstant, measuresFrom } from '../elections';
import { addError, errorsFromApi, formBody, FormErrors, noErrors, UUID } from '../forms';
import { detailProblem } from '../problems';
import { labelOf } from '../labels';
import { WebErrorsFilter } from '../web-errors.filter';
import { msg, tFor } from '../i18n';
import { sendPage, WebUser, WebUsers } from '../web-user';
import type { RiskView } from '@libs/views/risk';
import type { ElectoralEventView, EventRiskView, PoliceContactView, PollView } from '../api-views';

type Form = FormErrors & { values: Record<string, string> };
const POLL_FIELDS = {
  electionId: { id: 'electionId', label: msg('Election identifier') },
  title: { id: 'title', label: msg('Name') },
  pollingDay: { id: 'pollingDay', label: msg('Polling day') },
};
const EVENT_FIELDS = {
  kind: { id: 'kind', label: msg('Kind of event') },
  title: { id: 'title', label: msg('Name') },
  startsAt: { id: 'startsDate', label: msg('Start') },
  endsAt: { id: 'endsDate', label: msg('End') },
  venue: { id: 'venue', label: msg('Venue') },
  'plan.summary': { id: 'summary', label: msg('Plan') },
  'plan.measures': { id: 'measures', label: msg('Measures') },
  plan: { id: 'summary', label: msg('Plan') },
  policeContactId: { id: 'policeContactId', label: msg('Police contact') },
  riskId: { id: 'riskId', label: msg('Risk') },
};
const refused = [403, 409, 422];

@Public()
@UseFilters(WebErrorsFilter)
@ApiExcludeController()
@Controller('elections')
export class ElectionsPageController {
  constructor(@Inject(WebUsers) private readonly users: WebUsers) {}

  @Get()
  async list(@Req() req: Request, @Res() res: Response) {
    await this.showList(req, res, await this.users.require(req));
  }

  @Post()
  async addPoll(@Req() req: Request, @Res() res: Response) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    try {
      const poll = await user.api.post<PollView>('/polls', { electionId: f.electionId?.trim(), title: f.title?.trim(), pollingDay: f.pollingDay?.trim() });
      res.redirect(303, `/elections/${poll.id}`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || !refused.includes(error.status)) throw error;
      await this.showList(req, res, user, { ...errorsFromApi(error, POLL_FIELDS, 'electionId', t), values: f }, error.status);
    }
  }

  @Get('events/:eventId')
  async event(@Req() req: Request, @Res() res: Response, @Param('eventId') eventId: string) {
    await this.showEvent(req, res, await this.users.require(req), id(eventId));
  }

  /** The plan form: venue, times, the plan's summary and measures, the police contact. */
  @Post('events/:eventId/plan')
  async plan(@Req() req: Request, @Res() res: Response, @Param('eventId') eventId: string) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    const errors = noErrors();
    const measures = measuresFrom(f.measures);
    const body: Record<string, unknown> = {
      venue: f.venue?.trim() ?? '',
      plan: f.summary?.trim() || measures.length ? { summary: f.summary?.trim() ?? '', measures, emergencyContact: f.emergencyContact?.trim() || null } : null,
      policeContactId: f.policeContactId || null,
    };
    if (body.plan && !(body.plan as { summary: string }).summary) addError(errors, 'summary', t('Enter what the plan covers'));
    if (errors.errorList.length) return this.showEvent(req, res, user, id(eventId), { ...errors, values: f }, 422);
    await this.act(req, res, user, id(eventId), f, () => user.api.patch(`/electoral-events/${id(eventId)}`, body), 'plan');
  }

  @Post('events/:eventId/risks')
  async link(@Req() req: Request, @Res() res: Response, @Param('eventId') eventId: string) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    if (!UUID.test(f.riskId ?? ''))
      return this.showEvent(req, res, user, id(eventId), { ...addError(noErrors(), 'riskId', t('Select a risk from the register')), values: f }, 422);
    await this.act(req, res, user, id(eventId), f, () => user.api.post(`/electoral-events/${id(eventId)}/risks`, { riskId: f.riskId }), 'linked');
  }

  @Post('events/:eventId/risks/:riskId/unlink')
  async unlink(@Req() req: Request, @Res() res: Response, @Param('eventId') eventId: string, @Param('riskId') riskId: string) {
    const user = await this.users.requirePost(req);
    await this.act(req, res, user, id(eventId), {}, () => user.api.delete(`/electoral-events/${id(eventId)}/risks/${id(riskId)}`), 'unlinked');
  }

  @Get(':pollId')
  async poll(@Req() req: Request, @Res() res: Response, @Param('pollId') pollId: string) {
    await this.showPoll(req, res, await this.users.require(req), id(pollId));
  }

  @Post(':pollId/events')
  async addEvent(@Req() req: Request, @Res() res: Response, @Param('pollId') pollId: string) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    const errors = noErrors();
    if (!(EVENT_KINDS as readonly string[]).includes(f.kind ?? '')) addError(errors, 'kind', t('Select the kind of event'));
    if (!f.title?.trim()) addError(errors, 'title', t('Enter a name for the event'));
    const startsAt = londonInstant(f.startsDate, f.startsTime);
    if (!startsAt) addError(errors, 'startsDate', t('Enter the start as a date (YYYY-MM-DD) and a time (HH:MM)'));
    const endsAt = f.endsDate || f.endsTime ? londonInstant(f.endsDate, f.endsTime) : null;
    if (endsAt === undefined) addError(errors, 'endsDate', t('Enter the end as a date (YYYY-MM-DD) and a time (HH:MM), or leave both blank'));
    if (errors.errorList.length) return this.showPoll(req, res, user, id(pollId), { ...errors, values: f }, 422);
    try {
      const event = await user.api.post<ElectoralEventView>(`/polls/${id(pollId)}/events`, {
        kind: f.kind,
        title: f.title.trim(),
        startsAt,
        endsAt,
        venue: f.venue?.trim() ?? '',
      });
      res.redirect(303, `/elections/events/${event.id}`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || !refused.includes(error.status)) throw error;
      await this.showPoll(req, res, user, id(pollId), { ...errorsFromApi(error, EVENT_FIELDS, 'kind', t), values: f }, error.status);
    }
  }

  private async act(req: Request, res: Response, user: WebUser, eventId: string, f: Record<string, string>, call: () => Promise<unknown>, done: string) {
    const t = tFor(req);
    try {
      await call();
      res.redirect(303, `/elections/events/${eventId}?done=${done}`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || !refused.includes(error.status)) throw error;
      const fallback = done === 'plan' ? 'summary' : 'riskId';
      await this.showEvent(req, res, user, eventId, { ...errorsFromApi(error, EVENT_FIELDS, fallback, t), values: f }, error.status);
    }
  }

  private async showList(req: Request, res: Response, user: WebUser, form?: Form, status = 200) {
    const t = tFor(req);
    const polls = await user.api.get<PollView[]>('/polls');
    sendPage(
      req,
      res,
      user,
      'elections/list.njk',
      { title: t('Elections'), polls, canAdd: user.has('returning_officer', 'admin'), ...formContext(form) },
      status,
    );
  }

  private async showPoll(req: Request, res: Response, user: WebUser, pollId: string, form?: Form, status = 200) {
    const t = tFor(req);
    const poll = await user.api.get<PollView>(`/polls/${pollId}`);
    sendPage(
      req,
      res,
      user,
      'elections/poll.njk',
      {
        title: poll.title,
        poll,
        canPlan: user.has('returning_officer', 'plan_owner') && poll.authorityId === user.principal.authorityId,
        kinds: EVENT_KINDS.map((k) => ({ value: k, text: labelOf(k, t.lang) })),
        backLink: '/elections',
        ...formContext(form),
      },
      status,
    );
  }

  private async showEvent(req: Request, res: Response, user: WebUser, eventId: string, form?: Form, status = 200) {
    const t = tFor(req);
    const event = await user.api.get<ElectoralEventView>(`/electoral-events/${eventId}`);
    const atAuthority = event.authorityId === user.principal.authorityId;
    const canPlan = atAuthority && user.has('returning_officer', 'plan_owner');
    const [risks, register, contacts] = atAuthority
      ? await Promise.all([
          user.api.get<EventRiskView[]>(`/electoral-events/${eventId}/risks`),
          canPlan ? user.api.get<RiskView[]>('/risks?status=open') : [],
          canPlan ? user.api.get<PoliceContactView[]>('/police-contacts') : [],
        ])
      : [[], [], []];
    const values = form?.values ?? {
      venue: event.venue,
      summary: event.plan?.summary ?? '',
      measures: (event.plan?.measures ?? []).join('\n'),
      emergencyContact: event.plan?.emergencyContact ?? '',
      policeContactId: event.policeContact?.id ?? '',
    };
    sendPage(
      req,
      res,
      user,
      'elections/event.njk',
      {
        title: event.title,
        // What the plan lacks, in the page's language (the API's gaps carry their codes).
        event: { ...event, planGaps: (event.planGaps ?? []).map((g: ErrorDetail) => ({ ...g, problem: detailProblem(g, t) })) },
        risks,
        canPlan,
        linkable: register.filter((r) => !event.riskIds.includes(r.id)).map((r) => ({ value: r.id, text: `${r.title} (${labelOf(r.rating, t.lang)})` })),
        contacts: [
          { value: '', text: t('No police contact yet') },
          ...contacts.map((c) => ({ value: c.id, text: `${c.name}, ${c.roles.map((r) => labelOf(r, t.lang)).join(', ')}, ${c.forceId}` })),
        ],
        done: !form && typeof req.query.done === 'string' ? req.query.done : undefined,
        backLink: `/elections/${event.pollId}`,
        ...formContext(form),
        values,
      },
      status,
    );
  }
}

function id(value: string): string {
  if (!UUID.test(value)) throw new NotFoundException();
  return value;
}

function formContext(form?: Form) {
  return { errors: form?.errors ?? {}, errorList: form?.errorList ?? [], values: form?.values ?? {} };
}
