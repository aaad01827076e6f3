// All SQL lives in the typed stores (libs/persistence/stores/, issue 19): services, activities,
// libs and web pages call a store, never `.query(` themselves. This lists every `.query(` call in
// the code that runs in production (apps/, activities/, libs/, workflows/) outside the stores and
// the migrations, and fails on any: every file has been converted to stores (issue 19). ESLint
// carries the same rule (no-restricted-syntax in eslint.config.mjs).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(__dirname, '..');
const SCANNED = ['apps', 'activities', 'libs', 'workflows'];
const SQL_HOMES = ['libs/persistence/stores/', 'libs/persistence/migrations/'];

/**
 * Not the application's tables: these create the databases themselves (before any schema exists)
 * on a raw pg client, as part of starting PostgreSQL and the Temporal server.
 */
const DATABASE_SERVER_SETUP = ['libs/infra/postgres.ts', 'libs/infra/temporal-server-postgres.ts'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return /\.ts$/.test(name) && !/\.(e2e-)?spec\.ts$/.test(name) ? [path] : [];
  });
}

/** `file:line` of each `.query(` call (a call on any receiver: db, m, manager, client, this.db). */
export function queryCalls(root = ROOT): Map<string, number[]> {
  const calls = new Map<string, number[]>();
  for (const path of SCANNED.flatMap((d) => sourceFiles(join(root, d)))) {
    const file = relative(root, path).split(sep).join('/');
    if (SQL_HOMES.some((home) => file.startsWith(home))) continue;
    const lines = readFileSync(path, 'utf8').split('\n');
    const found = lines.flatMap((text, i) => (/\.query\s*[<(]/.test(text.replace(/\/\/.*$/, '')) ? [i + 1] : []));
    if (found.length > 0) calls.set(file, found);
  }
  return calls;
}

describe('SQL lives in the stores (libs/persistence/stores)', () => {
  const calls = queryCalls();

  it('no `.query(` outside the stores and migrations', () => {
    const allowed = new Set(DATABASE_SERVER_SETUP);
    const offending = [...calls].filter(([file]) => !allowed.has(file)).flatMap(([file, lines]) => lines.map((line) => `${file}:${line}`));
    expect(offending).toEqual([]);
  });

  it('notices a call it should', () => {
    expect([...calls.keys()]).toEqual(expect.arrayContaining(DATABASE_SERVER_SETUP));
  });
});
