// Shared tools for the hostile-input suites: a fingerprint of everything the database holds (so a
// refused request can be shown to have written nothing), the files under a content store, and
// fast-check arbitraries for the values attackers and broken clients send.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';

/** One seed for every property, printed on failure so a run can be replayed exactly. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261123);

const fingerprintSql = new WeakMap<DataSource, string>();

/**
 * Per table: its row count and the sum of its rows' xmin. An insert or delete changes the count;
 * an update writes a new row version with a new xmin, which changes the sum. Cheap enough to take
 * before and after every request of a property.
 */
export async function writeFingerprint(db: DataSource): Promise<Record<string, string>> {
  let sql = fingerprintSql.get(db);
  if (!sql) {
    // Not the rate limiter's windows: every request is counted there, refused or not (by design, so
    // that refusals count against the limit); that is bookkeeping, not anything the request changed.
    const tables: { tablename: string }[] = await db.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('migrations', 'rate_limit_windows') ORDER BY tablename`,
    );
    sql = tables
      .map(({ tablename }) => `SELECT '${tablename}' AS t, count(*)::text || ':' || coalesce(sum(xmin::text::bigint), 0)::text AS f FROM "${tablename}"`)
      .join(' UNION ALL ');
    fingerprintSql.set(db, sql);
  }
  const rows: { t: string; f: string }[] = await db.query(sql);
  return Object.fromEntries(rows.map((r) => [r.t, r.f]));
}

/** The tables whose fingerprint differs: what a request wrote. */
export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t]);
}

/** Every file under a directory (relative paths), for showing that no partial file is left. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, prefix: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path, `${prefix}${name}/`);
      else out.push(`${prefix}${name}`);
    }
  };
  walk(dir, '');
  return out.sort();
}

/** Text that breaks naive code: NUL, lone surrogates, control and bidi characters, huge, traversal, injection. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfffy',
    '\r\nInjected: header',
    '\u001b[31mred\u001b[0m',
    'evil\u202egnp.exe',
    '../../../../etc/passwd',
    '..',
    '%00',
    '%2e%2e%2f',
    "'; DROP TABLE allegations; --",
    '=HYPERLINK("http://evil.example","x")',
    '{{constructor.constructor("return process")()}}',
    '<script>alert(1)</script>',
    '\ufeff',
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
    'NaN',
    '1e309',
    '2026-02-30',
    '2026-11-01T10:00:00',
    '-1',
    'P',
    'PT',
    '00000000-0000-0000-0000-000000000000',
    '------------------------------------',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 10 }),
  fc.integer({ min: 200, max: 30_000 }).map((n) => 'x'.repeat(n)),
);

/** Anything JSON can carry in place of a field, including shapes no DTO expects. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(null, true, false, 0, -1, -0, 1.5, 1e308, -1e308, 2 ** 53 + 1, [], {}, [null], { $ne: null }, { __proto__: { polluted: true } }),
  fc.integer(),
  fc.double(),
  fc.array(hostileString, { maxLength: 3 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
  fc.integer({ min: 50, max: 1_000 }).map((depth) => nested(depth)),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A value nested `depth` levels deep, alternating arrays and objects. */
export function nested(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** Keys that attack prototypes, the ORM or the validator when copied onto an object. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'id',
    'authorityId',
    'status',
    'createdBy',
    'sha256',
    '',
    '\u0000',
    'a.b',
    '$where',
  ),
  hostileString,
);

export type Mutation = { kind: 'replace' | 'add' | 'drop'; key: string; value?: unknown };

/** Every path to a value inside a body, nested objects and arrays included (`location.ward`, `peopleInvolved.0.name`). */
export function fieldPaths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [[...prefix, key], ...fieldPaths(inner, [...prefix, key])]);
}

/**
 * A valid body with one thing wrong, at any depth: a field replaced by a hostile value, an extra
 * field (in the body or in a nested object), a field dropped, or the whole body replaced.
 */
export function mutatedBody(valid: Record<string, unknown>): fc.Arbitrary<{ body: unknown; mutation: Mutation | string }> {
  const paths = fieldPaths(valid);
  const objects = [[], ...paths.filter((p) => isObject(getAt(valid, p)))];
  const name = (path: string[]) => path.join('.');
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .tuple(fc.constantFrom(...paths), hostileValue)
        .map(([path, value]) => ({ body: setAt(valid, path, value), mutation: { kind: 'replace' as const, key: name(path), value } })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...objects), hostileKey, hostileValue)
        .map(([path, key, value]) => ({ body: setAt(valid, [...path, key], value), mutation: { kind: 'add' as const, key: name([...path, key]), value } })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...paths).map((path) => ({ body: setAt(valid, path, undefined), mutation: { kind: 'drop' as const, key: name(path) } })),
    },
    { weight: 1, arbitrary: hostileValue.map((body) => ({ body, mutation: 'whole body replaced' })) },
  );
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function getAt(value: unknown, path: string[]): unknown {
  return path.reduce<unknown>((v, key) => (isObject(v) ? v[key] : undefined), value);
}

/** A deep copy of `value` with `path` set (as an own property, even `__proto__`, as JSON.parse would) or, for undefined, removed. */
function setAt(value: unknown, path: string[], replacement: unknown): Record<string, unknown> {
  const copy = structuredClone(value) as Record<string, unknown>;
  const parent = getAt(copy, path.slice(0, -1)) as Record<string, unknown>;
  const key = path[path.length - 1];
  if (replacement === undefined) delete parent[key];
  else Object.defineProperty(parent, key, { value: replacement, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** What went over the wire, short enough to read in a failure message. */
export function describeInput(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
}
