// Police liaison: the authority's agreements with police forces (SPOC, FEOA, how often the two
// sides are in contact), each with its record of contacts. The Returning Officer or administrator
// makes or changes an agreement; staff, the Returning Officer and the force's SPOC and FEOA record
// contacts. A force's people name the authority (?authorityId=), as the API asks them to.
import { Controller, ForbiddenException, Get, Inject, NotFoundException, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '@libs/auth/decorators';
import { ApiFailure } from '../api-client';
import { DirectoryNames } from '../directory-names.service';
import { addError, errorsFromApi, formBody, FormErrors, noErrors } from '../forms';
import { refusalReason } from '../problems';
import { tFor } from '../i18n';
import {
  AGREEMENT_FIELDS,
  agreementBody,
  cadenceText,
  CHANNEL_TEXT,
  CHANNELS,
  CONTACT_FIELDS,
  contactBody,
  FORCE_ID,
  valuesOfAgreement,
} from '../liaison-form';
import { CADENCE_UNITS } from '../risk-form';
import { WebErrorsFilter } from '../web-errors.filter';
import { sendPage, WebUser, WebUsers } from '../web-user';
import type { AgreementView } from '../api-views';

/** As the API's @Roles: PUT /liaison/:forceId, POST /liaison/:forceId/contacts. */
const AGREERS = ['returning_officer', 'admin'] as const;
const RECORDERS = ['staff', 'returning_officer', 'spoc', 'feoa'] as const;
const AUTHORITY_ID = /^[a-z0-9][a-z0-9-]{0,99}$/;
type Form = FormErrors & { values: Record<string, string> };

@Public()
@UseFilters(WebErrorsFilter)
@ApiExcludeController()
@Controller('police-liaison')
export class LiaisonPageController {
  constructor(
    @Inject(WebUsers) private readonly users: WebUsers,
    @Inject(DirectoryNames) private readonly directory: DirectoryNames,
  ) {}

  @Get()
  async list(@Req() req: Request, @Res() res: Response) {
    const t = tFor(req);
    const user = await this.users.require(req);
    const agreements = await user.api.get<AgreementView[]>('/liaison');
    const forces = await this.directory.forces();
    const forceName = new Map(forces.map((f) => [f.id, f.name]));
    const onForceSide = !user.principal.authorityId;
    const canAgree = !onForceSide && user.has(...AGREERS);
    sendPage(req, res, user, 'liaison/list.njk', {
      title: t('Police liaison'),
      agreements: agreements.map((a) => ({
        ...a,
        forceName: forceName.get(a.forceId) ?? a.forceId,
        cadence: cadenceText(a.contactEvery, t),
        href: onForceSide ? `/police-liaison/${a.forceId}?authorityId=${a.authorityId}` : `/police-liaison/${a.forceId}`,
      })),
      onForceSide,
      canAgree,
      newForces: forces.filter((f) => !agreements.some((a) => a.forceId === f.id)).map((f) => ({ value: f.id, text: f.name })),
    });
  }

  /** The set-up form's choice of force, as the address of that force's agreement form. */
  @Get('set-up')
  async setUp(@Req() req: Request, @Res() res: Response, @Query('forceId') forceId: string) {
    await this.users.require(req);
    res.redirect(303, `/police-liaison/${this.forceId(forceId ?? '')}/agreement`);
  }

  @Get(':forceId')
  async agreement(@Req() req: Request, @Res() res: Response, @Param('forceId') forceId: string, @Query('authorityId') authorityId?: string) {
    const user = await this.users.require(req);
    await this.show(req, res, user, this.forceId(forceId), this.authorityOf(user, authorityId));
  }

  @Post(':forceId/contacts')
  async recordContact(@Req() req: Request, @Res() res: Response, @Param('forceId') id: string, @Query('authorityId') authorityQuery?: string) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const forceId = this.forceId(id);
    const authorityId = this.authorityOf(user, authorityQuery);
    const f = formBody(req);
    const { body, errors } = contactBody(f, t, authorityId);
    if (errors.errorList.length) return this.show(req, res, user, forceId, authorityId, { ...errors, values: f }, 422);
    try {
      await user.api.post(`/liaison/${forceId}/contacts`, body);
      res.redirect(303, `${this.pageOf(forceId, authorityId)}${authorityId ? '&' : '?'}recorded=1`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || ![403, 409, 422].includes(error.status)) throw error;
      const shown =
        error.status === 422
          ? errorsFromApi(error, CONTACT_FIELDS, 'summary', t)
          : addError(noErrors(), 'summary', t('The contact was not recorded: {{reason}}', { reason: refusalReason(error, t) }));
      await this.show(req, res, user, forceId, authorityId, { ...shown, values: f }, error.status);
    }
  }

  @Get(':forceId/agreement')
  async agreementForm(@Req() req: Request, @Res() res: Response, @Param('forceId') id: string) {
    const user = await this.users.require(req);
    if (!user.principal.authorityId || !user.has(...AGREERS)) throw new ForbiddenException();
    const forceId = this.forceId(id);
    const current = await this.current(user, forceId);
    await this.showForm(req, res, user, forceId, current, { ...noErrors(), values: valuesOfAgreement(current) });
  }

  @Post(':forceId/agreement')
  async saveAgreement(@Req() req: Request, @Res() res: Response, @Param('forceId') id: string) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const forceId = this.forceId(id);
    const current = await this.current(user, forceId);
    const f = formBody(req);
    const { body, errors } = agreementBody(f, t);
    if (errors.errorList.length) return this.showForm(req, res, user, forceId, current, { ...errors, values: f }, 422);
    try {
      await user.api.put(`/liaison/${forceId}`, body);
      res.redirect(303, `/police-liaison/${forceId}?saved=1`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || ![403, 404, 409, 422].includes(error.status)) throw error;
      const shown =
        error.status === 422
          ? errorsFromApi(error, AGREEMENT_FIELDS, 'spocId', t)
          : addError(noErrors(), 'spocId', t('The agreement was not saved: {{reason}}', { reason: refusalReason(error, t) }));
      await this.showForm(req, res, user, forceId, current, { ...shown, values: f }, error.status === 404 ? 422 : error.status);
    }
  }

  private forceId(id: string): string {
    if (!FORCE_ID.test(id)) throw new NotFoundException();
    return id;
  }

  /** A force's people name the authority; an authority's people read their own. */
  private authorityOf(user: WebUser, authorityId: string | undefined): string | undefined {
    if (user.principal.authorityId) return undefined;
    if (!authorityId || !AUTHORITY_ID.test(authorityId)) throw new NotFoundException();
    return authorityId;
  }

  private pageOf(forceId: string, authorityId: string | undefined): string {
    return authorityId ? `/police-liaison/${forceId}?authorityId=${authorityId}` : `/police-liaison/${forceId}`;
  }

  /** The authority's agreement with the force, or undefined when there is none yet. */
  private async current(user: WebUser, forceId: string): Promise<AgreementView | undefined> {
    try {
      return await user.api.get<AgreementView>(`/liaison/${forceId}`);
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 404) return undefined;
      throw error;
    }
  }

  private async show(req: Request, res: Response, user: WebUser, forceId: string, authorityId: string | undefined, form?: Form, status = 200) {
    const t = tFor(req);
    const agreement = await user.api.get<AgreementView>(`/liaison/${forceId}${authorityId ? `?authorityId=${authorityId}` : ''}`);
    const forceName = (await this.directory.forces()).find((f) => f.id === forceId)?.name ?? forceId;
    sendPage(
      req,
      res,
      user,
      'liaison/agreement.njk',
      {
        title: t('Police liaison with {{force}}', { force: forceName }),
        agreement,
        cadence: cadenceText(agreement.contactEvery, t),
        contacts: agreement.contacts.map((c) => ({ ...c, channelText: t(CHANNEL_TEXT[c.channel] ?? c.channel) })),
        canChange: !authorityId && user.has(...AGREERS),
        canRecord: user.has(...RECORDERS),
        // Candidate contacts are shared with the FEOA of a force the authority has an agreement with.
        canShareContacts: !authorityId && user.has('staff', 'returning_officer'),
        contactAction: `/police-liaison/${forceId}/contacts${authorityId ? `?authorityId=${authorityId}` : ''}`,
        channels: CHANNELS.map((c) => ({ value: c, text: t(CHANNEL_TEXT[c]) })),
        errors: form?.errors ?? {},
        errorList: form?.errorList ?? [],
        values: form?.values ?? {},
        savedNow: req.query.saved === '1' && !form,
        recordedNow: req.query.recorded === '1' && !form,
        backLink: '/police-liaison',
      },
      status,
    );
  }

  private async showForm(req: Request, res: Response, user: WebUser, forceId: string, current: AgreementView | undefined, form: Form, status = 200) {
    const t = tFor(req);
    const forceName = (await this.directory.forces()).find((f) => f.id === forceId)?.name;
    if (!forceName) throw new NotFoundException();
    const choose = (people: { value: string; text: string }[], selected: string | undefined, none: string) => [
      { value: '', text: none },
      ...people.map((p) => ({ ...p, selected: p.value === selected })),
    ];
    const leads = [...(await this.directory.usersOf(user.principal.authorityId ?? ''))].map(([value, text]) => ({ value, text }));
    sendPage(
      req,
      res,
      user,
      'liaison/agreement-form.njk',
      {
        title: current ? t('Change the agreement with {{force}}', { force: forceName }) : t('Set up the agreement with {{force}}', { force: forceName }),
        current,
        action: `/police-liaison/${forceId}/agreement`,
        spocs: choose(await this.directory.forceUsersWith(forceId, 'spoc'), form.values.spocId, t('Choose a person')),
        feoas: choose(await this.directory.forceUsersWith(forceId, 'feoa'), form.values.feoaId, t('Choose a person')),
        leads: choose(leads, form.values.leadId, t('The Returning Officer')),
        units: CADENCE_UNITS.map((u) => ({ value: u.value, text: t(u.text) })),
        errors: form.errors,
        errorList: form.errorList,
        values: form.values,
        backLink: current ? `/police-liaison/${forceId}` : '/police-liaison',
      },
      status,
    );
  }
}
