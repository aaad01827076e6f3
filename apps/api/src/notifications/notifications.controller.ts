import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiStandardErrors } from '../common/api-docs';
import { ROLES, type Principal } from '@libs/auth/principal';
import { CurrentUser, Roles } from '../auth/decorators';
import { notFound } from '../common/api-error';
import { MarkedReadDto, NotificationDto, NotificationFilterQuery } from './dto/notifications.dto';
import { NotificationsService } from './notifications.service';

@ApiTags('notifications')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller('me/notifications')
export class NotificationsController {
  constructor(@Inject(NotificationsService) private readonly notifications: NotificationsService) {}

  /**
   * Reminders, escalations and alerts addressed to the caller, newest first (the latest 200 that
   * match). Each says what it is about (`about`: the record's type and id, and its case).
   */
  @Get()
  @ApiOperation({ summary: "List the caller's notifications, newest first" })
  @Roles(...ROLES)
  @ApiOkResponse({ type: [NotificationDto] })
  @ApiErrors([422, 'aboutType, aboutId or unread is not a valid value'])
  async list(@CurrentUser() principal: Principal, @Query() filter: NotificationFilterQuery): Promise<NotificationDto[]> {
    return this.notifications.list(principal.sub, filter);
  }

  /** Marks every notification of the caller that matches the filter (all of them, without one) as read. */
  @Post('read')
  @HttpCode(200)
  @ApiOperation({ summary: "Mark the caller's notifications read: all, or those matching aboutType and aboutId" })
  @Roles(...ROLES)
  @ApiOkResponse({ type: MarkedReadDto })
  @ApiErrors([422, 'aboutType or aboutId is not a valid value'])
  async markAllRead(@CurrentUser() principal: Principal, @Query() filter: NotificationFilterQuery): Promise<MarkedReadDto> {
    return { marked: await this.notifications.markAllRead(principal.sub, filter) };
  }

  /** Marks one of the caller's notifications as read; marking it again keeps the first time. */
  @Post(':id/read')
  @HttpCode(200)
  @ApiOperation({ summary: "Mark one of the caller's notifications read" })
  @Roles(...ROLES)
  @ApiOkResponse({ type: NotificationDto })
  @ApiErrors([404, 'no such notification addressed to the caller'])
  async markRead(@CurrentUser() principal: Principal, @Param('id') id: string): Promise<NotificationDto> {
    const marked = await this.notifications.markRead(principal.sub, id);
    if (!marked) throw notFound('notification');
    return marked;
  }
}
