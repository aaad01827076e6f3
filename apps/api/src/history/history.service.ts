import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal, Role } from '@libs/auth/principal';
import { appendAuditEvent, streamAuditEventsJson, verifyHistory } from '@libs/persistence';
import { AllegationsService } from '../allegations/allegations.service';
import { accessStatement } from '../common/access-reason';

export const HISTORY_READERS: Role[] = ['legal', 'triage', 'returning_officer'];

/** A case's audit history: its reads are recorded in the chain they read. */
@Injectable()
export class HistoryService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(AllegationsService) private readonly allegations: AllegationsService,
  ) {}

  /**
   * Records the read, with its reason, in the case's chain (Data Protection Act 2018 s.62 logging)
   * and commits it; then streams every event (that one included) to `write` as the texts stored
   * when each was appended (libs/persistence streamAuditEventsJson), a chunk at a time. `write` may return a promise
   * to hold the stream back while the client catches up.
   */
  async stream(principal: Principal, id: string, reason: string | undefined, recipient: string | undefined, write: (chunk: Buffer) => void | Promise<void>) {
    const access = accessStatement(reason, recipient, principal.name ?? principal.sub);
    const allegation = await this.allegations.findVisible(principal, id, HISTORY_READERS);
    await this.db.transaction((m) =>
      appendAuditEvent(m, {
        caseId: allegation.id,
        authorityId: allegation.authorityId,
        actor: principal.sub,
        role: HISTORY_READERS.find((r) => principal.roles.includes(r))!,
        action: 'history.read',
        after: { reason: access.reason, recipient: access.recipient, disclosed: 'case history' },
      }),
    );
    await streamAuditEventsJson(this.db, allegation.id, write);
  }

  /**
   * Recomputes the hash chain and checks each event's stored text in the history answer against
   * its hashed content (libs/persistence verifyHistory); names the first event that was edited or
   * removed, or whose text in the answer differs.
   */
  async verify(principal: Principal, id: string) {
    const allegation = await this.allegations.findVisible(principal, id, HISTORY_READERS);
    return verifyHistory(this.db.manager, allegation.id);
  }
}
