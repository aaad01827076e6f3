// Rewrites relative imports that leave their own part of the tree into path aliases:
// `'../../../../libs/domain/policy'` becomes `'@libs/domain/policy'`. Run it from anywhere with
// `node scripts/codemods/path-aliases.mjs [--check]`; a second run changes nothing (idempotent).
// --check lists what it would rewrite and exits 1 if anything, changing nothing.
//
// A part of the tree is one app (apps/api), one lib (libs/domain), workflows/, activities/,
// scripts/, bench/ or test/. Imports inside a part stay relative (`./x`, `../common/y`); imports
// into apps/*, libs/*, workflows/ or activities/ from another part take the alias. Only
// `import ... from`, `export ... from` and `import '...'` are rewritten: `require()`, `import()`
// and `jest.mock()` keep their paths, since SWC leaves them as written and Node would not know
// the alias at run time. The ESLint rule casework/prefer-path-alias (scripts/lint/casework-rules.mjs)
// uses aliasFor below to report the same imports.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Top-level directories whose files take part; packages/ are workspaces with their own rules. */
const SOURCE_DIRS = ['apps', 'libs', 'workflows', 'activities', 'scripts', 'bench', 'test'];
/** The aliased directories: tsconfig.json `paths`, .swcrc and libs/temporal/path-aliases.ts. */
const ALIASED = { apps: '@apps', libs: '@libs', workflows: '@workflows', activities: '@activities' };

/** The part of the tree a repository-relative path belongs to: `apps/api`, `libs/auth`, `workflows`, `test`. */
export function partOf(repoPath) {
  const [top, second] = repoPath.split('/');
  return (top === 'apps' || top === 'libs') && second ? `${top}/${second}` : top;
}

/**
 * The alias for `specifier` imported from `file` (absolute path), or undefined when it should stay
 * as it is: not relative, inside the importer's own part, or into a part without an alias.
 */
export function aliasFor(file, specifier, base = root) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const from = relative(base, file).split(sep).join('/');
  const target = relative(base, resolve(dirname(file), specifier))
    .split(sep)
    .join('/');
  if (target.startsWith('..')) return undefined;
  if (partOf(from) === partOf(target)) return undefined;
  const [top, ...rest] = target.split('/');
  const alias = ALIASED[top];
  if (!alias) return undefined;
  return rest.length ? `${alias}/${rest.join('/')}` : alias;
}

/** Static import and export declarations: `from '...'` and a bare `import '...'`. */
const DECLARATION = /(\bfrom\s+|^\s*import\s+)(['"])(\.{1,2}\/[^'"]*)\2/gm;

/** The file's text with its imports rewritten, and how many were. */
export function rewrite(file, text) {
  let count = 0;
  const out = text.replace(DECLARATION, (whole, lead, quote, specifier) => {
    const alias = aliasFor(file, specifier);
    if (!alias) return whole;
    count += 1;
    return `${lead}${quote}${alias}${quote}`;
  });
  return { text: out, count };
}

function* typeScriptFiles(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* typeScriptFiles(path);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) yield path;
  }
}

function main() {
  const check = process.argv.includes('--check');
  let files = 0;
  let imports = 0;
  for (const dir of SOURCE_DIRS) {
    for (const file of typeScriptFiles(join(root, dir))) {
      const before = readFileSync(file, 'utf8');
      const { text, count } = rewrite(file, before);
      if (count === 0) continue;
      files += 1;
      imports += count;
      if (check) console.log(`${relative(root, file)}: ${count} import(s) to alias`);
      else writeFileSync(file, text);
    }
  }
  console.error(`path-aliases: ${imports} import(s) in ${files} file(s) ${check ? 'would be rewritten' : 'rewritten'}`);
  if (check && imports > 0) process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
