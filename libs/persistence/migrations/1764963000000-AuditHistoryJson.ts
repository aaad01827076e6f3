import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each audit event's text in a case history answer (`GET /allegations/:id/history`), rendered
 * once, when the event is appended, into `audit_events.history_json`, so that a history read
 * streams stored text instead of building 10,000 events' JSON on every read (issue 15).
 *
 * `audit_event_json(…)` is the one definition of that text: what the read built until now
 * (libs/persistence/stores/audit.store.ts), as JSON.stringify writes the event object of
 * loadAuditEvents except that `before` and `after` are their jsonb text. The store's insert calls
 * it with the values it inserts, and this migration fills the existing rows with it. The column
 * is not covered by the hash chain, so the verify of a history (libs/persistence/audit.ts
 * verifyHistory) renders each event again in the API, apart from this function
 * (renderHistoryJson), and compares it with the stored text byte for byte.
 *
 * The backfill is an UPDATE of an append-only table. audit_events has no trigger that refuses
 * it: it is append-only through the roles' grants (the API and worker roles have no UPDATE on
 * it, migration TenantIsolation1764666000000), and migrations run as the tables' owner. The
 * backfill writes only the new column, from the row's own columns, so no event changes.
 */
export class AuditHistoryJson1764963000000 implements MigrationInterface {
  name = 'AuditHistoryJson1764963000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_event_json(seq int, at timestamptz, actor text, role text, action text, before jsonb, after jsonb, prev_hash text, hash text)
      RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT '{"seq":' || seq || ',"at":"' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
          || '","actor":' || to_json(actor) || ',"role":' || to_json(role) || ',"action":' || to_json(action)
          || ',"before":' || COALESCE(before::text, 'null') || ',"after":' || COALESCE(after::text, 'null')
          || ',"prevHash":' || to_json(prev_hash) || ',"hash":' || to_json(hash) || '}'
      $$;
      ALTER TABLE audit_events ADD COLUMN history_json text;
      UPDATE audit_events SET history_json = audit_event_json(seq, at, actor, role, action, before, after, prev_hash, hash);
      ALTER TABLE audit_events ALTER COLUMN history_json SET NOT NULL;`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE audit_events DROP COLUMN history_json; DROP FUNCTION audit_event_json(int, timestamptz, text, text, text, jsonb, jsonb, text, text);',
    );
  }
}
