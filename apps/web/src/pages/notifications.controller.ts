// The signed-in user's reminders, escalations and alerts, newest first (GET /me/notifications).
import { Controller, Get, Inject, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../../../api/src/auth/decorators';
import { WebErrorsFilter } from '../web-errors.filter';
import { sendPage, WebUsers } from '../web-user';

@Public()
@UseFilters(WebErrorsFilter)
@ApiExcludeController()
@Controller('my-notifications')
export class NotificationsPageController {
  constructor(@Inject(WebUsers) private readonly users: WebUsers) {}

  @Get()
  async list(@Req() req: Request, @Res() res: Response) {
    const user = await this.users.require(req);
    const notifications = await user.api.get<any[]>('/me/notifications');
    sendPage(req, res, user, 'notifications.njk', { title: 'Notifications', notifications });
  }
}
