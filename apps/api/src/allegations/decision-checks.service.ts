// What a decision's payload names must exist before the case's workflow is asked: the case it
// duplicates, the force and SPOC it refers to; and a case closes only with its evidence accounted
// for. The decisions controller asks these; the data is read through the stores.
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AllegationsStore } from '../../../../libs/persistence/stores/allegations.store';
import { PackagesStore } from '../../../../libs/persistence/stores/packages.store';

@Injectable()
export class DecisionChecks {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Whether the authority has this case. */
  async isCaseOf(authorityId: string, caseId: string): Promise<boolean> {
    return (await new AllegationsStore(this.db).referenceOf(authorityId, caseId)) !== undefined;
  }

  /** The case's packages the police have not acknowledged yet, oldest first. */
  packagesInTransit(caseId: string): Promise<{ id: string; status: string }[]> {
    return new PackagesStore(this.db).notAcknowledged(caseId);
  }

  // The two directory reads below move into DirectoryStore (branch admin-directory) when it lands.

  async forceExists(forceId: string): Promise<boolean> {
    const [force] = await this.db.query('SELECT id FROM police_forces WHERE id = $1', [forceId]);
    return Boolean(force);
  }

  async isSpocOf(spocId: string, forceId: string): Promise<boolean> {
    const [spoc] = await this.db.query("SELECT id FROM users WHERE id = $1 AND force_id = $2 AND 'spoc' = ANY(roles)", [spocId, forceId]);
    return Boolean(spoc);
  }
}
