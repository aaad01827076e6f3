// Work queues, ordered by deadline with what is overdue first and marked. Triage and the
// Returning Officer see the authority's cases waiting for triage and those waiting for the
// police. A SPOC or FEOA sees the referrals their force holds (GET /referrals).
import { Controller, Get, Inject, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '@libs/auth/decorators';
import { ApiFailure } from '../api-client';
import { isOverdue } from '../case-view';
import { STATUS_TAG } from '../labels';
import { WebErrorsFilter } from '../web-errors.filter';
import { tFor, type T } from '../i18n';
import { sendPage, WebUser, WebUsers } from '../web-user';
import type { AllegationView } from '@libs/views/allegation';

interface QueueRow {
  id: string;
  reference: string;
  category: string;
  status: string;
  statusTag: string;
  dueAt: string | null;
  dueLabel: string;
  overdue: boolean;
  safetyConcern: boolean;
}

const byDeadline = (a: QueueRow, b: QueueRow) => (a.dueAt ? Date.parse(a.dueAt) : Infinity) - (b.dueAt ? Date.parse(b.dueAt) : Infinity);

function row(c: AllegationView, dueAt: string | null, dueLabel: string): QueueRow {
  return {
    id: c.id,
    reference: c.reference,
    category: c.category,
    status: c.status,
    statusTag: STATUS_TAG[c.status],
    dueAt,
    dueLabel,
    overdue: isOverdue(dueAt),
    safetyConcern: Boolean(c.safetyConcern || c.operationFord),
  };
}

@Public()
@UseFilters(WebErrorsFilter)
@ApiExcludeController()
@Controller('work-queue')
export class WorkQueueController {
  constructor(@Inject(WebUsers) private readonly users: WebUsers) {}

  @Get()
  async queue(@Req() req: Request, @Res() res: Response) {
    const t = tFor(req);
    const user = await this.users.require(req);
    const sections = user.has('triage', 'returning_officer')
      ? await this.authorityQueue(user, t)
      : user.has('spoc', 'feoa')
        ? await this.forceQueue(user, t)
        : undefined;
    if (!sections) throw new ApiFailure(403, { message: 'work queues are for triage, Returning Officers and police SPOCs' });
    sendPage(req, res, user, 'work-queue.njk', {
      title: t('Work queue'),
      sections,
      overdueCount: sections.reduce((n, s) => n + s.rows.filter((r) => r.overdue).length, 0),
    });
  }

  private async authorityQueue(user: WebUser, t: T) {
    const list = (status: string) => user.api.get<{ items: AllegationView[] }>(`/allegations?status=${status}&limit=100`).then((p) => p.items);
    const [triage, waiting, referred] = await Promise.all([list('triage'), list('awaiting_information'), list('referred')]);
    return [
      {
        id: 'triage',
        title: t('Waiting for a triage decision'),
        rows: triage.map((c) => row(c, c.deadlines?.triageDueAt ?? c.triageDueAt, t('Triage due'))).sort(byDeadline),
      },
      {
        id: 'information',
        title: t('Waiting for the reporter'),
        rows: waiting.map((c) => row(c, c.deadlines?.informationReplyDueAt, t('Reply due'))).sort(byDeadline),
      },
      {
        id: 'police',
        title: t('Waiting for the police to respond'),
        rows: referred.map((c) => row(c, c.deadlines?.spocResponseDueAt, t('Response due'))).sort(byDeadline),
      },
    ];
  }

  private async forceQueue(user: WebUser, t: T) {
    const { items } = await user.api.get<{ items: AllegationView[] }>('/referrals?limit=500');
    return [
      {
        id: 'respond',
        title: t('Referrals waiting for your response'),
        rows: items
          .filter((c) => c.status === 'referred')
          .map((c) => row(c, c.deadlines?.spocResponseDueAt ?? c.referral?.respondBy ?? null, t('Respond by')))
          .sort(byDeadline),
      },
      { id: 'accepted', title: t('Accepted by your force'), rows: items.filter((c) => c.status === 'accepted').map((c) => row(c, null, '')) },
    ];
  }
}
