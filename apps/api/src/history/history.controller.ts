import { Controller, Get, Headers, Inject, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiStandardErrors } from '../common/api-docs';
import type { Principal } from '@libs/auth/principal';
import { CurrentUser, Roles } from '../auth/decorators';
import { HISTORY_READERS, HistoryService } from './history.service';

@ApiTags('history')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller('allegations/:id/history')
export class HistoryController {
  constructor(@Inject(HistoryService) private readonly histories: HistoryService) {}

  /**
   * Every audit event of the case, in order. Reading a case history is itself recorded, with the
   * stated reason, in the same chain (Data Protection Act 2018 s.62 logging): that record is
   * committed first, and only then are the events (that one included) streamed to the response
   * as their texts stored when each was appended (libs/persistence streamAuditEventsJson), a chunk
   * at a time.
   */
  @Get()
  @ApiOperation({ summary: "Read a case's audit history (the read itself is recorded, with its reason)" })
  @Roles(...HISTORY_READERS)
  @ApiHeader({ name: 'X-Access-Reason', required: true, description: 'why the history is being read; recorded in the audit chain' })
  @ApiHeader({ name: 'X-Disclosed-To', required: false, description: 'who receives it, when not the reader; recorded in the audit chain' })
  @ApiOkResponse({ description: 'the events in order: [{ seq, at, actor, role, action, before, after, prevHash, hash }]' })
  async history(
    @CurrentUser() principal: Principal,
    @Param('id') id: string,
    @Res() res: Response,
    @Headers('x-access-reason') reason?: string,
    @Headers('x-disclosed-to') recipient?: string,
  ) {
    let started = false;
    try {
      await this.histories.stream(principal, id, reason, recipient, (chunk) => {
        if (!started) res.status(200).type('application/json');
        started = true;
        if (res.destroyed) throw new Error('the client went away');
        if (!res.write(chunk))
          return new Promise<void>((resolve, reject) => {
            const done = (error?: Error) => {
              res.off('drain', done).off('close', gone);
              if (error) reject(error);
              else resolve();
            };
            const gone = () => done(new Error('the client went away'));
            res.once('drain', done).once('close', gone);
          });
      });
    } catch (error) {
      // Before the first chunk the error filter answers; after it, only a cut-off answer tells.
      if (!started) throw error;
      res.destroy();
      return;
    }
    res.end();
  }

  /**
   * Recomputes the hash chain and checks each event's stored text in the history answer against
   * its hashed content; names the first event that was edited or removed, or whose text differs.
   */
  @Get('verify')
  @ApiOperation({ summary: "Verify a case history's hash chain" })
  @Roles(...HISTORY_READERS)
  async verify(@CurrentUser() principal: Principal, @Param('id') id: string) {
    return this.histories.verify(principal, id);
  }
}
