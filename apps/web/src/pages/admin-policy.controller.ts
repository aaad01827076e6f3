// The authority's policy, for its administrator: every field of the policy document as a form
// (durations in words), and the retention period of evidence on a page of its own. Saved through
// the API's PATCH /admin/policies/:authorityId, which validates the whole document and refuses it
// whole, its messages shown beside their fields; each change is an audit event there.
import { Controller, Get, Inject, NotFoundException, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Policy } from '@libs/domain';
import { Public } from '@libs/auth/decorators';
import { ApiFailure } from '../api-client';
import { durationFromWords, durationInWords } from '../durations';
import { addError, errorsFromApi, formBody, FormErrors, noErrors } from '../forms';
import { msg, tFor, type T } from '../i18n';
import { WebErrorsFilter } from '../web-errors.filter';
import { sendPage, WebUser, WebUsers } from '../web-user';

type Kind = 'duration' | 'durations' | 'number' | 'boolean';
interface Field {
  /** the policy document's field, as the API names it in its messages */
  path: string;
  kind: Kind;
  /** the words for it in an error message */
  label: string;
}

/** Every field of the policy document (libs/domain/policy.ts); the page's field id is the path with dashes. */
const POLICY_FIELDS: Field[] = [
  { path: 'triageDue.routine', kind: 'duration', label: msg('Time to triage a routine case') },
  { path: 'triageDue.urgent', kind: 'duration', label: msg('Time to triage an urgent case') },
  { path: 'triageDue.immediate', kind: 'duration', label: msg('Time to triage an immediate safety risk') },
  { path: 'spocResponseDue.routine', kind: 'duration', label: msg('Time for the police to respond to a routine referral') },
  { path: 'spocResponseDue.urgent', kind: 'duration', label: msg('Time for the police to respond to an urgent referral') },
  { path: 'spocResponseDue.immediate', kind: 'duration', label: msg('Time for the police to respond to an immediate safety risk') },
  { path: 'remindBefore', kind: 'durations', label: msg('Reminders before a deadline') },
  { path: 'workingDays', kind: 'boolean', label: msg('Count working days only') },
  { path: 'pollWindow.before', kind: 'duration', label: msg('Start of the polling period') },
  { path: 'pollWindow.after', kind: 'duration', label: msg('End of the polling period') },
  { path: 'pollWindow.scale', kind: 'number', label: msg('Deadline scale in the polling period') },
  { path: 'packageAcknowledgeDue', kind: 'duration', label: msg('Time for the police to acknowledge an evidence package') },
  { path: 'informationReplyDue', kind: 'duration', label: msg('Time for a reporter to reply to a request for information') },
  { path: 'extensionTaskAfterMonths', kind: 'number', label: msg('Months after the offence to apply for an extension') },
  { path: 'riskReviewGrace', kind: 'duration', label: msg('Grace before an overdue risk review is escalated') },
  { path: 'riskReviewNearPoll.within', kind: 'duration', label: msg('Closer risk reviews start this long before polling day') },
  { path: 'riskReviewNearPoll.every', kind: 'duration', label: msg('Risk reviews near polling day are due every') },
  { path: 'liaisonContactGrace', kind: 'duration', label: msg('Grace before a missed police liaison contact is reported') },
  { path: 'evidenceRetention', kind: 'duration', label: msg('Evidence retention period') },
];
const RETENTION_FIELDS = POLICY_FIELDS.filter((f) => f.path === 'evidenceRetention');

const fieldId = (path: string) => path.replace(/\./g, '-');
const refused = [403, 409, 422];
type Form = FormErrors & { values: Record<string, string> };

function read(policy: Policy, path: string): unknown {
  return path.split('.').reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], policy);
}

/** The policy as the form shows it: durations in words, lists one a line. */
function formValues(policy: Policy, fields: Field[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const f of fields) {
    const value = read(policy, f.path);
    values[fieldId(f.path)] =
      f.kind === 'duration'
        ? durationInWords(String(value))
        : f.kind === 'durations'
          ? (value as string[]).map(durationInWords).join('\n')
          : f.kind === 'boolean'
            ? value
              ? 'yes'
              : 'no'
            : String(value);
  }
  return values;
}

/** The form as a policy patch; a value the page cannot read is an error beside its field, and nothing is sent. */
function patchFrom(form: Record<string, string>, fields: Field[], t: T): { patch: Record<string, unknown>; errors: FormErrors } {
  const patch: Record<string, unknown> = {};
  const errors = noErrors();
  const set = (path: string, value: unknown) => {
    const keys = path.split('.');
    let at = patch;
    for (const key of keys.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
    at[keys[keys.length - 1]] = value;
  };
  for (const f of fields) {
    const id = fieldId(f.path);
    const text = (form[id] ?? '').trim();
    if (f.kind === 'duration') {
      const iso = durationFromWords(text);
      if (!iso) addError(errors, id, t('Enter {{what}} in weeks, days, hours or minutes, for example 2 days or 4 hours', { what: t(f.label).toLowerCase() }));
      else set(f.path, iso);
    } else if (f.kind === 'durations') {
      const lines = text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean);
      const isos = lines.map(durationFromWords);
      if (isos.some((i) => !i)) addError(errors, id, t('Enter each reminder on its own line, for example 2 hours, or leave it empty for no reminders'));
      else set(f.path, isos);
    } else if (f.kind === 'boolean') {
      if (text !== 'yes' && text !== 'no') addError(errors, id, t('Select whether to {{what}}', { what: t(f.label).toLowerCase() }));
      else set(f.path, text === 'yes');
    } else if (!/^-?\d+(\.\d+)?$/.test(text)) {
      addError(errors, id, t('Enter {{what}} as a number', { what: t(f.label).toLowerCase() }));
    } else {
      set(f.path, Number(text));
    }
  }
  return { patch, errors };
}

@Public()
@UseFilters(WebErrorsFilter)
@ApiExcludeController()
@Controller('admin')
export class AdminPolicyPageController {
  constructor(@Inject(WebUsers) private readonly users: WebUsers) {}

  @Get('policy')
  async policy(@Req() req: Request, @Res() res: Response) {
    await this.show(req, res, await this.users.require(req), 'policy');
  }

  @Post('policy')
  async savePolicy(@Req() req: Request, @Res() res: Response) {
    await this.save(req, res, await this.users.requirePost(req), 'policy');
  }

  @Get('retention')
  async retention(@Req() req: Request, @Res() res: Response) {
    await this.show(req, res, await this.users.require(req), 'retention');
  }

  @Post('retention')
  async saveRetention(@Req() req: Request, @Res() res: Response) {
    await this.save(req, res, await this.users.requirePost(req), 'retention');
  }

  private async save(req: Request, res: Response, user: WebUser, page: 'policy' | 'retention') {
    const fields = page === 'policy' ? POLICY_FIELDS : RETENTION_FIELDS;
    const f = formBody(req);
    const { patch, errors } = patchFrom(f, fields, tFor(req));
    if (errors.errorList.length) return this.show(req, res, user, page, { ...errors, values: f }, 422);
    try {
      await user.api.patch(`/admin/policies/${encodeURIComponent(authorityOf(user))}`, patch);
      res.redirect(303, `/admin/${page}?saved=1`);
    } catch (error) {
      if (!(error instanceof ApiFailure) || !refused.includes(error.status)) throw error;
      const known = Object.fromEntries(fields.map((x) => [x.path, { id: fieldId(x.path), label: x.label }]));
      await this.show(
        req,
        res,
        user,
        page,
        { ...errorsFromApi(inWords(error, tFor(req)), known, fieldId(fields[0].path), tFor(req)), values: f },
        error.status,
      );
    }
  }

  private async show(req: Request, res: Response, user: WebUser, page: 'policy' | 'retention', form?: Form, status = 200) {
    const policy = await user.api.get<Policy>(`/admin/policies/${encodeURIComponent(authorityOf(user))}`);
    sendPage(
      req,
      res,
      user,
      `admin/${page}.njk`,
      {
        title: tFor(req)(page === 'policy' ? 'Deadlines and reminders policy' : 'Retention periods'),
        canChange: user.has('admin'),
        saved: !form && req.query.saved === '1',
        current: formValues(policy, page === 'policy' ? POLICY_FIELDS : RETENTION_FIELDS),
        errors: form?.errors ?? {},
        errorList: form?.errorList ?? [],
        values: form?.values ?? formValues(policy, page === 'policy' ? POLICY_FIELDS : RETENTION_FIELDS),
      },
      status,
    );
  }
}

/** The API's refusal with its duration problem in the words the form uses (it names ISO-8601, which the form does not), in the page's language. */
function inWords(failure: ApiFailure, t: T): ApiFailure {
  // Without a code, the page shows these words as they are.
  const details = failure.details.map((d) =>
    /ISO-8601 duration/.test(d.problem) ? { field: d.field, problem: t(msg('must be longer than zero, for example 2 days or 4 hours')) } : d,
  );
  return new ApiFailure(failure.status, { ...failure.body, details });
}

/** The policy is the signed-in user's own authority's; a police user has none. */
function authorityOf(user: WebUser): string {
  if (!user.principal.authorityId) throw new NotFoundException();
  return user.principal.authorityId;
}
