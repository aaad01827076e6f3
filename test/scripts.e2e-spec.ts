// The command-line entry points a newcomer uses: config validation at start-up, the token
// command, and reversible migrations.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createDataSource, migrate } from '@libs/persistence';
import { embeddedVerifier, keyFile, loadOrCreateSigningKeys } from '@libs/auth';
import { createTestDatabase } from './support/database';

const dist = resolve(__dirname, '../dist');
const run = (entry: string, args: string[], env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, [join(dist, entry), ...args], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 60_000 });

describe('configuration is validated at start-up', () => {
  it('the API stops with one line naming a bad value, and never prints the database password', () => {
    const res = run('apps/api/src/main.js', [], {
      DATABASE_URL: 'postgres://casework:s3cret-password@127.0.0.1:1/x',
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      PORT: 'eighty',
    });
    expect(res.status).toBe(1);
    const lines = res.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/PORT/);
    expect(res.stderr + res.stdout).not.toContain('s3cret-password');
  });

  it('the API names a missing DATABASE_URL; the worker names a malformed TEMPORAL_ADDRESS', () => {
    const api = run('apps/api/src/main.js', [], { TEMPORAL_ADDRESS: '127.0.0.1:7233' });
    expect(api.status).toBe(1);
    expect(api.stderr.trim()).toMatch(/^api: configuration error: DATABASE_URL is required$/);
    const worker = run('apps/worker/src/main.js', [], { DATABASE_URL: 'postgres://x@127.0.0.1/x', TEMPORAL_ADDRESS: 'not an address' });
    expect(worker.status).toBe(1);
    expect(worker.stderr.trim()).toMatch(/^worker: configuration error: TEMPORAL_ADDRESS must be host:port$/);
    const polls = run('apps/worker/src/main.js', [], {
      DATABASE_URL: 'postgres://x@127.0.0.1/x',
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      WORKER_NON_STICKY_POLL_PERCENT: '95',
    });
    expect(polls.status).toBe(1);
    expect(polls.stderr.trim()).toMatch(/^worker: configuration error: WORKER_NON_STICKY_POLL_PERCENT must be between 10 and 90$/);
  });
});

describe('npm run -s token', () => {
  let dataDir: string;
  beforeAll(() => (dataDir = mkdtempSync(join(tmpdir(), 'casework-token-'))));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses, naming the directory, when DATA_DIR has no signing key, and creates none', () => {
    const res = run('scripts/token.js', ['staff@northshire'], { DATA_DIR: dataDir });
    expect(res.status).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(`no signing key in ${dataDir}`);
    expect(res.stderr).toContain('--create-key');
    expect(existsSync(keyFile(dataDir))).toBe(false);
  });

  it('with --create-key makes the key, and then prints only a token that the key verifies, with the demo user’s role and tenant', async () => {
    const created = run('scripts/token.js', ['spoc@southvale-police', '--create-key'], { DATA_DIR: dataDir });
    expect(created.status).toBe(0);
    expect(existsSync(keyFile(dataDir))).toBe(true);
    const res = run('scripts/token.js', ['spoc@southvale-police'], { DATA_DIR: dataDir });
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const verify = embeddedVerifier(await loadOrCreateSigningKeys(dataDir));
    expect(await verify(res.stdout.trim())).toMatchObject({ roles: ['spoc'], forceId: 'southvale-police' });
    expect(await verify(created.stdout.trim())).toMatchObject({ roles: ['spoc'], forceId: 'southvale-police' });
  });

  it('refuses an unknown user, and refuses when an identity provider is configured', () => {
    const unknown = run('scripts/token.js', ['mallory@northshire'], { DATA_DIR: dataDir });
    expect(unknown.status).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain('staff@northshire');
    const idp = run('scripts/token.js', ['staff@northshire'], { DATA_DIR: dataDir, AUTH_JWKS_URL: 'https://idp.example/jwks' });
    expect(idp.status).toBe(2);
    expect(idp.stdout).toBe('');
    const typo = run('scripts/token.js', ['staff@northshire', '--create-kye'], { DATA_DIR: dataDir });
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('unknown option --create-kye');
  });
});

describe('migrations', () => {
  it('apply, revert completely, and apply again', async () => {
    const database = await createTestDatabase();
    const ds = await createDataSource({ url: database.url, poolSize: 2 }).initialize();
    try {
      expect((await migrate(ds)).length).toBeGreaterThan(0);
      const tables = async () =>
        (await ds.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'"))[0].n;
      expect(await tables()).toBeGreaterThan(5);
      while ((await ds.query('SELECT count(*)::int AS n FROM migrations'))[0].n > 0) await ds.undoLastMigration({ transaction: 'each' });
      expect(await tables()).toBe(0);
      expect((await migrate(ds)).length).toBeGreaterThan(0);
      expect(await tables()).toBeGreaterThan(5);
    } finally {
      await ds.destroy();
      await database.drop();
    }
  });
});
