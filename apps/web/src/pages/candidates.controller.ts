// Candidates' and agents' contact details, and their sharing with a police force's FEOA. Staff and
// the Returning Officer keep the contacts and share one with the FEOA of a force the authority has
// a liaison agreement with, on a lawful basis and for a stated purpose; each share writes a
// data-sharing record. The force's FEOA reads what was shared (each read is logged); the Returning
// Officer and the legal team read the data-sharing records with those reads.
import { Controller, ForbiddenException, Get, Inject, NotFoundException, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '@libs/auth/decorators';
import { ApiFailure } from '../api-client';
import {
  CONTACT_FIELDS,
  CONTACT_KINDS,
  contactBody,
  FIELD_TEXT,
  LAWFUL_BASES,
  LAWFUL_BASIS_TEXT,
  SHARE_FIELDS,
  SHAREABLE,
  shareBody,
  shareValues,
} from '../candidate-form';
import { DirectoryNames } from '../directory-names.service';
import { addError, errorsFromApi, formBody, FormErrors, noErrors, UUID } from '../forms';
import { refusalReason } from '../problems';
import { tFor, type T } from '../i18n';
import { labelOf } from '../labels';
import { WebErrorsFilter } from '../web-errors.filter';
import { sendPage, WebUser, WebUsers } from '../web-user';
import type { AgreementView, CandidateContactView, SharedContactView, SharingRecordView } from '../api-views';

/** As the API's @Roles: the contact routes, GET /candidate-contacts/shared and GET /data-sharing. */
const KEEPERS = ['staff', 'returning_officer'] as const;
const RECORD_READERS = ['returning_officer', 'legal'] as const;
type Form = FormErrors & { values: Record<string, unknown> };

@Public()
@UseFilters(WebErrorsFilter)
@ApiExcludeController()
@Controller('candidates')
export class CandidatesPageController {
  constructor(
    @Inject(WebUsers) private readonly users: WebUsers,
    @Inject(DirectoryNames) private readonly directory: DirectoryNames,
  ) {}

  /** The contacts (staff, the Returning Officer); what was shared with the force (its FEOA); the legal team's records. */
  @Get()
  async list(@Req() req: Request, @Res() res: Response) {
    const t = tFor(req);
    const user = await this.users.require(req);
    if (user.has('feoa')) return this.showShared(req, res, user);
    if (!user.has(...KEEPERS)) {
      if (user.has(...RECORD_READERS)) return res.redirect(303, '/candidates/data-sharing');
      throw new ForbiddenException();
    }
    const contacts = await user.api.get<CandidateContactView[]>('/candidate-contacts');
    const forceName = await this.forceNames();
    sendPage(req, res, user, 'candidates/list.njk', {
      title: t('Candidates and agents'),
      contacts: contacts.map((c) => ({ ...c, sharedWithText: (c.sharedWith ?? []).map((id: string) => forceName.get(id) ?? id).join(', ') })),
      canReadRecords: user.has(...RECORD_READERS),
    });
  }

  // Declared before ':id', which would read them as a contact's id.
  @Get('new')
  async addForm(@Req() req: Request, @Res() res: Response) {
    const user = await this.users.require(req);
    if (!user.has(...KEEPERS)) throw new ForbiddenException();
    this.showForm(req, res, user, { ...noErrors(), values: {} });
  }

  @Post('new')
  async add(@Req() req: Request, @Res() res: Response) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const f = formBody(req);
    const { body, errors } = contactBody(f, t);
    if (errors.errorList.length) return this.showForm(req, res, user, { ...errors, values: f }, 422);
    try {
      const made = await user.api.post<{ id: string }>('/candidate-contacts', body);
      res.redirect(303, `/candidates/${made.id}?added=1`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || ![403, 409, 422].includes(error.status)) throw error;
      const shown =
        error.status === 422
          ? errorsFromApi(error, CONTACT_FIELDS, 'name', t)
          : addError(noErrors(), 'name', t('The contact was not added: {{reason}}', { reason: refusalReason(error, t) }));
      this.showForm(req, res, user, { ...shown, values: f }, error.status);
    }
  }

  /** Every data-sharing record of the authority, newest first, with each read by its recipient. */
  @Get('data-sharing')
  async records(@Req() req: Request, @Res() res: Response) {
    const t = tFor(req);
    const user = await this.users.require(req);
    if (!user.has(...RECORD_READERS)) throw new ForbiddenException();
    const contactId = typeof req.query.contactId === 'string' && UUID.test(req.query.contactId) ? req.query.contactId : undefined;
    const records = await user.api.get<SharingRecordView[]>(`/data-sharing${contactId ? `?contactId=${contactId}` : ''}`);
    // The contacts' names, for those who may read the contacts; the legal team sees the records alone.
    const contactName = new Map<string, string>(
      user.has(...KEEPERS) ? (await user.api.get<CandidateContactView[]>('/candidate-contacts')).map((c) => [c.id, c.name] as [string, string]) : [],
    );
    const forceName = await this.forceNames();
    const sharers = await this.directory.usersOf(user.principal.authorityId ?? '');
    const readers = await this.readerNames(records.map((r) => r.sharedWith.forceId));
    sendPage(req, res, user, 'candidates/data-sharing.njk', {
      title: t('Data-sharing records'),
      filtered: Boolean(contactId),
      records: records.map((r) => ({
        ...r,
        contactText: contactName.get(r.contactId),
        forceText: forceName.get(r.sharedWith.forceId) ?? r.sharedWith.forceId,
        basisText: t(LAWFUL_BASIS_TEXT[r.lawfulBasis] ?? r.lawfulBasis),
        fieldsText: this.fieldsText(r.fields, t),
        sharedByText: sharers.get(r.sharedBy) ?? r.sharedBy,
        reads: r.reads.map((d) => ({ ...d, readerText: readers.get(d.readerId) ?? d.readerId })),
      })),
      backLink: user.has(...KEEPERS) ? '/candidates' : undefined,
    });
  }

  @Get(':id')
  async contact(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const user = await this.users.require(req);
    await this.show(req, res, user, this.contactId(id));
  }

  @Post(':id/share')
  async share(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const t = tFor(req);
    const user = await this.users.requirePost(req);
    const contactId = this.contactId(id);
    const f = formBody(req);
    const ticked = (req.body as Record<string, unknown> | undefined)?.fields;
    const { body, errors } = shareBody(f, ticked, t);
    if (errors.errorList.length) return this.show(req, res, user, contactId, { ...errors, values: shareValues(f, ticked) }, 422);
    try {
      await user.api.post(`/candidate-contacts/${contactId}/share`, body);
      res.redirect(303, `/candidates/${contactId}?shared=${encodeURIComponent(String(body.forceId))}#sharing`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || ![403, 409, 422].includes(error.status)) throw error;
      const shown =
        error.status === 422
          ? errorsFromApi(error, SHARE_FIELDS, 'purpose', t)
          : addError(noErrors(), 'forceId', t('The details were not shared: {{reason}}', { reason: refusalReason(error, t) }));
      await this.show(req, res, user, contactId, { ...shown, values: shareValues(f, ticked) }, error.status);
    }
  }

  private contactId(id: string): string {
    if (!UUID.test(id)) throw new NotFoundException();
    return id;
  }

  private async forceNames(): Promise<Map<string, string>> {
    return new Map((await this.directory.forces()).map((f) => [f.id, f.name]));
  }

  /** The FEOAs of the forces named, by id: who read a record. */
  private async readerNames(forceIds: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const forceId of new Set(forceIds)) for (const u of await this.directory.forceUsersWith(forceId, 'feoa')) out.set(u.value, u.text);
    return out;
  }

  private fieldsText(fields: string[], t: T): string {
    return fields.map((f) => t(FIELD_TEXT[f] ?? f)).join(', ');
  }

  /** The FEOA's page: what the authorities shared with the force, as shared. Opening it is logged against each record. */
  private async showShared(req: Request, res: Response, user: WebUser) {
    const t = tFor(req);
    const shared = await user.api.get<SharedContactView[]>('/candidate-contacts/shared');
    const authorityName = await this.directory.authorityNames();
    sendPage(req, res, user, 'candidates/shared.njk', {
      title: t('Candidates and agents shared with the force'),
      shared: shared.map((s) => ({
        ...s,
        authorityText: authorityName.get(s.authorityId) ?? s.authorityId,
        kindText: labelOf(s.kind, t.lang),
        basisText: t(LAWFUL_BASIS_TEXT[s.lawfulBasis] ?? s.lawfulBasis),
      })),
    });
  }

  private async show(req: Request, res: Response, user: WebUser, id: string, form?: Form, status = 200) {
    const t = tFor(req);
    const contact = await user.api.get<CandidateContactView>(`/candidate-contacts/${id}`);
    const forceName = await this.forceNames();
    const agreements = await user.api.get<AgreementView[]>('/liaison');
    const sharers = await this.directory.usersOf(user.principal.authorityId ?? '');
    const values = form?.values ?? { fields: SHAREABLE.filter((s) => s.byDefault).map((s) => s.value) };
    const ticked = (values.fields as string[] | undefined) ?? [];
    const sharedWith = typeof req.query.shared === 'string' && !form ? forceName.get(req.query.shared) : undefined;
    sendPage(
      req,
      res,
      user,
      'candidates/contact.njk',
      {
        title: contact.name,
        contact,
        kindText: labelOf(contact.kind, t.lang),
        forces: [
          { value: '', text: t('Choose a police force') },
          ...agreements.map((a) => ({ value: a.forceId, text: forceName.get(a.forceId) ?? a.forceId, selected: a.forceId === values.forceId })),
        ],
        hasAgreement: agreements.length > 0,
        canAgree: user.has('returning_officer'),
        bases: LAWFUL_BASES.map((b) => ({ value: b.value, text: t(b.text), hint: { text: t(b.hint) } })),
        shareable: SHAREABLE.filter((s) => contact[s.value]).map((s) => ({
          value: s.value,
          text: t(s.text),
          hint: { text: contact[s.value] },
          checked: ticked.includes(s.value),
        })),
        sharing: contact.sharing.map((r) => ({
          ...r,
          forceText: forceName.get(r.sharedWith.forceId) ?? r.sharedWith.forceId,
          basisText: t(LAWFUL_BASIS_TEXT[r.lawfulBasis] ?? r.lawfulBasis),
          fieldsText: this.fieldsText(r.fields, t),
          sharedByText: sharers.get(r.sharedBy) ?? r.sharedBy,
        })),
        canReadRecords: user.has(...RECORD_READERS),
        addedNow: req.query.added === '1' && !form,
        sharedWith,
        errors: form?.errors ?? {},
        errorList: form?.errorList ?? [],
        values,
        backLink: '/candidates',
      },
      status,
    );
  }

  private showForm(req: Request, res: Response, user: WebUser, form: Form, status = 200) {
    const t = tFor(req);
    sendPage(
      req,
      res,
      user,
      'candidates/form.njk',
      {
        title: t('Add a candidate or agent'),
        kinds: CONTACT_KINDS.map((value) => ({ value, text: labelOf(value, t.lang) })),
        errors: form.errors,
        errorList: form.errorList,
        values: form.values,
        backLink: '/candidates',
      },
      status,
    );
  }
}
