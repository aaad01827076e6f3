// `npm run bench:history`: reading and verifying a long case history, and inclusion proofs on a
// long transparency log. Starts a throw-away stack (see bench/support.ts), then:
//
// 1. History. One allegation through POST /allegations (as staff@northshire), then BENCH_HISTORY_EVENTS
//    (default 10,000) audit events appended to its chain in one transaction that holds the
//    authority's log lock (as appendAuditEvent does): the chain is computed here with hashEvent
//    and inserted with multi-row INSERT … SELECT FROM unnest(…), with dense log_index values after
//    the authority's last one, each with its text in the history answer (history_json) rendered
//    by audit_event_json as the API's appends do. Then BENCH_HISTORY_REPS rounds (default 20, after 3 warm-up rounds)
//    of, in turn: the raw SQL select of the same rows over pg (the reference), GET
//    /allegations/:id/history with X-Access-Reason (as legal@northshire), and GET …/history/verify.
//    Each history read appends one history.read event, so the case grows by one a round. Each
//    answer must equal loadAuditEvents run here (timed, with JSON.stringify, as diagnostics).
// 2. Log. BENCH_LOG_EVENTS (default 1,000,000) events for the southvale authority, 1,000 per
//    case, with real chains (hashEvent) and log_index 0..n-1, inserted the same way in chunks; the
//    tree head is also computed here leaf by leaf (TreeBuilder). Then the subtree cache is built
//    (extendSubtreeCache, timed), its tree head compared with ours, and inclusionProofAt run for
//    random leaves for BENCH_PROOF_SECONDS (default 10), verifying every 10th proof with
//    libs/merkle verifyInclusion against that head.
//
// CHECKPOINT_EVERY is set to P1D for the worker so no scheduled checkpoint grows the cache under
// the measurement. Progress and figures go to stderr; the last stdout line is one JSON object.
// Exits 1 on any failed request, invalid chain or proof, after stopping everything.
import 'reflect-metadata';
import { randomBytes, randomInt } from 'node:crypto';
import http from 'node:http';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { Client } from 'pg';
import { findDemoUser } from '@libs/auth';
import { hashBytes, leafHash, toHex, TreeBuilder, verifyInclusion } from '@libs/merkle';
import { auditLogLockKey, createDataSource, GENESIS_HASH, hashEvent, loadAuditEvents, type AuditEvent, type AuditEventInput } from '@libs/persistence';
import { extendSubtreeCache, inclusionProofAt, treeHeadAt } from '@libs/transparency';
import { PostgresCpu, procStat } from './samplers';
import { allegationBody, demoToken, envInt, latencyStats, LatencyStats, round, runBenchmark, RunningStack, sayer, send, Stack } from './support';

const say = sayer('bench:history');
const stack = new Stack(say);

const INSERT_CHUNK = 5_000;
const LOG_AUTHORITY = 'southvale';
const EVENTS_PER_LOG_CASE = 1_000;

/** One audit_events row as written: the chain's event (libs/persistence/audit.ts), its case and authority, and its place in the authority's Merkle log. */
type Row = AuditEvent & Pick<AuditEventInput, 'caseId' | 'authorityId'> & { logIndex: number };

async function insertRows(db: Client, rows: Row[]): Promise<void> {
  for (let b = 0; b < rows.length; b += INSERT_CHUNK) {
    const batch = rows.slice(b, b + INSERT_CHUNK);
    await db.query(
      `INSERT INTO audit_events (case_id, authority_id, seq, at, actor, role, action, before, after, prev_hash, hash, log_index, history_json)
       SELECT e.*, audit_event_json(e.seq, e.at, e.actor, e.role, e.action, e.before, e.after, e.prev_hash, e.hash)
         FROM unnest($1::uuid[], $2::text[], $3::int[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::jsonb[], $10::text[], $11::text[], $12::bigint[])
           AS e (case_id, authority_id, seq, at, actor, role, action, before, after, prev_hash, hash, log_index)`,
      [
        batch.map((r) => r.caseId),
        batch.map((r) => r.authorityId),
        batch.map((r) => r.seq),
        batch.map((r) => r.at),
        batch.map((r) => r.actor),
        batch.map((r) => r.role),
        batch.map((r) => r.action),
        batch.map((r) => JSON.stringify(r.before ?? null)),
        batch.map((r) => JSON.stringify(r.after ?? null)),
        batch.map((r) => r.prevHash),
        batch.map((r) => r.hash),
        batch.map((r) => r.logIndex),
      ],
    );
  }
}

/** Builds the next `count` events of a chain from (seq, prevHash); returns them and the new head. */
function chainEvents(
  caseId: string,
  authorityId: string,
  firstSeq: number,
  prevHash: string,
  firstLogIndex: number,
  count: number,
  content: (i: number) => Pick<Row, 'actor' | 'role' | 'action' | 'before' | 'after'>,
  atMs: number,
): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) {
    const body = { seq: firstSeq + i, at: new Date(atMs + i).toISOString(), ...content(firstSeq + i) };
    const hash = hashEvent(caseId, prevHash, body);
    rows.push({ caseId, authorityId, ...body, prevHash, hash, logIndex: firstLogIndex + i });
    prevHash = hash;
  }
  return rows;
}

const ACTIONS = ['note.added', 'evidence.logged', 'status.changed', 'contact.recorded', 'review.noted'];

function caseEventContent(seq: number) {
  return {
    actor: randomUuidLike(seq),
    role: 'triage',
    action: ACTIONS[seq % ACTIONS.length],
    before: seq % 3 === 0 ? { status: 'triage', assignee: null } : null,
    after: {
      note: `Bench event ${seq}: follow-up call with the reporter about the postal votes collected at the care home.`,
      status: 'triage',
      tags: ['postal_vote', 'care_home'],
      at: seq,
    },
  };
}

function randomUuidLike(n: number): string {
  const hex = n.toString(16).padStart(12, '0').slice(-12);
  return `00000000-0000-4000-8000-${hex}`;
}

async function createCase(running: RunningStack): Promise<{ id: string; authorityId: string }> {
  const token = await demoToken(running.keys, 'staff@northshire');
  const agent = new http.Agent({ keepAlive: false });
  const result = await send(agent, new URL(running.baseUrl), {
    method: 'POST',
    path: '/allegations',
    headers: { authorization: `Bearer ${token}`, 'idempotency-key': `bench-history-${randomBytes(4).toString('hex')}` },
    body: allegationBody(0, { description: 'Bench allegation with a long history: a canvasser was seen collecting completed postal votes at a care home.' }),
  });
  agent.destroy();
  if (result.status !== 201) throw new Error(`POST /allegations answered ${result.status}: ${result.body.slice(0, 300)}`);
  return { id: (JSON.parse(result.body) as { id: string }).id, authorityId: findDemoUser('staff@northshire')!.authorityId! };
}

/** Appends `count` events to the case in one transaction under the authority's log lock. */
async function fillCase(db: Client, caseId: string, authorityId: string, count: number): Promise<void> {
  await db.query('BEGIN');
  try {
    await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [auditLogLockKey(authorityId)]);
    const [position] = (
      await db.query(
        `SELECT last.seq, last.hash, (SELECT COALESCE(MAX(log_index) + 1, 0) FROM audit_events WHERE authority_id = $2) AS log_index
           FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT seq, hash FROM audit_events WHERE case_id = $1 ORDER BY seq DESC LIMIT 1) last ON true`,
        [caseId, authorityId],
      )
    ).rows;
    const seq = position.seq !== null ? Number(position.seq) + 1 : 1;
    const prev = position.seq !== null ? (position.hash as string) : GENESIS_HASH;
    const rows = chainEvents(caseId, authorityId, seq, prev, Number(position.log_index), count, caseEventContent, Date.now() - count);
    await insertRows(db, rows);
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function fillLog(db: Client, total: number): Promise<{ root: Buffer; insertMs: number; generateMs: number }> {
  const [{ size }] = (await db.query('SELECT COALESCE(MAX(log_index) + 1, 0)::int AS size FROM audit_events WHERE authority_id = $1', [LOG_AUTHORITY])).rows;
  if (size !== 0) throw new Error(`the ${LOG_AUTHORITY} log is not empty (${size} events): run against a fresh database`);
  const builder = new TreeBuilder();
  const started = performance.now();
  let generateMs = 0;
  let caseId = '';
  let prevHash = GENESIS_HASH;
  let nextReport = 0.1;
  const baseMs = Date.now() - total;
  const CHUNK = 20_000;
  for (let from = 0; from < total; from += CHUNK) {
    const genStart = performance.now();
    const rows: Row[] = [];
    for (let i = from; i < Math.min(total, from + CHUNK); i++) {
      const seq = (i % EVENTS_PER_LOG_CASE) + 1;
      if (seq === 1) {
        caseId = randomUuidLike(i / EVENTS_PER_LOG_CASE).replace(/^00000000/, 'bbbbbbbb');
        prevHash = GENESIS_HASH;
      }
      const body = { seq, at: new Date(baseMs + i).toISOString(), actor: 'bench', role: 'triage', action: 'note.added', before: null, after: { n: i } };
      const hash = hashEvent(caseId, prevHash, body);
      rows.push({ caseId, authorityId: LOG_AUTHORITY, ...body, prevHash, hash, logIndex: i });
      builder.append(leafHash(hashBytes(hash)!));
      prevHash = hash;
    }
    generateMs += performance.now() - genStart;
    await insertRows(db, rows);
    const done = Math.min(total, from + CHUNK);
    if (done / total >= nextReport - 1e-9) {
      const secs = (performance.now() - started) / 1000;
      say(`log: ${done}/${total} events inserted (${Math.floor((done / total) * 100)}%), ${secs.toFixed(1)} s, ${Math.round(done / secs)} events/s`);
      while (done / total >= nextReport - 1e-9) nextReport += 0.1;
    }
  }
  await db.query('ANALYZE audit_events');
  return { root: builder.root(), insertMs: performance.now() - started, generateMs };
}

const fmt = (s: LatencyStats) => `median ${s.p50Ms.toFixed(1)} ms, p95 ${s.p95Ms.toFixed(1)} ms (n=${s.count})`;
const stat = (s: LatencyStats) => ({ medianMs: round(s.p50Ms, 2), p95Ms: round(s.p95Ms, 2) });

async function main(): Promise<number> {
  const historyEvents = envInt('BENCH_HISTORY_EVENTS', 10_000);
  const reps = envInt('BENCH_HISTORY_REPS', 20);
  const logEvents = envInt('BENCH_LOG_EVENTS', 1_000_000);
  const proofSeconds = envInt('BENCH_PROOF_SECONDS', 10);
  const problems: string[] = [];
  say(
    `history benchmark: a case of ${historyEvents} events, ${reps} rounds; a log of ${logEvents} events, proofs for ${proofSeconds} s; ${cpus().length} cores`,
  );

  const running = await stack.start({ log: say, logLevel: 'warn', env: { CHECKPOINT_EVERY: 'P1D' } });
  const db = new Client({ connectionString: running.databaseUrl });
  await db.connect();
  stack.add('pg client', () => db.end());
  const ds = await createDataSource({ url: running.databaseUrl, poolSize: 2, applicationName: 'casework-bench-history' }).initialize();
  stack.add('TypeORM data source', () => ds.destroy());

  // ---- 1. history of one case
  const theCase = await createCase(running);
  say(`case ${theCase.id} created through the API; appending ${historyEvents} events`);
  await new Promise((r) => setTimeout(r, 1_000)); // let the workflow write its first events
  let t = performance.now();
  await fillCase(db, theCase.id, theCase.authorityId, historyEvents);
  const fillMs = performance.now() - t;
  await db.query('ANALYZE audit_events');
  const [{ n: caseEvents }] = (await db.query('SELECT count(*)::int AS n FROM audit_events WHERE case_id = $1', [theCase.id])).rows;
  say(`case filled in ${(fillMs / 1000).toFixed(2)} s: ${caseEvents} events`);

  const token = await demoToken(running.keys, 'legal@northshire');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const base = new URL(running.baseUrl);
  const auth = { authorization: `Bearer ${token}` };
  const rawSql = 'SELECT seq, at, actor, role, action, before, after, prev_hash, hash FROM audit_events WHERE case_id = $1 ORDER BY seq';
  const raw: number[] = [];
  const hist: number[] = [];
  const ver: number[] = [];
  const inproc: number[] = [];
  const stringify: number[] = [];
  let historyBytes = 0;
  let lastVerify: { valid?: boolean; events?: number } = {};
  let historyCount = 0;
  // CPU per call, which the machine's load does not inflate as it does wall time: the API
  // process's CPU (utime + stime, /proc) around each history call, and this process's around
  // each raw select (pg parsing the rows into objects, the reference's work on the client side).
  const apiPid = running.services.find((s) => s.name === 'api')?.child.pid;
  const apiCpuS = () => (apiPid ? procStat(apiPid)?.cpuS : undefined);
  const benchCpuS = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  let apiHistoryCpuS = 0;
  let apiVerifyCpuS = 0;
  let benchRawCpuS = 0;
  let cpuMeasured = apiPid !== undefined;
  // PostgreSQL's CPU (all its processes, /proc) around each history call and each raw select:
  // the text PostgreSQL builds or sends for each, which the machine's load does not inflate.
  const postgresCpu = new PostgresCpu(running.postgresPid);
  let pgHistoryCpuS = 0;
  let pgRawCpuS = 0;
  let pgMeasured = postgresCpu.poll() !== undefined;
  for (let round_ = -3; round_ < reps; round_++) {
    if (stack.isStopping) throw new Error('interrupted; no figures');
    const pgRawFrom = postgresCpu.poll();
    const rawCpuFrom = benchCpuS();
    t = performance.now();
    const rows = (await db.query(rawSql, [theCase.id])).rows;
    const rawMs = performance.now() - t;
    const rawCpu = benchCpuS() - rawCpuFrom;
    const pgRawTo = postgresCpu.poll();
    const histCpuFrom = apiCpuS();
    const h = await send(agent, base, {
      method: 'GET',
      path: `/allegations/${theCase.id}/history`,
      headers: { ...auth, 'x-access-reason': 'benchmark of the history read' },
    });
    const histCpuTo = apiCpuS();
    const pgHistTo = postgresCpu.poll();
    if (pgRawFrom === undefined || pgRawTo === undefined || pgHistTo === undefined) pgMeasured = false;
    else if (round_ >= 0) {
      pgRawCpuS += pgRawTo - pgRawFrom;
      pgHistoryCpuS += pgHistTo - pgRawTo;
    }
    if (histCpuFrom === undefined || histCpuTo === undefined) cpuMeasured = false;
    else if (round_ >= 0) apiHistoryCpuS += histCpuTo - histCpuFrom;
    if (round_ >= 0) benchRawCpuS += rawCpu;
    if (h.status !== 200) problems.push(`GET history answered ${h.status}: ${h.body.slice(0, 200)}`);
    const verCpuFrom = apiCpuS();
    const v = await send(agent, base, { method: 'GET', path: `/allegations/${theCase.id}/history/verify`, headers: auth });
    const verCpuTo = apiCpuS();
    if (verCpuFrom !== undefined && verCpuTo !== undefined && round_ >= 0) apiVerifyCpuS += verCpuTo - verCpuFrom;
    if (v.status !== 200) problems.push(`GET history/verify answered ${v.status}: ${v.body.slice(0, 200)}`);
    // Diagnostic: the same read through TypeORM in this process (loadAuditEvents), no HTTP.
    t = performance.now();
    const loaded = await loadAuditEvents(ds.manager, theCase.id);
    const inprocMs = performance.now() - t;
    // The answer must be exactly the events loadAuditEvents gives (the verify call appends nothing).
    if (h.status === 200 && !isDeepStrictEqual(JSON.parse(h.body), loaded)) {
      const answer = JSON.parse(h.body) as unknown[];
      const at = answer.findIndex((e, i) => !isDeepStrictEqual(e, loaded[i]));
      problems.push(
        `the history answer differs from loadAuditEvents (${answer.length} and ${loaded.length} events; first at ${at}: ${JSON.stringify(answer[at])} against ${JSON.stringify(loaded[at])})`,
      );
    }
    // Diagnostic: serialising those events to JSON, as the API's answer does.
    t = performance.now();
    JSON.stringify(loaded);
    const stringifyMs = performance.now() - t;
    if (problems.length > 0) break;
    if (round_ >= 0) {
      raw.push(rawMs);
      hist.push(h.ms);
      ver.push(v.ms);
      inproc.push(inprocMs);
      stringify.push(stringifyMs);
    }
    historyBytes = Buffer.byteLength(h.body);
    historyCount = (JSON.parse(h.body) as unknown[]).length;
    lastVerify = JSON.parse(v.body);
    if (rows.length < historyEvents) problems.push(`the raw select returned ${rows.length} rows`);
  }
  agent.destroy();
  if (lastVerify.valid !== true) problems.push(`verify did not say valid: ${JSON.stringify(lastVerify)}`);
  const rawS = latencyStats(raw);
  const histS = latencyStats(hist);
  const verS = latencyStats(ver);
  const inprocS = latencyStats(inproc);
  const stringifyS = latencyStats(stringify);
  const ratio = histS.p50Ms / rawS.p50Ms;
  say(`history of ${historyCount} events (${(historyBytes / 1e6).toFixed(2)} MB of JSON):`);
  say(`  GET /allegations/:id/history         ${fmt(histS)}`);
  say(`  GET /allegations/:id/history/verify  ${fmt(verS)}; valid=${lastVerify.valid}, events=${lastVerify.events}`);
  say(`  raw SQL select over pg (reference)   ${fmt(rawS)}`);
  say(`  loadAuditEvents via TypeORM here      ${fmt(inprocS)} (diagnostic)`);
  say(`  JSON.stringify of those events here ${fmt(stringifyS)} (diagnostic)`);
  say(`  ratio history/raw (medians)          ${ratio.toFixed(2)} -> aim <= 2 (issue 15): ${ratio <= 2 ? 'met' : 'missed'}`);
  const apiCpuMsPerHistory = cpuMeasured && reps > 0 ? (apiHistoryCpuS * 1000) / reps : undefined;
  const benchCpuMsPerRaw = reps > 0 ? (benchRawCpuS * 1000) / reps : undefined;
  const apiCpuMsPerVerify = cpuMeasured && reps > 0 ? (apiVerifyCpuS * 1000) / reps : undefined;
  const pgCpuMsPerHistory = pgMeasured && reps > 0 ? (pgHistoryCpuS * 1000) / reps : undefined;
  const pgCpuMsPerRaw = pgMeasured && reps > 0 ? (pgRawCpuS * 1000) / reps : undefined;
  say(
    `  PostgreSQL CPU per call              ${pgCpuMsPerHistory === undefined ? 'n/a' : `${pgCpuMsPerHistory.toFixed(1)} ms per history call, ${pgCpuMsPerRaw!.toFixed(1)} ms per raw select`} (all its processes, 10 ms clock ticks, summed over ${reps})`,
  );
  say(
    `  CPU per call                         API ${apiCpuMsPerHistory === undefined ? 'n/a' : `${apiCpuMsPerHistory.toFixed(1)} ms`} per history call, ${apiCpuMsPerVerify === undefined ? 'n/a' : `${apiCpuMsPerVerify.toFixed(1)} ms`} per verify (10 ms clock ticks, summed over ${reps}); this process ${benchCpuMsPerRaw?.toFixed(1)} ms per raw select (pg's row parsing; PostgreSQL's own CPU is in both)`,
  );

  // ---- 2. the log and inclusion proofs
  say(`log: inserting ${logEvents} events for ${LOG_AUTHORITY} (${EVENTS_PER_LOG_CASE} per case)`);
  const filled = await fillLog(db, logEvents);
  say(`log: inserted in ${(filled.insertMs / 1000).toFixed(1)} s (${(filled.generateMs / 1000).toFixed(1)} s of it computing hashes here)`);
  say('log: building the subtree cache');
  t = performance.now();
  let lastReport = 0;
  await extendSubtreeCache(ds, LOG_AUTHORITY, logEvents, (cached) => {
    if (cached - lastReport >= logEvents / 10 || cached === logEvents) {
      lastReport = cached;
      say(`log: cache covers ${cached}/${logEvents} leaves, ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
  });
  const cacheMs = performance.now() - t;
  const [{ n: cachedNodes }] = (await db.query('SELECT count(*)::int AS n FROM merkle_subtrees WHERE authority_id = $1', [LOG_AUTHORITY])).rows;
  const head = await treeHeadAt(ds, LOG_AUTHORITY, logEvents);
  const headMatches = head.equals(filled.root);
  if (!headMatches) problems.push(`the cached tree head ${toHex(head)} differs from the one computed from the leaves ${toHex(filled.root)}`);
  say(
    `log: cache built in ${(cacheMs / 1000).toFixed(1)} s (${cachedNodes} subtrees); tree head ${toHex(head).slice(0, 16)}… ${headMatches ? 'matches' : 'DOES NOT MATCH'} the head computed from the leaves`,
  );

  say(`proofs: inclusionProofAt for random leaves for ${proofSeconds} s`);
  const proofMs: number[] = [];
  let verified = 0;
  let failedVerifications = 0;
  const proofStart = performance.now();
  const deadline = proofStart + proofSeconds * 1000;
  while (performance.now() < deadline) {
    if (stack.isStopping) throw new Error('interrupted; no figures');
    const leaf = randomInt(logEvents);
    const s = performance.now();
    const proof = await inclusionProofAt(ds, LOG_AUTHORITY, leaf, logEvents);
    proofMs.push(performance.now() - s);
    if (proofMs.length % 10 === 1) {
      verified += 1;
      if (!proof.rootHash.equals(head) || !verifyInclusion(leaf, logEvents, proof.leafHash, proof.auditPath, head)) failedVerifications += 1;
    }
  }
  const proofElapsed = performance.now() - proofStart;
  const proofS = latencyStats(proofMs);
  const proofsPerSecond = proofMs.length / (proofElapsed / 1000);
  if (failedVerifications > 0) problems.push(`${failedVerifications} of ${verified} sampled proofs did not verify`);
  say(
    `proofs: ${proofMs.length} in ${(proofElapsed / 1000).toFixed(1)} s: ${proofsPerSecond.toFixed(1)}/s, p50 ${proofS.p50Ms.toFixed(2)} ms, p99 ${proofS.p99Ms.toFixed(2)} ms; ${verified - failedVerifications}/${verified} sampled proofs verified`,
  );

  if (running.unexpectedExits.length > 0) problems.push(`the ${running.unexpectedExits.join(' and ')} exited during the run`);
  for (const p of problems) say(`FAILED: ${p}`);

  process.stdout.write(
    `${JSON.stringify({
      name: 'history',
      value: round(histS.p50Ms, 2),
      unit: 'ms',
      reference: round(rawS.p50Ms, 2),
      ratio: round(ratio, 3),
      aimMet: ratio <= 2,
      history: { events: historyCount, bytes: historyBytes, reps, ...stat(histS) },
      verify: { ...stat(verS), valid: lastVerify.valid === true },
      rawSelect: stat(rawS),
      apiCpuMsPerHistory: apiCpuMsPerHistory === undefined ? null : round(apiCpuMsPerHistory, 1),
      apiCpuMsPerVerify: apiCpuMsPerVerify === undefined ? null : round(apiCpuMsPerVerify, 1),
      benchCpuMsPerRawSelect: benchCpuMsPerRaw === undefined ? null : round(benchCpuMsPerRaw, 1),
      postgresCpuMsPerHistory: pgCpuMsPerHistory === undefined ? null : round(pgCpuMsPerHistory, 1),
      postgresCpuMsPerRawSelect: pgCpuMsPerRaw === undefined ? null : round(pgCpuMsPerRaw, 1),
      loadAuditEventsInProcess: stat(inprocS),
      stringifyInProcess: stat(stringifyS),
      caseFillMs: round(fillMs, 0),
      log: {
        events: logEvents,
        insertMs: round(filled.insertMs, 0),
        cacheBuildMs: round(cacheMs, 0),
        cachedSubtrees: cachedNodes,
        headMatches,
        proofs: proofMs.length,
        proofsPerSecond: round(proofsPerSecond, 1),
        proofP50Ms: round(proofS.p50Ms, 3),
        proofP99Ms: round(proofS.p99Ms, 3),
        proofsVerified: verified - failedVerifications,
        proofsSampled: verified,
      },
      cores: cpus().length,
      failures: problems.length,
    })}\n`,
  );
  return problems.length > 0 ? 1 : 0;
}

runBenchmark(stack, say, main);
