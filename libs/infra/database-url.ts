// Finds the database for scripts run beside `npm start` (seed, token, migrate): DATABASE_URL when
// set; otherwise the embedded PostgreSQL in DATA_DIR, reusing it when `npm start` already runs
// it, or starting it for the duration of the script.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmbeddedPostgres } from './postgres';

export const EMBEDDED_DATABASE = 'casework';

export interface DatabaseHandle {
  url: string;
  /** stops the embedded server if this call started it */
  release(): Promise<void>;
}

export function embeddedPgDir(dataDir: string): string {
  return join(dataDir, 'postgres');
}

function runningEmbeddedPort(pgDir: string): number | undefined {
  const pidFile = join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  return Number(lines[3]) || undefined;
}

export async function openDatabase(dataDir: string, env = process.env, log: (line: string) => void = () => undefined): Promise<DatabaseHandle> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, release: async () => undefined };
  const pgDir = embeddedPgDir(dataDir);
  const port = runningEmbeddedPort(pgDir);
  if (port) return { url: `postgres://postgres:embedded@127.0.0.1:${port}/${EMBEDDED_DATABASE}`, release: async () => undefined };
  log(`starting embedded PostgreSQL in ${pgDir}`);
  const pg = await startEmbeddedPostgres({ dataDir: pgDir, persistent: true, database: EMBEDDED_DATABASE });
  return { url: pg.url, release: () => pg.stop() };
}
