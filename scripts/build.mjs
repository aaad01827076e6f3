// Compiles every TypeScript source (apps, libs, workflows, activities, scripts, bench) to dist/
// with SWC. It takes about a second, so `npm start` and `npm test` always run it first and a
// fresh clone never runs stale JavaScript.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const require = createRequire(import.meta.url);
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
  process.exit(result.status ?? 1);
}
if (!quiet) console.error(`build: compiled to dist/ in ${Date.now() - started} ms`);
