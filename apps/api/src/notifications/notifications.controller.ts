import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiStandardErrors } from '../common/api-docs';
import { DataSource } from 'typeorm';
import { ROLES, type Principal } from '../../../../libs/auth/principal';
import { CurrentUser, Roles } from '../auth/decorators';

@ApiTags('notifications')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller('me/notifications')
export class NotificationsController {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Reminders, escalations and alerts addressed to the caller, newest first (the latest 200). */
  @Get()
  @ApiOperation({ summary: "List the caller's notifications, newest first" })
  @Roles(...ROLES)
  async list(@CurrentUser() principal: Principal) {
    // Users from an identity provider may have non-UUID subjects; they have no stored notifications yet.
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(principal.sub)) return [];
    const rows = await this.db.query(
      `SELECT id, kind, case_id, subject, body, created_at, read_at FROM notifications
       WHERE recipient_id = $1 ORDER BY created_at DESC, id DESC LIMIT 200`,
      [principal.sub],
    );
    return rows.map((r: Record<string, unknown>) => ({
      id: r.id,
      kind: r.kind,
      caseId: r.case_id,
      subject: r.subject,
      body: r.body,
      createdAt: new Date(r.created_at as string).toISOString(),
      readAt: r.read_at ? new Date(r.read_at as string).toISOString() : null,
    }));
  }
}
