// Finds the Temporal CLI, whose `server start-dev` is the embedded Temporal server.
// Order: TEMPORAL_CLI_PATH; the versioned cache outside the repository; `go install` into that
// cache where Go exists. Where none of these serves, callers fall back to the Temporal SDK's own
// download (which needs the internet). Every step says what it is doing on stderr.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';

export function temporalCliCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.TEMPORAL_CLI_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'election-casework', 'temporal-cli');
  return join(base, TEMPORAL_CLI_VERSION);
}

function findGo(): string | undefined {
  for (const candidate of ['go', '/usr/local/go/bin/go']) {
    const probe = spawnSync(candidate, ['version'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

export class TemporalCliNotFound extends Error {}

/**
 * The path of a usable `temporal` binary, building it with Go when needed; undefined when
 * there is no binary and no Go (the caller then tries the SDK's download).
 */
export function findTemporalCli(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`), env = process.env): string | undefined {
  if (env.TEMPORAL_CLI_PATH) {
    if (!existsSync(env.TEMPORAL_CLI_PATH)) {
      throw new TemporalCliNotFound(`TEMPORAL_CLI_PATH is set to ${env.TEMPORAL_CLI_PATH}, but no file is there; unset it or point it at a temporal binary`);
    }
    return env.TEMPORAL_CLI_PATH;
  }
  const dir = temporalCliCacheDir(env);
  const cached = join(dir, 'temporal');
  if (existsSync(cached)) return cached;
  const go = findGo();
  if (!go) {
    log(`temporal: no CLI in ${dir} and no Go toolchain; falling back to the Temporal SDK's download (needs the internet)`);
    return undefined;
  }
  log(`temporal: building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${dir} (first run only; takes a few minutes)...`);
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const build = spawnSync(go, ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
    env: { ...env, GOBIN: dir, GOFLAGS: '-mod=mod' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (build.status !== 0 || !existsSync(cached)) {
    throw new TemporalCliNotFound(
      `temporal: building the CLI failed (go exit ${build.status}). Fix the Go error above, or download the Temporal CLI ${TEMPORAL_CLI_VERSION} yourself and set TEMPORAL_CLI_PATH, or set TEMPORAL_ADDRESS to a running Temporal server`,
    );
  }
  log(`temporal: built ${cached} in ${Math.round((Date.now() - started) / 1000)} s`);
  return cached;
}
