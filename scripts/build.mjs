// Compiles every TypeScript source (apps, libs, workflows, activities, scripts, bench) to dist/
// with SWC. It takes about a second, so `npm start` and `npm test` always run it first and a
// fresh clone never runs stale JavaScript. Run directly (`node scripts/build.mjs [--quiet]`) or
// imported by scripts/launch.mjs.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** Compiles to dist/; returns the exit status (0 when it worked), having said why when not. */
export function build({ quiet = false } = {}) {
  const swc = require.resolve('@swc/cli/bin/swc.js');
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    [swc, 'apps', 'libs', 'workflows', 'activities', 'scripts', 'bench', '-d', 'dist', '--extensions', '.ts', '--quiet', '--ignore', '**/*.spec.ts'],
    { cwd: root, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit' },
  );
  if (result.status !== 0) {
    console.error('build failed: see the SWC errors above');
    return result.status ?? 1;
  }
  if (!quiet) console.error(`build: compiled to dist/ in ${Date.now() - started} ms`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const status = build({ quiet: process.argv.includes('--quiet') });
  if (status !== 0) process.exit(status);
}
