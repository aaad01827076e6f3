import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiStandardErrors } from '../common/api-docs';
import { DataSource } from 'typeorm';
import { ROLES, type Principal } from '../../../../libs/auth/principal';
import { CurrentUser, Roles } from '../auth/decorators';
import { notFound } from '../common/api-error';
import { MarkedReadDto, NotificationDto, NotificationFilterQuery } from './dto/notifications.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COLUMNS = 'id, kind, case_id, about_type, about_id, subject, body, created_at, read_at';

function toDto(r: Record<string, unknown>): NotificationDto {
  return {
    id: r.id as string,
    kind: r.kind as string,
    caseId: (r.case_id as string | null) ?? null,
    about: r.about_type ? { type: r.about_type as NonNullable<NotificationDto['about']>['type'], id: r.about_id as string, caseId: (r.case_id as string | null) ?? null } : null,
    subject: r.subject as string,
    body: r.body as string,
    createdAt: new Date(r.created_at as string).toISOString(),
    readAt: r.read_at ? new Date(r.read_at as string).toISOString() : null,
  };
}

/** The WHERE clause for the caller's notifications matching `filter`, and its parameters. */
function matching(sub: string, filter: NotificationFilterQuery): { where: string; params: unknown[] } {
  const params: unknown[] = [sub];
  const where = ['recipient_id = $1'];
  if (filter.aboutType) where.push(`about_type = $${params.push(filter.aboutType)}`);
  if (filter.aboutId) where.push(`about_id = $${params.push(filter.aboutId)}`);
  if (filter.unread !== undefined) where.push(filter.unread ? 'read_at IS NULL' : 'read_at IS NOT NULL');
  return { where: where.join(' AND '), params };
}

@ApiTags('notifications')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller('me/notifications')
export class NotificationsController {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

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
    // Users from an identity provider may have non-UUID subjects; they have no stored notifications yet.
    if (!UUID.test(principal.sub)) return [];
    const { where, params } = matching(principal.sub, filter);
    const rows = await this.db.query(`SELECT ${COLUMNS} FROM notifications WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT 200`, params);
    return rows.map(toDto);
  }

  /** Marks every notification of the caller that matches the filter (all of them, without one) as read. */
  @Post('read')
  @HttpCode(200)
  @ApiOperation({ summary: "Mark the caller's notifications read: all, or those matching aboutType and aboutId" })
  @Roles(...ROLES)
  @ApiOkResponse({ type: MarkedReadDto })
  @ApiErrors([422, 'aboutType or aboutId is not a valid value'])
  async markAllRead(@CurrentUser() principal: Principal, @Query() filter: NotificationFilterQuery): Promise<MarkedReadDto> {
    if (!UUID.test(principal.sub)) return { marked: 0 };
    const { where, params } = matching(principal.sub, { ...filter, unread: true });
    // TypeORM answers an UPDATE with [rows returned, rows affected].
    const [, marked] = await this.db.query(`UPDATE notifications SET read_at = now() WHERE ${where}`, params);
    return { marked: Number(marked) };
  }

  /** Marks one of the caller's notifications as read; marking it again keeps the first time. */
  @Post(':id/read')
  @HttpCode(200)
  @ApiOperation({ summary: "Mark one of the caller's notifications read" })
  @Roles(...ROLES)
  @ApiOkResponse({ type: NotificationDto })
  @ApiErrors([404, 'no such notification addressed to the caller'])
  async markRead(@CurrentUser() principal: Principal, @Param('id') id: string): Promise<NotificationDto> {
    if (!UUID.test(id) || !UUID.test(principal.sub)) throw notFound('notification');
    const [rows] = await this.db.query(
      `UPDATE notifications SET read_at = COALESCE(read_at, now()) WHERE id = $1 AND recipient_id = $2 RETURNING ${COLUMNS}`,
      [id, principal.sub],
    );
    if (!rows?.length) throw notFound('notification');
    return toDto(rows[0]);
  }
}
