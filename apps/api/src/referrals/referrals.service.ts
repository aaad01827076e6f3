import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '@libs/auth/principal';
import { AllegationsStore } from '@libs/persistence/stores/allegations.store';
import { toAllegationView, type AllegationView } from '@libs/views/allegation';
import { ApiError } from '../common/api-error';
import { ListReferralsQuery, REFERRAL_QUEUE_STATUSES } from './dto/list-referrals.query';

@Injectable()
export class ReferralsService {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /**
   * The cases referred to the caller's force that it holds now: waiting for its answer (soonest
   * response deadline first) and then those it accepted (newest first). A case it returned, or
   * that was re-routed to another force, has left its queue; the force can still open it by id.
   */
  async list(principal: Principal, query: ListReferralsQuery): Promise<{ items: AllegationView[] }> {
    const forceId = principal.forceId;
    if (!forceId)
      throw new ApiError(HttpStatus.FORBIDDEN, 'referrals are listed for a police force; this token names none', [
        { field: 'forceId', problem: 'is missing from the token' },
      ]);
    // A pending referral has a response deadline; an accepted one has met it (NULL): pending first.
    const rows = await new AllegationsStore(this.db).referredTo(forceId, query.status ? [query.status] : [...REFERRAL_QUEUE_STATUSES], query.limit ?? 100);
    return { items: rows.map(toAllegationView) };
  }
}
