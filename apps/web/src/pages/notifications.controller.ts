// The signed-in user's reminders, escalations and alerts, newest first (GET /me/notifications):
// each links to the page of what it is about, unread ones are marked as such and can be marked
// read, one at a time or all together, and the list can show the unread ones alone.
import { Controller, Get, Inject, NotFoundException, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '@libs/auth/decorators';
import { ApiFailure } from '../api-client';
import { UUID } from '../forms';
import { WebErrorsFilter } from '../web-errors.filter';
import { notificationIn } from '@libs/mail/notification-text';
import { tFor, translator, type T } from '../i18n';
import { sendPage, WebUsers } from '../web-user';

interface About {
  type: string;
  id: string;
  caseId: string | null;
}

/** A notification as GET /me/notifications lists it: the words as sent, in English, translated here. */
interface NotificationView {
  subject: string;
  body: string;
  readAt: string | null;
  about: About | null;
}

/** The web page of a notification's subject, and the words for a link to it; none where no page shows that kind of record. */
export function subjectLink(about: About | null, t: T = translator('en')): { href?: string; text: string } | undefined {
  if (!about) return undefined;
  switch (about.type) {
    case 'allegation':
      return { href: `/cases/${about.id}`, text: t('View the case') };
    case 'evidence':
      return about.caseId ? { href: `/cases/${about.caseId}/evidence/${about.id}`, text: t('View the evidence item') } : { text: t('About an evidence item') };
    case 'package':
      return about.caseId
        ? { href: `/cases/${about.caseId}/evidence#package-${about.id}`, text: t('View the evidence package') }
        : { text: t('About an evidence package') };
    case 'risk':
      return { href: `/risk-register/${about.id}`, text: t('View the risk') };
    case 'liaison':
      // The agreement's page is by force; the list leads to it.
      return { href: '/police-liaison', text: t('View the police liaison agreements') };
    case 'indicator_alert':
      return { href: `/alerts#alert-${about.id}`, text: t('View the indicator alert') };
    case 'indicator_upload':
      // The upload's row on the indicators page, with the alerts it raised.
      return { href: `/monitoring#upload-${about.id}`, text: t('View the file of observations') };
    case 'ballot_discrepancy':
      return { href: `/ballot-security/discrepancies#discrepancy-${about.id}`, text: t('View the ballot security discrepancy') };
    default:
      return undefined;
  }
}

@Public()
@UseFilters(WebErrorsFilter)
@ApiExcludeController()
@Controller('my-notifications')
export class NotificationsPageController {
  constructor(@Inject(WebUsers) private readonly users: WebUsers) {}

  @Get()
  async list(@Req() req: Request, @Res() res: Response) {
    const t = tFor(req);
    const user = await this.users.require(req);
    const unreadOnly = req.query.unread === 'true';
    const notifications = await user.api.get<NotificationView[]>(`/me/notifications${unreadOnly ? '?unread=true' : ''}`);
    const unreadCount = unreadOnly ? notifications.length : notifications.filter((n) => !n.readAt).length;
    sendPage(req, res, user, 'notifications.njk', {
      title: t('Notifications'),
      notifications: notifications.map((n) => ({ ...n, ...notificationIn(t.lang, n.subject, n.body), link: subjectLink(n.about, t) })),
      unreadOnly,
      unreadCount,
      marked: req.query.marked === 'all' ? 'all' : req.query.marked === 'one' ? 'one' : undefined,
    });
  }

  @Post('read')
  async markAllRead(@Req() req: Request, @Res() res: Response) {
    const user = await this.users.requirePost(req);
    await user.api.post('/me/notifications/read', {});
    res.redirect(303, '/my-notifications?marked=all');
  }

  @Post(':id/read')
  async markRead(@Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    const user = await this.users.requirePost(req);
    if (!UUID.test(id)) throw new NotFoundException();
    try {
      await user.api.post(`/me/notifications/${id}/read`, {});
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 404) throw new NotFoundException();
      throw error;
    }
    const back =
      (req.body as Record<string, unknown> | undefined)?.unreadOnly === 'true' ? '/my-notifications?unread=true&marked=one' : '/my-notifications?marked=one';
    res.redirect(303, `${back}#notifications`);
  }
}
