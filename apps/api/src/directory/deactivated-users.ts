// Which users have been deactivated, for the token check on every request: the set is read at
// most every REFRESH_MS (one small query, whatever the traffic) and at once after this process
// deactivates someone. Another API process refuses a deactivated user's token within REFRESH_MS.
// When the database cannot be read, the last set read is used (none at first): the request goes
// on to its handler, which needs the database too and answers 503.
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '@libs/auth/principal';
import { DirectoryStore } from '@libs/persistence';

export const DEACTIVATION_REFRESH_MS = 5_000;

@Injectable()
export class DeactivatedUsers {
  private loaded: { at: number; keys: Promise<Set<string>> } | undefined;
  private lastKnown = new Set<string>();

  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Whether the principal is a deactivated user: by user id, or by username (a provider's subject may be one). */
  async refuses(principal: Principal): Promise<boolean> {
    const keys = await this.keys();
    return keys.has(`id:${principal.sub}`) || keys.has(`username:${principal.sub}`);
  }

  /** Forgets the set, so the next request reads it again (after a deactivation here). */
  invalidate(): void {
    this.loaded = undefined;
  }

  private keys(): Promise<Set<string>> {
    if (!this.loaded || Date.now() - this.loaded.at >= DEACTIVATION_REFRESH_MS) {
      const entry = {
        at: Date.now(),
        keys: new DirectoryStore(this.db).deactivatedUserKeys().then(
          ({ ids, usernames }) => (this.lastKnown = new Set([...ids.map((id) => `id:${id}`), ...usernames.map((u) => `username:${u}`)])),
          () => {
            if (this.loaded === entry) this.loaded = undefined;
            return this.lastKnown;
          },
        ),
      };
      this.loaded = entry;
    }
    return this.loaded.keys;
  }
}
