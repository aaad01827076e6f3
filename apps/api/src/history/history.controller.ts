import { Controller, Get, Headers, Inject, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiStandardErrors } from '../common/api-docs';
import { DataSource } from 'typeorm';
import type { Principal, Role } from '../../../../libs/auth/principal';
import { appendAuditEvent, loadAuditEvents, loadAuditEventsJson, verifyChain } from '../../../../libs/persistence';
import { AllegationsService } from '../allegations/allegations.service';
import { CurrentUser, Roles } from '../auth/decorators';
import { accessStatement } from '../common/access-reason';

const HISTORY_READERS: Role[] = ['legal', 'triage', 'returning_officer'];

@ApiTags('history')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller('allegations/:id/history')
export class HistoryController {
  constructor(@Inject(DataSource) private readonly db: DataSource, @Inject(AllegationsService) private readonly allegations: AllegationsService) {}

  /**
   * Every audit event of the case, in order. Reading a case history is itself recorded, with the
   * stated reason, in the same chain (Data Protection Act 2018 s.62 logging). The events go out
   * as PostgreSQL formatted them (libs/persistence loadAuditEventsJson), written to the response
   * in chunks, and only once the transaction that records the read has committed.
   */
  @Get()
  @ApiOperation({ summary: "Read a case's audit history (the read itself is recorded, with its reason)" })
  @Roles(...HISTORY_READERS)
  @ApiHeader({ name: 'X-Access-Reason', required: true, description: 'why the history is being read; recorded in the audit chain' })
  @ApiHeader({ name: 'X-Disclosed-To', required: false, description: 'who receives it, when not the reader; recorded in the audit chain' })
  @ApiOkResponse({ description: 'the events in order: [{ seq, at, actor, role, action, before, after, prevHash, hash }]' })
  async history(@CurrentUser() principal: Principal, @Param('id') id: string, @Res() res: Response, @Headers('x-access-reason') reason?: string, @Headers('x-disclosed-to') recipient?: string) {
    const access = accessStatement(reason, recipient, principal.name ?? principal.sub);
    const allegation = await this.allegations.findVisible(principal, id, HISTORY_READERS);
    const chunks = await this.db.transaction(async (m) => {
      await appendAuditEvent(m, {
        caseId: allegation.id,
        authorityId: allegation.authorityId,
        actor: principal.sub,
        role: HISTORY_READERS.find((r) => principal.roles.includes(r))!,
        action: 'history.read',
        after: { reason: access.reason, recipient: access.recipient, disclosed: 'case history' },
      });
      return loadAuditEventsJson(m, allegation.id);
    });
    res.status(200).type('application/json');
    for (const chunk of chunks) res.write(chunk);
    res.end();
  }

  /** Recomputes the hash chain; names the first event that was edited or removed. */
  @Get('verify')
  @ApiOperation({ summary: "Verify a case history's hash chain" })
  @Roles(...HISTORY_READERS)
  async verify(@CurrentUser() principal: Principal, @Param('id') id: string) {
    const allegation = await this.allegations.findVisible(principal, id, HISTORY_READERS);
    return verifyChain(allegation.id, await loadAuditEvents(this.db.manager, allegation.id));
  }
}
