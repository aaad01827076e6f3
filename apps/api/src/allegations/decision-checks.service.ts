// What a decision's payload names must exist before the case's workflow is asked: the case it
// duplicates, the force and SPOC it refers to; and a case closes only with its evidence accounted
// for. The decisions controller asks these; the data is read through the stores.
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AllegationsStore } from '@libs/persistence/stores/allegations.store';
import { DirectoryStore } from '@libs/persistence/stores/directory.store';
import { PackagesStore } from '@libs/persistence/stores/packages.store';

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

  async forceExists(forceId: string): Promise<boolean> {
    return (await new DirectoryStore(this.db).findForce(forceId)) !== null;
  }

  isSpocOf(spocId: string, forceId: string): Promise<boolean> {
    return new DirectoryStore(this.db).isSpocOf(spocId, forceId);
  }
}
