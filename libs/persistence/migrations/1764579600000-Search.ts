import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text search over an authority's allegations. `search` is a generated column, so it can
 * never drift from the row, and adding it computes it for every existing case (the backfill).
 * Weights: A the reference and the description, B the place and the people involved, C the
 * reporter's name and the offence category. The reference is indexed twice, as written (so
 * "NS-2026-00001" matches as a phrase) and split at its hyphens (so "00001" finds it too).
 * Only immutable functions may appear in a generated column: to_tsvector and
 * jsonb_to_tsvector with an explicit configuration are; the forms without one are not.
 */
export class Search1764579600000 implements MigrationInterface {
  name = 'Search1764579600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE allegations ADD COLUMN search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', reference), 'A') ||
        setweight(to_tsvector('english', replace(reference, '-', ' ')), 'A') ||
        setweight(to_tsvector('english', description), 'A') ||
        setweight(to_tsvector('english', coalesce(location->>'ward', '') || ' ' || coalesce(location->>'pollingDistrict', '') || ' ' || coalesce(location->>'pollingStation', '')), 'B') ||
        setweight(jsonb_to_tsvector('english', people_involved, '["string"]'), 'B') ||
        setweight(to_tsvector('english', coalesce(reporter->>'name', '')), 'C') ||
        setweight(to_tsvector('english', replace(category, '_', ' ')), 'C')
      ) STORED;
      CREATE INDEX allegations_search_idx ON allegations USING gin (search);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX allegations_search_idx;
      ALTER TABLE allegations DROP COLUMN search;
    `);
  }
}
