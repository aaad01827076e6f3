// The Merkle log over every audit event of an authority: dense log positions under concurrent
// appends, signed checkpoints (by request and by Schedule), public proofs that verify with
// libs/merkle alone and forgeries that do not, clear 4xx for bad requests, and a case history cut
// short in SQL caught against a checkpoint signed before.
import { createHash, randomUUID } from 'node:crypto';
import { ensureWorkerSchedules, workerScheduleIds } from '@apps/worker/src/schedules';
import { DataSource } from 'typeorm';
import { appendAuditEvent, createDataSource, loadAuditEvents, migrate, verifyChain } from '@libs/persistence';
import { MIGRATIONS } from '@libs/persistence/migrations';
import { MerkleLog1764493200000 } from '@libs/persistence/migrations/1764493200000-MerkleLog';
import { createTestDatabase } from './support/database';
import { leafHash, rootFromLeafHashes, verifyCheckpoint, verifyConsistency, verifyInclusion, type Checkpoint } from '@libs/merkle';
import { checkLogAgainstCheckpoint } from '@libs/transparency';
import { allegationBody, eventually, startTestStack, TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  if (!stack) return;
  for (const id of Object.values(workerScheduleIds(stack.taskQueue)))
    await stack.temporal.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined);
  await stack.close();
});

type Json = Record<string, any>;
const as = async (username: string) => `Bearer ${await stack.token(username)}`;
const flip = (hex: string, at = 0) => hex.slice(0, at) + (parseInt(hex[at], 16) ^ 1).toString(16) + hex.slice(at + 1);

async function logCase(user = 'staff@northshire'): Promise<string> {
  return (
    await stack.http
      .post('/allegations')
      .set('Authorization', await as(user))
      .send(allegationBody())
      .expect(201)
  ).body.id;
}

async function issue(user = 'legal@northshire'): Promise<Checkpoint> {
  return (
    await stack.http
      .post('/transparency/checkpoints')
      .set('Authorization', await as(user))
      .expect(201)
  ).body;
}

async function leaves(authorityId: string): Promise<{ case_id: string; seq: number; hash: string; log_index: string }[]> {
  return stack.db.query('SELECT case_id, seq, hash, log_index FROM audit_events WHERE authority_id = $1 ORDER BY log_index', [authorityId]);
}

async function publicKey(authorityId: string): Promise<Json> {
  return (await stack.http.get(`/transparency/${authorityId}/public-key`).expect(200)).body;
}

describe('the migration', () => {
  it('numbers the events already there per authority, in (at, case id, seq) order, and later appends follow on; their history texts are filled in', async () => {
    const database = await createTestDatabase();
    const before = new DataSource({ type: 'postgres', url: database.url, migrations: MIGRATIONS.slice(0, MIGRATIONS.indexOf(MerkleLog1764493200000)) });
    await before.initialize();
    const [x, y] = ['00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b'];
    try {
      await before.runMigrations({ transaction: 'each' });
      await before.query(
        "INSERT INTO police_forces (id, name) VALUES ('f', 'Force'); INSERT INTO authorities (id, name, reference_prefix, force_id) VALUES ('a', 'A', 'A', 'f'), ('b', 'B', 'B', 'f')",
      );
      // (case, authority, seq, at): two events of different cases at the same moment are ordered by case id
      const events: [string, string, number, string][] = [
        [y, 'a', 1, '2026-01-01T10:00:00Z'],
        [x, 'a', 1, '2026-01-01T10:00:00Z'],
        [x, 'a', 2, '2026-01-01T09:00:00Z'],
        [y, 'a', 2, '2026-01-02T00:00:00Z'],
        [randomUUID(), 'b', 1, '2025-12-31T00:00:00Z'],
      ];
      for (const [caseId, authorityId, seq, at] of events) {
        await before.query(
          "INSERT INTO audit_events (case_id, authority_id, seq, at, actor, role, action, prev_hash, hash) VALUES ($1, $2, $3, $4, 'x', 'system', 'old', $5, $5)",
          [caseId, authorityId, seq, at, '0'.repeat(64)],
        );
      }
    } finally {
      await before.destroy();
    }
    const after = await createDataSource({ url: database.url, poolSize: 2 }).initialize();
    try {
      await migrate(after);
      const numbered = await after.query('SELECT authority_id, case_id, seq, log_index::int FROM audit_events ORDER BY authority_id, log_index');
      expect(numbered.map((r: Json) => [r.authority_id, r.case_id.slice(-1), r.seq, r.log_index])).toEqual([
        ['a', 'a', 2, 0],
        ['a', 'a', 1, 1],
        ['a', 'b', 1, 2],
        ['a', 'b', 2, 3],
        ['b', expect.any(String), 1, 0],
      ]);
      // Each event's text in the history answer is filled in too (AuditHistoryJson1764963000000): what loadAuditEvents gives, as JSON.
      for (const caseId of [x, y]) {
        const texts = await after.query('SELECT history_json FROM audit_events WHERE case_id = $1 ORDER BY seq', [caseId]);
        expect(texts.map((r: Json) => JSON.parse(r.history_json))).toEqual(await loadAuditEvents(after.manager, caseId));
      }
      await after.transaction((m) => appendAuditEvent(m, { caseId: randomUUID(), authorityId: 'a', actor: 'x', role: 'system', action: 'new' }));
      expect((await after.query("SELECT max(log_index)::int AS n FROM audit_events WHERE authority_id = 'a'"))[0].n).toBe(4);
    } finally {
      await after.destroy();
      await database.drop();
    }
  });
});

describe('log positions', () => {
  it('are dense and unique per authority under concurrent appends across cases, and multi-case appends do not deadlock', async () => {
    const cases = Array.from({ length: 12 }, () => randomUUID());
    const append = (caseId: string, authorityId: string, m: Parameters<typeof appendAuditEvent>[0]) =>
      appendAuditEvent(m, { caseId, authorityId, actor: 'test', role: 'system', action: 'test.appended' });
    await Promise.all([
      // single appends, several at once in each case
      ...cases.flatMap((caseId) => [0, 1, 2].map(() => stack.db.transaction((m) => append(caseId, 'northshire', m)))),
      // transactions appending to two cases, in opposite orders
      ...[0, 1, 2, 3, 4, 5].map((i) =>
        stack.db.transaction(async (m) => {
          const [a, b] = i % 2 === 0 ? [cases[0], cases[1]] : [cases[1], cases[0]];
          await append(a, 'northshire', m);
          await append(b, 'northshire', m);
        }),
      ),
      // the other authority's log, at the same time
      ...cases.slice(0, 4).map(() => stack.db.transaction((m) => append(randomUUID(), 'southvale', m))),
      // and allegations through the API
      ...[0, 1, 2].map(() => logCase()),
    ]);
    for (const authorityId of ['northshire', 'southvale']) {
      const rows = await leaves(authorityId);
      expect(rows.map((r) => Number(r.log_index))).toEqual(rows.map((_, i) => i));
    }
    for (const caseId of cases) {
      const events = await loadAuditEvents(stack.db.manager, caseId);
      expect(verifyChain(caseId, events)).toMatchObject({ valid: true });
    }
    expect((await loadAuditEvents(stack.db.manager, cases[0])).length).toBe(3 + 6);
  });
});

describe('checkpoints and proofs', () => {
  it('signs checkpoints that verify with the published key, and not once a byte changes', async () => {
    await stack.http.post('/transparency/checkpoints').expect(401);
    await stack.http
      .post('/transparency/checkpoints')
      .set('Authorization', await as('staff@northshire'))
      .expect(403);
    await logCase();
    const checkpoint = await issue('admin@northshire');
    const rows = await leaves('northshire');
    expect(checkpoint).toMatchObject({ authorityId: 'northshire', treeSize: rows.length });
    expect(checkpoint.rootHash).toBe(rootFromLeafHashes(rows.map((r) => leafHash(Buffer.from(r.hash, 'hex')))).toString('hex'));
    expect((await stack.http.get('/transparency/northshire/checkpoints/latest').expect(200)).body).toEqual(checkpoint);

    const key = await publicKey('northshire');
    expect(key).toEqual({
      authorityId: 'northshire',
      keyId: checkpoint.keyId,
      algorithm: 'Ed25519',
      publicKey: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      publicKeyPem: expect.stringContaining('BEGIN PUBLIC KEY'),
      noteKeyName: 'election-casework/northshire',
      vkey: expect.any(String),
    });
    // The signed-note verifier key: name, SHA-256(name || 0x0A || 0x01 || key)[:4] in hex, base64(0x01 || key).
    const raw = Buffer.from(key.publicKey, 'base64');
    expect(key.vkey).toBe(
      `election-casework/northshire+${createHash('sha256').update('election-casework/northshire\n\x01').update(raw).digest('hex').slice(0, 8)}+${Buffer.concat([Buffer.from([1]), raw]).toString('base64')}`,
    );
    expect(verifyCheckpoint(checkpoint, key.publicKey)).toBe(true);
    expect(verifyCheckpoint(checkpoint, key.publicKeyPem)).toBe(true);
    const signature = Buffer.from(checkpoint.signature, 'base64');
    for (const at of [0, 31, 63]) {
      const forged = Buffer.from(signature);
      forged[at] ^= 0x01;
      expect(verifyCheckpoint({ ...checkpoint, signature: forged.toString('base64') }, key.publicKey)).toBe(false);
    }
    expect(verifyCheckpoint({ ...checkpoint, rootHash: flip(checkpoint.rootHash, 10) }, key.publicKey)).toBe(false);
    expect(verifyCheckpoint({ ...checkpoint, treeSize: checkpoint.treeSize - 1 }, key.publicKey)).toBe(false);
  });

  it('gives inclusion proofs for every event that verify against the signed head, and forged ones that do not', async () => {
    const checkpoint = (await stack.http.get('/transparency/northshire/checkpoints/latest').expect(200)).body as Checkpoint;
    const rows = (await leaves('northshire')).slice(0, checkpoint.treeSize);
    for (const row of rows) {
      const res = await stack.http.get('/transparency/northshire/proofs/inclusion').query({ caseId: row.case_id, seq: row.seq }).expect(200);
      const proof = res.body;
      // Hashes, sizes and positions only: nothing of what the event says.
      expect(Object.keys(proof).sort()).toEqual(['auditPath', 'authorityId', 'caseId', 'checkpoint', 'leafHash', 'leafIndex', 'rootHash', 'seq', 'treeSize']);
      expect(proof).toMatchObject({ leafIndex: Number(row.log_index), treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash, checkpoint });
      expect(proof.leafHash).toBe(leafHash(Buffer.from(row.hash, 'hex')).toString('hex'));
      expect(verifyInclusion(proof.leafIndex, proof.treeSize, proof.leafHash, proof.auditPath, checkpoint.rootHash)).toBe(true);
    }
    const { body: proof } = await stack.http.get('/transparency/northshire/proofs/inclusion').query({ caseId: rows[3].case_id, seq: rows[3].seq }).expect(200);
    const path: string[] = proof.auditPath;
    const forgeries: [string, number, number, string, string[]][] = [
      ['a flipped bit', proof.leafIndex, proof.treeSize, proof.leafHash, [flip(path[0], 5), ...path.slice(1)]],
      ['a dropped node', proof.leafIndex, proof.treeSize, proof.leafHash, path.slice(0, -1)],
      ['an extra node', proof.leafIndex, proof.treeSize, proof.leafHash, [...path, checkpoint.rootHash]],
      ['another index', proof.leafIndex + 1, proof.treeSize, proof.leafHash, path],
      ['an index past the tree', proof.treeSize, proof.treeSize, proof.leafHash, path],
      ['another leaf', proof.leafIndex, proof.treeSize, leafHash(Buffer.from(rows[4].hash, 'hex')).toString('hex'), path],
    ];
    for (const [what, index, size, leaf, forged] of forgeries)
      expect([what, verifyInclusion(index, size, leaf, forged, checkpoint.rootHash)]).toEqual([what, false]);
  });

  it('gives consistency proofs between checkpoints that verify, and forged ones that do not', async () => {
    const first = (await stack.http.get('/transparency/northshire/checkpoints/latest').expect(200)).body as Checkpoint;
    await logCase();
    const second = await issue();
    expect(second.treeSize).toBeGreaterThan(first.treeSize);
    const { body } = await stack.http.get('/transparency/northshire/proofs/consistency').query({ from: first.treeSize, to: second.treeSize }).expect(200);
    expect(body).toEqual({
      authorityId: 'northshire',
      from: first.treeSize,
      to: second.treeSize,
      fromRootHash: first.rootHash,
      toRootHash: second.rootHash,
      proof: expect.any(Array),
    });
    const key = (await publicKey('northshire')).publicKey;
    expect(verifyCheckpoint(first, key) && verifyCheckpoint(second, key)).toBe(true);
    expect(verifyConsistency(first.treeSize, second.treeSize, body.proof, first.rootHash, second.rootHash)).toBe(true);
    const proof: string[] = body.proof;
    expect(verifyConsistency(first.treeSize, second.treeSize, [flip(proof[0], 7), ...proof.slice(1)], first.rootHash, second.rootHash)).toBe(false);
    expect(verifyConsistency(first.treeSize, second.treeSize, proof.slice(0, -1), first.rootHash, second.rootHash)).toBe(false);
    expect(verifyConsistency(first.treeSize, second.treeSize, [...proof, proof[0]], first.rootHash, second.rootHash)).toBe(false);
    expect(verifyConsistency(first.treeSize - 1, second.treeSize, proof, first.rootHash, second.rootHash)).toBe(false);
    expect(verifyConsistency(first.treeSize, second.treeSize, proof, second.rootHash, first.rootHash)).toBe(false);

    // Without `to`: up to the whole log. The same size: an empty proof.
    const whole = (await stack.http.get('/transparency/northshire/proofs/consistency').query({ from: first.treeSize }).expect(200)).body;
    expect(whole.to).toBe((await leaves('northshire')).length);
    expect(verifyConsistency(whole.from, whole.to, whole.proof, first.rootHash, whole.toRootHash)).toBe(true);
    const same = (await stack.http.get('/transparency/northshire/proofs/consistency').query({ from: second.treeSize, to: second.treeSize }).expect(200)).body;
    expect(same.proof).toEqual([]);

    // Newest first, in pages.
    const page1 = (await stack.http.get('/transparency/northshire/checkpoints').query({ limit: 1 }).expect(200)).body;
    expect(page1.items).toEqual([second]);
    const page2 = (await stack.http.get('/transparency/northshire/checkpoints').query({ limit: 1, cursor: page1.nextCursor }).expect(200)).body;
    expect(page2.items).toEqual([first]);
  });

  it('answers bad requests with a 400 or 404 naming what is wrong', async () => {
    const size = (await leaves('northshire')).length;
    const [event] = await leaves('northshire');
    const error = async (path: string, query: Record<string, unknown>, status: number, field?: string) => {
      const res = await stack.http.get(path).query(query).expect(status);
      expect(res.body).toMatchObject({ statusCode: status, error: expect.any(String), message: expect.any(String) });
      if (field) expect(res.body.details).toEqual([expect.objectContaining({ field })]);
      return res.body;
    };
    const inclusion = '/transparency/northshire/proofs/inclusion';
    const consistency = '/transparency/northshire/proofs/consistency';
    await error('/transparency/nowhere/checkpoints/latest', {}, 404);
    await error('/transparency/nowhere/proofs/consistency', { from: 0 }, 404);
    await error('/transparency/southvale/checkpoints/latest', {}, 404);
    await error(inclusion, { caseId: randomUUID(), seq: 1 }, 404);
    await error(inclusion, { caseId: event.case_id, seq: 99 }, 404);
    await error(inclusion, { caseId: 'not-a-uuid', seq: 1 }, 400, 'caseId');
    await error(inclusion, { caseId: event.case_id }, 400, 'seq');
    await error(inclusion, { caseId: event.case_id, seq: 0 }, 400, 'seq');
    await error(inclusion, { caseId: event.case_id, seq: 1, treeSize: size + 1 }, 400, 'treeSize');
    await error(inclusion, { caseId: event.case_id, seq: 1, treeSize: 'ten' }, 400, 'treeSize');
    const [late] = (await leaves('northshire')).slice(-1);
    await error(inclusion, { caseId: late.case_id, seq: late.seq, treeSize: Number(late.log_index) }, 400, 'treeSize');
    await error(consistency, {}, 400, 'from');
    await error(consistency, { from: 3, to: 2 }, 400, 'from');
    await error(consistency, { from: 1, to: size + 1 }, 400, 'to');
    await error(consistency, { from: size + 1 }, 400, 'from');
    await error(consistency, { from: -1 }, 400, 'from');
    await error('/transparency/northshire/checkpoints', { cursor: 'nonsense' }, 400, 'cursor');
    await error('/transparency/northshire/checkpoints', { limit: 0 }, 400, 'limit');
    await error('/transparency/northshire/public-key', { keyId: 'ffffffffffffffff' }, 404);
    // An explicit tree size that holds the event gives a proof against that size's head.
    const res = await stack.http.get(inclusion).query({ caseId: event.case_id, seq: 1, treeSize: 2 }).expect(200);
    expect(res.body.rootHash).toBe(
      rootFromLeafHashes((await leaves('northshire')).slice(0, 2).map((r) => leafHash(Buffer.from(r.hash, 'hex')))).toString('hex'),
    );
  });

  it('are in the OpenAPI document, the reads without a bearer token', async () => {
    const { paths } = (await stack.http.get('/docs/openapi.json').expect(200)).body;
    for (const path of [
      '/transparency/{authorityId}/checkpoints/latest',
      '/transparency/{authorityId}/checkpoints',
      '/transparency/{authorityId}/public-key',
      '/transparency/{authorityId}/proofs/inclusion',
      '/transparency/{authorityId}/proofs/consistency',
      '/transparency/{authorityId}/checkpoint.note',
      '/transparency/{authorityId}/vkey',
      '/transparency/{authorityId}/tlog/inclusion',
      '/transparency/{authorityId}/tlog/consistency',
    ]) {
      // The document's default is the bearer token; one empty requirement says none is needed.
      expect([path, paths[path]?.get?.security]).toEqual([path, [{}]]);
    }
    expect(paths['/transparency/checkpoints'].post.security).toEqual([{ bearer: [] }]);
  });

  it('signs checkpoints on the Schedule, for logs that grew', async () => {
    await logCase();
    const size = (await leaves('northshire')).length;
    await ensureWorkerSchedules(stack.temporal, {
      taskQueue: stack.taskQueue,
      integrityEvery: 'P1D',
      retentionReviewEvery: 'P1D',
      emailRetryEvery: 'P1D',
      checkpointEvery: 'PT1S',
    });
    const latest = await eventually(
      'a scheduled checkpoint of the grown log',
      async () => {
        const res = await stack.http.get('/transparency/northshire/checkpoints/latest');
        return res.status === 200 && res.body.treeSize >= size && (res.body as Checkpoint);
      },
      30_000,
    );
    expect(verifyCheckpoint(latest, (await publicKey('northshire')).publicKey)).toBe(true);
    // A log that did not grow gets no new checkpoint on the next runs.
    const count = async () => Number((await stack.db.query("SELECT count(*) AS n FROM transparency_checkpoints WHERE authority_id = 'southvale'"))[0].n);
    const southvale = await eventually("southvale's first checkpoint", async () => (await count()) > 0, 30_000);
    const runs = async () => (await stack.temporal.schedule.getHandle(workerScheduleIds(stack.taskQueue).checkpoint).describe()).info.numActionsTaken;
    const before = await runs();
    await eventually('two more scheduled runs', async () => (await runs()) >= before + 2, 30_000);
    expect(await count()).toBe(Number(southvale));
    await stack.temporal.schedule.getHandle(workerScheduleIds(stack.taskQueue).checkpoint).delete();
  });
});

describe('a case history cut short in SQL', () => {
  it('is caught against a checkpoint signed before, though its own hash chain still verifies', async () => {
    const caseId = await logCase('staff@southvale');
    // Later events of the case: its history read twice, with reasons.
    for (const reason of ['disclosure review', 'court preparation']) {
      await stack.http
        .get(`/allegations/${caseId}/history`)
        .set('Authorization', await as('legal@southvale'))
        .set('X-Access-Reason', reason)
        .expect(200);
    }
    const other = await logCase('staff@southvale'); // another case, whose events come after them in the log
    const checkpoint = await issue('legal@southvale');
    const key = (await publicKey('southvale')).publicKey;
    expect(await checkLogAgainstCheckpoint(stack.db, checkpoint, key)).toMatchObject({
      ok: true,
      signatureValid: true,
      missingIndexes: [],
      recomputedRoot: checkpoint.rootHash,
      problems: [],
    });

    // The case's last two events go, in SQL.
    const events: Json[] = await stack.db.query('SELECT seq, log_index FROM audit_events WHERE case_id = $1 ORDER BY seq', [caseId]);
    const cut = events.slice(-2);
    await stack.db.query('DELETE FROM audit_events WHERE case_id = $1 AND seq >= $2', [caseId, cut[0].seq]);
    // The chain alone cannot tell: what is left still links up from genesis.
    expect(verifyChain(caseId, await loadAuditEvents(stack.db.manager, caseId))).toMatchObject({ valid: true });
    // The log can.
    const check = await checkLogAgainstCheckpoint(stack.db, checkpoint, key);
    expect(check).toMatchObject({
      ok: false,
      signatureValid: true,
      checkpointSize: checkpoint.treeSize,
      logSize: checkpoint.treeSize,
      missingIndexes: cut.map((e) => Number(e.log_index)),
      recomputedRoot: null,
    });
    expect(check.problems).toEqual([
      `2 of the ${checkpoint.treeSize} events the checkpoint signed are missing from the log, first at log index ${cut[0].log_index}`,
    ]);
    // The server refuses to sign over it, and cannot prove the events are there.
    const refused = await stack.http
      .post('/transparency/checkpoints')
      .set('Authorization', await as('legal@southvale'))
      .expect(409);
    expect(refused.body.details).toEqual([expect.objectContaining({ field: 'log' })]);
    await stack.http.get('/transparency/southvale/proofs/inclusion').query({ caseId, seq: cut[1].seq }).expect(404);

    // Then the newest events of the whole log go too: the log is now shorter than was signed.
    const newest: Json[] = await stack.db.query('SELECT log_index FROM audit_events WHERE case_id = $1 ORDER BY seq', [other]);
    expect(Number(newest[newest.length - 1].log_index)).toBe(checkpoint.treeSize - 1);
    await stack.db.query('DELETE FROM audit_events WHERE case_id = $1', [other]);
    const shorter = await checkLogAgainstCheckpoint(stack.db, checkpoint, key);
    // One past the highest index left: the cut events of the case may have been just before these.
    const [{ size }] = (await stack.db.query("SELECT MAX(log_index) + 1 AS size FROM audit_events WHERE authority_id = 'southvale'")).map((r: Json) => ({
      size: Number(r.size),
    }));
    expect(size).toBeLessThanOrEqual(Number(newest[0].log_index));
    expect(shorter).toMatchObject({
      ok: false,
      logSize: size,
      missingIndexes: [...cut.map((e) => Number(e.log_index)), ...newest.map((e) => Number(e.log_index))],
    });
    expect(shorter.problems[0]).toBe(`the log holds ${size} events; the checkpoint signed ${checkpoint.treeSize}`);
    const res = await stack.http.get('/transparency/southvale/proofs/consistency').query({ from: checkpoint.treeSize }).expect(400);
    expect(res.body.details).toEqual([{ field: 'from', problem: `is beyond the log (${size} events)` }]);
    // And a checkpoint signature that does not hold is reported as such.
    expect(await checkLogAgainstCheckpoint(stack.db, { ...checkpoint, signature: Buffer.alloc(64).toString('base64') }, key)).toMatchObject({
      signatureValid: false,
    });
  });
});
