// The intake drafts are the web front end's own state, not the API's (the API sees one
// POST /allegations at the end), so the pages keep them through a store rather than the API.
// Every call runs in the draft owner's tenant scope: the table is row-level secured to them.
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '@libs/auth/principal';
import { runInTenantScope } from '@libs/persistence';
import { IntakeDraftsStore, type IntakeDraft } from '@libs/persistence/stores/intake-drafts.store';

@Injectable()
export class IntakeDrafts {
  private readonly store: IntakeDraftsStore;

  constructor(@Inject(DataSource) db: DataSource) {
    this.store = new IntakeDraftsStore(db);
  }

  private asOwner<T>(owner: Principal, work: () => Promise<T>): Promise<T> {
    return runInTenantScope({ authorityId: owner.authorityId, userId: owner.sub }, work);
  }

  /** A new draft for the member of staff; abandoned drafts (a week untouched) go first. */
  async start(owner: Principal, id: string): Promise<void> {
    await runInTenantScope({ system: true }, () => this.store.deleteAbandoned());
    await this.asOwner(owner, () => this.store.insert(id, owner.sub, owner.authorityId));
  }

  find(owner: Principal, id: string): Promise<IntakeDraft | undefined> {
    return this.asOwner(owner, () => this.store.find(id, owner.sub));
  }

  saveAnswers(owner: Principal, id: string, answers: Record<string, unknown>): Promise<void> {
    return this.asOwner(owner, () => this.store.saveAnswers(id, answers));
  }

  submitted(owner: Principal, id: string, caseId: string): Promise<void> {
    return this.asOwner(owner, () => this.store.submitted(id, caseId));
  }
}
