// Names the pages show for ids the API gives them (a risk's owner, a case's force), and the
// forces a case can be referred to. The API has no route that lists the directory to every role,
// so the pages read it here, the one place in apps/web that touches the database for it.
// These two reads move into DirectoryStore (libs/persistence/stores/directory.store.ts, written
// on the admin-directory branch) when that lands; test/layers.spec.ts lists this file until then.
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

@Injectable()
export class DirectoryNames {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Every police force, by name. */
  forces(): Promise<{ id: string; name: string }[]> {
    return this.db.query('SELECT id, name FROM police_forces ORDER BY name');
  }

  /** "Display name (username)" for each user of the authority, by id. */
  async usersOf(authorityId: string): Promise<Map<string, string>> {
    const rows: { id: string; username: string; display_name: string }[] = await this.db.query('SELECT id, username, display_name FROM users WHERE authority_id = $1', [authorityId]);
    return new Map(rows.map((r) => [r.id, `${r.display_name} (${r.username})`]));
  }
}
