// Names the pages show for ids the API gives them (a risk's owner, a case's force), and the
// forces a case can be referred to. The API has no route that lists the directory to every role,
// so the pages read it through the directory's store.
import { Inject, Injectable } from '@nestjs/common';
import { DirectoryStore } from '@libs/persistence/stores/directory.store';
import { DataSource } from 'typeorm';

@Injectable()
export class DirectoryNames {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Every police force, by name. */
  async forces(): Promise<{ id: string; name: string }[]> {
    return (await new DirectoryStore(this.db).listForces()).map((f) => ({ id: f.id, name: f.name }));
  }

  /** Every authority's name, by id: what a force's people see for the authority that shared with them. */
  async authorityNames(): Promise<Map<string, string>> {
    return new Map((await new DirectoryStore(this.db).listAuthorities()).map((a) => [a.id, a.name]));
  }

  /** The force's active users with a role, as "Display name (username)": who can be its SPOC or FEOA. */
  async forceUsersWith(forceId: string, role: 'spoc' | 'feoa'): Promise<{ value: string; text: string }[]> {
    return (await new DirectoryStore(this.db).listUsers({ forceId }))
      .filter((u) => u.active && u.roles.includes(role))
      .map((u) => ({ value: u.id, text: `${u.displayName} (${u.username})` }));
  }

  /** "Display name (username)" for each user of the authority, by id. */
  usersOf(authorityId: string): Promise<Map<string, string>> {
    return new DirectoryStore(this.db).userNamesOf(authorityId);
  }
}
