import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Merkle log over every audit event of an authority (RFC 6962 style, libs/merkle):
 *
 * - `audit_events.log_index`: the event's position in its authority's log, 0-based and dense.
 *   The leaf is the 32 bytes of the event's chain `hash` (which already covers the case id, the
 *   seq and the event), so the leaf hash is SHA-256(0x00 || hash bytes). Existing events are
 *   numbered in (at, case_id, seq) order per authority.
 * - `merkle_subtrees`: the hashes of complete subtrees of two leaves or more, a cache derived
 *   from the leaves (libs/transparency/log.ts), so that any proof reads O(log n) rows.
 *   `merkle_logs.cached_size` says how many leaves the cache covers.
 * - `transparency_checkpoints`: signed tree heads; `transparency_keys`: the public key of every
 *   key that signed one.
 */
export class MerkleLog1764493200000 implements MigrationInterface {
  name = 'MerkleLog1764493200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE audit_events ADD COLUMN log_index bigint;
      UPDATE audit_events e SET log_index = numbered.position
        FROM (SELECT id, row_number() OVER (PARTITION BY authority_id ORDER BY at, case_id, seq) - 1 AS position FROM audit_events) numbered
       WHERE e.id = numbered.id;
      ALTER TABLE audit_events ALTER COLUMN log_index SET NOT NULL;
      ALTER TABLE audit_events ADD CONSTRAINT audit_events_log_position UNIQUE (authority_id, log_index);

      CREATE TABLE merkle_logs (
        authority_id text PRIMARY KEY REFERENCES authorities(id),
        cached_size bigint NOT NULL DEFAULT 0
      );
      CREATE TABLE merkle_subtrees (
        authority_id text NOT NULL REFERENCES authorities(id),
        -- the subtree of 2^level leaves from leaf idx·2^level; leaves themselves (level 0) are read from audit_events
        level smallint NOT NULL CHECK (level > 0),
        idx bigint NOT NULL,
        hash bytea NOT NULL CHECK (octet_length(hash) = 32),
        PRIMARY KEY (authority_id, level, idx)
      );
      CREATE TABLE transparency_keys (
        key_id text PRIMARY KEY,
        -- base64 of the raw 32-byte Ed25519 public key
        public_key text NOT NULL,
        first_used_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE transparency_checkpoints (
        id bigserial PRIMARY KEY,
        authority_id text NOT NULL REFERENCES authorities(id),
        tree_size bigint NOT NULL CHECK (tree_size >= 0),
        root_hash text NOT NULL,
        issued_at timestamptz NOT NULL,
        key_id text NOT NULL REFERENCES transparency_keys(key_id),
        signature text NOT NULL
      );
      CREATE INDEX transparency_checkpoints_newest_idx ON transparency_checkpoints (authority_id, issued_at DESC, id DESC);
      CREATE INDEX transparency_checkpoints_size_idx ON transparency_checkpoints (authority_id, tree_size);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE transparency_checkpoints;
      DROP TABLE transparency_keys;
      DROP TABLE merkle_subtrees;
      DROP TABLE merkle_logs;
      ALTER TABLE audit_events DROP COLUMN log_index;
    `);
  }
}
