// `npm start` and `npm test` run through this: `exec node scripts/launch.mjs [--quiet] <dist script> [args]`
// builds (scripts/build.mjs) and then runs the compiled script in this same process, with `args`
// as its arguments. One process matters: npm runs a script as `sh -c "<script>"` and forwards
// SIGINT and SIGTERM to that shell, which does not pass them on (the old
// `node build.mjs && node dist/...` left `kill <npm pid>` unheard by start.js). With `exec` the
// shell becomes this process, and the build and the script share it, so the signal arrives here.
// CASEWORK_SKIP_BUILD=1 runs what is already in dist/ (for tests that drive `npm start` while
// other test files are using dist/, which a build would delete and rewrite).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build, root } from './build.mjs';

const args = process.argv.slice(2);
const quiet = args[0] === '--quiet';
if (quiet) args.shift();
const script = args.shift();
if (!script) {
  console.error('usage: node scripts/launch.mjs [--quiet] <script under dist/, e.g. scripts/start.js> [arguments]');
  process.exit(2);
}
const entry = join(root, 'dist', script);
if (process.env.CASEWORK_SKIP_BUILD === '1' && existsSync(entry)) {
  if (!quiet) console.error('build: skipped (CASEWORK_SKIP_BUILD=1); running what is in dist/');
} else {
  const status = build({ quiet });
  if (status !== 0) process.exit(status);
}
// The script sees itself as the program, with only its own arguments (as `node dist/<script>` would).
process.argv = [process.argv[0], entry, ...args];
createRequire(import.meta.url)(entry);
