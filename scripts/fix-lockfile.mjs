// Run after changing dependencies: `node scripts/fix-lockfile.mjs`.
//
// The registry this project installs from serves only the platform binaries it needs (other
// platforms' optional packages, such as @swc/core-darwin-arm64, answer 404). npm then writes a
// lock without them, and `npm ci` rejects that lock as out of sync (npm/cli#9846). This script
// asks `npm ci --dry-run` which optional packages it misses and records each as a lock made
// where the registry serves them would: the version its parent pins, with `os` and `cpu` read
// from the package's name, so npm knows not to fetch it on this platform.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lockPath = join(root, 'package-lock.json');

function missingEntries() {
  const dir = mkdtempSync(join(tmpdir(), 'lockcheck-'));
  try {
    cpSync(join(root, 'package.json'), join(dir, 'package.json'));
    cpSync(lockPath, join(dir, 'package-lock.json'));
    const run = spawnSync('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8' });
    const names = [...run.stderr.matchAll(/Missing: (.+?)@\S* from lock file/g)].map((m) => m[1]);
    return { names, ok: run.status === 0, stderr: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (let round = 1; round <= 5; round++) {
  const { names, ok, stderr } = missingEntries();
  if (ok) {
    console.error(`fix-lockfile: npm ci accepts package-lock.json${round > 1 ? ' now' : ''}`);
    process.exit(0);
  }
  if (names.length === 0) {
    console.error(`fix-lockfile: npm ci refuses the lock for another reason:\n${stderr}`);
    process.exit(1);
  }
  const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
  const pinnedBy = new Map();
  for (const entry of Object.values(lock.packages)) {
    for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) pinnedBy.set(name, { spec, parent: entry });
  }
  for (const name of names) {
    const pin = pinnedBy.get(name);
    if (!pin) {
      console.error(`fix-lockfile: nothing in the lock pins ${name}; fix it by hand`);
      process.exit(1);
    }
    const base = name.split('/').pop();
    const os = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony', 'netbsd', 'openbsd', 'sunos', 'aix'].find((o) => base.includes(o));
    const cpu = ['arm64', 'x64', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64', 'arm', 'wasm32'].find((c) => new RegExp(`(^|-)${c}($|-)`).test(base));
    lock.packages[`node_modules/${name}`] = {
      version: pin.spec.replace(/^[\^~=]/, ''),
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(pin.parent.dev ? { dev: true } : {}),
      optional: true,
      ...(os ? { os: [os] } : {}),
    };
  }
  lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
  writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
  console.error(`fix-lockfile: recorded ${names.length} optional packages the registry does not serve`);
}
console.error('fix-lockfile: gave up after 5 rounds');
process.exit(1);
