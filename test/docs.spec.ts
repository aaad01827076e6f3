// The documentation must not send a reader somewhere that is not there. For README.md and every
// docs/**/*.md: each relative link names a file that exists (and, with `#anchor`, a heading in it,
// slugged as GitHub does); each `npm run <script>` / `npm test` / `npm start` in a code block or in
// inline code names a script in package.json; each repository path in inline code (apps/…,
// libs/…, test/…, docs/…) exists; every setting libs/config reads has a row in
// docs/operators/configuration.md, and every variable that page's tables name is read somewhere
// in the code. A failure lists every broken link, command, path and setting at once. No servers.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(__dirname, '..');

/** Links that leave the repository on purpose: the design brief and HTTP contract in ../shared/. */
const OUTSIDE_REPO_ALLOWED = /^\.\.\/shared\/[^/]+\.md$/;
/** Inline code that looks like a repository path. */
const REPO_PATH = /^(?:apps|libs|test|scripts|bench|docker|workflows|activities|packages|docs|\.ci)\/[^\s<>…]*$/;
/** Paths the reader creates, named in the docs as such (`docker/.env`: "in the shell or in `docker/.env`"). */
const PATHS_THE_READER_CREATES = new Set(['docker/.env']);
/** A file named in a command (a code block or inline code): `docker/compose.yaml`, `dist/scripts/token.js` (built from scripts/token.ts). */
const FILE_IN_COMMAND = /(?<![\w./-])((?:dist\/)?(?:apps|libs|test|scripts|bench|docker|workflows|activities|packages)\/[\w./-]*\.\w+)(?![\w/])/g;
const NPM_COMMAND = /\bnpm\s+(?:run(?:-script)?\s+(?:(?:-s|--silent)\s+)?([\w:.-]+)|(test|start)\b)/g;

export interface Markdown {
  /** lines outside fenced code blocks, with their 1-based numbers */
  prose: { line: number; text: string }[];
  /** the contents of fenced code blocks and of inline code spans, with their line numbers */
  code: { line: number; text: string; inline: boolean }[];
  headings: string[];
}

export function parseMarkdown(text: string): Markdown {
  const result: Markdown = { prose: [], code: [], headings: [] };
  let fence: string | null = null;
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const opener = /^\s{0,3}(`{3,}|~{3,})/.exec(raw);
    if (fence !== null) {
      if (opener && opener[1][0] === fence[0] && opener[1].length >= fence.length && raw.trim() === opener[1]) fence = null;
      else result.code.push({ line, text: raw, inline: false });
      return;
    }
    if (opener) {
      fence = opener[1];
      return;
    }
    for (const span of raw.matchAll(/(`+)(.+?)\1/g)) result.code.push({ line, text: span[2].trim(), inline: true });
    result.prose.push({ line, text: raw });
    const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(raw);
    if (heading) result.headings.push(heading[1]);
  });
  return result;
}

/** GitHub's heading anchors (github-slugger): the rendered text, lower-cased, punctuation dropped, spaces as hyphens, repeats numbered. */
export function slugs(headings: string[]): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const heading of headings) {
    const rendered = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
      .replace(/<[^>]+>/g, ''); // inline HTML tags
    const base = rendered
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base);
    const slug = n === undefined ? base : `${base}-${n}`;
    seen.set(base, (n ?? 0) + 1);
    out.add(slug);
  }
  return out;
}

/** `[text](target)` and `![alt](target)` in prose, inline code removed first. */
export function links(md: Markdown): { line: number; target: string }[] {
  const found: { line: number; target: string }[] = [];
  for (const { line, text } of md.prose) {
    const withoutCode = text.replace(/(`+)(.+?)\1/g, '');
    for (const m of withoutCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) found.push({ line, target: m[1] });
  }
  return found;
}

function exists(path: string): boolean {
  if (!path.includes('*')) return existsSync(path);
  const dir = dirname(path);
  if (dir.includes('*') || !existsSync(dir)) return false;
  const pattern = new RegExp(
    `^${basename(path)
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')}$`,
  );
  return readdirSync(dir).some((name) => pattern.test(name));
}

export function checkFile(root: string, file: string, text: string, scripts: Record<string, string>, headingsOf: (absolute: string) => Set<string>): string[] {
  const problems: string[] = [];
  const md = parseMarkdown(text);
  const here = `${relative(root, file).split(sep).join('/')}`;
  for (const { line, target } of links(md)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
    const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
    if (pathPart === '') {
      if (anchor !== undefined && !slugs(md.headings).has(decodeURIComponent(anchor)))
        problems.push(`${here}:${line}: link ${target}: ${here} has no heading #${anchor}`);
      continue;
    }
    const absolute = resolve(dirname(file), decodeURIComponent(pathPart));
    const fromRoot = relative(root, absolute).split(sep).join('/');
    if (fromRoot.startsWith('../')) {
      if (!OUTSIDE_REPO_ALLOWED.test(fromRoot)) problems.push(`${here}:${line}: link ${target} leaves the repository (${fromRoot})`);
      continue;
    }
    if (!existsSync(absolute)) {
      problems.push(`${here}:${line}: link ${target}: ${fromRoot} does not exist`);
      continue;
    }
    if (anchor !== undefined) {
      if (!absolute.endsWith('.md') || statSync(absolute).isDirectory())
        problems.push(`${here}:${line}: link ${target}: #${anchor} on a file that is not Markdown`);
      else if (!headingsOf(absolute).has(decodeURIComponent(anchor))) problems.push(`${here}:${line}: link ${target}: ${fromRoot} has no heading #${anchor}`);
    }
  }
  for (const { line, text: code, inline } of md.code) {
    for (const m of code.matchAll(NPM_COMMAND)) {
      const script = m[1] ?? m[2];
      if (!(script in scripts)) problems.push(`${here}:${line}: \`${m[0]}\`: package.json has no script "${script}"`);
    }
    if (!inline || !REPO_PATH.test(code)) {
      for (const m of code.matchAll(FILE_IN_COMMAND)) {
        const named = m[1];
        const source = named.startsWith('dist/') ? named.slice('dist/'.length).replace(/\.js$/, '.ts') : named;
        if (!PATHS_THE_READER_CREATES.has(source) && !existsSync(join(root, source))) {
          problems.push(`${here}:${line}: \`${named}\`${source === named ? '' : ` (built from ${source})`} does not exist`);
        }
      }
    }
    if (inline && REPO_PATH.test(code) && !PATHS_THE_READER_CREATES.has(code) && !exists(join(root, code))) {
      problems.push(`${here}:${line}: path \`${code}\` does not exist`);
    }
  }
  return problems;
}

function markdownFiles(root: string): string[] {
  const files = [join(root, 'README.md')];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) files.push(path);
    }
  };
  walk(join(root, 'docs'));
  return files;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|mjs|js|ya?ml|sh)$/.test(entry.name) || entry.name.startsWith('Dockerfile')) out.push(path);
  }
  return out;
}

describe('documentation', () => {
  const scripts: Record<string, string> = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts;
  const headingCache = new Map<string, Set<string>>();
  const headingsOf = (absolute: string) => {
    if (!headingCache.has(absolute)) headingCache.set(absolute, slugs(parseMarkdown(readFileSync(absolute, 'utf8')).headings));
    return headingCache.get(absolute)!;
  };

  it('has no broken relative link, #anchor, npm script or repository path in README.md and docs/', () => {
    const files = markdownFiles(ROOT);
    expect(files.length).toBeGreaterThan(10);
    const problems = files.flatMap((file) => checkFile(ROOT, file, readFileSync(file, 'utf8'), scripts, headingsOf));
    expect(problems).toEqual([]);
  });

  it('keeps the two commands a newcomer starts with in README.md', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });

  it('documents every setting libs/config reads in docs/operators/configuration.md, and only settings the code reads', () => {
    const configs = readFileSync(join(ROOT, 'libs/config/configs.ts'), 'utf8');
    const read = new Set([...configs.matchAll(/^\s+([A-Z][A-Z0-9_]+)\??\s*[:=]/gm)].map((m) => m[1]));
    expect(read.size).toBeGreaterThan(30);
    const page = readFileSync(join(ROOT, 'docs/operators/configuration.md'), 'utf8');
    const rows = page.split('\n').filter((l) => l.startsWith('|'));
    const documented = new Set(rows.flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1])));
    const undocumented = [...read]
      .filter((name) => !documented.has(name))
      .map((name) => `${name}: read by libs/config/configs.ts, no row in docs/operators/configuration.md`);
    const code = ['apps', 'libs', 'scripts', 'workflows', 'activities', 'packages', 'docker'].flatMap((d) => sourceFiles(join(ROOT, d)));
    const corpus = code
      .filter((f) => !f.endsWith('.spec.ts'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const unread = [...documented]
      .filter((name) => !new RegExp(`\\b${name}\\b`).test(corpus))
      .map((name) => `${name}: documented in docs/operators/configuration.md, read nowhere in the code`);
    expect([...undocumented, ...unread]).toEqual([]);
  });

  // The checks above must be able to fail.
  describe('the checker', () => {
    const file = join(ROOT, 'docs', 'example.md');
    const check = (text: string) => checkFile(ROOT, file, text, scripts, headingsOf);

    it('slugs headings as GitHub does', () => {
      expect([
        ...slugs([
          'Fault injection: `npm run test:faults`',
          'What `npm start` does',
          'Tests',
          'Tests',
          'Web sign-in (OpenID Connect)',
          'A [link](x.md) & more',
        ]),
      ]).toEqual(['fault-injection-npm-run-testfaults', 'what-npm-start-does', 'tests', 'tests-1', 'web-sign-in-openid-connect', 'a-link--more']);
    });

    it('reports a missing file, a missing heading, an unknown script and a missing path, with their lines', () => {
      const problems = check(
        [
          '# Example',
          'See [nothing](nowhere.md), [a heading](../README.md#no-such-heading) [this](#example) and [gone](#gone).',
          'Run `npm run -s no-such-script` or `npm run build`, read `libs/no-such-lib/x.ts` and `libs/config/configs.ts`.',
          '```sh',
          'npm test -- x',
          'npm run bench:nothing',
          '[not a link](in-a-code-block.md)',
          'node dist/scripts/migrate.js && node dist/scripts/no-such-script.js -f docker/compose.yaml',
          '```',
          'Outside: [design](../../shared/DESIGN.md), [escape](../../elsewhere/x.md), [web](https://example.com/x.md).',
          'A glob that matches: `test/web-*.e2e-spec.ts`; one that does not: `test/nothing-*.e2e-spec.ts`.',
        ].join('\n'),
      );
      expect(problems).toEqual([
        'docs/example.md:2: link nowhere.md: docs/nowhere.md does not exist',
        'docs/example.md:2: link ../README.md#no-such-heading: README.md has no heading #no-such-heading',
        'docs/example.md:2: link #gone: docs/example.md has no heading #gone',
        'docs/example.md:10: link ../../elsewhere/x.md leaves the repository (../elsewhere/x.md)',
        'docs/example.md:3: `npm run -s no-such-script`: package.json has no script "no-such-script"',
        'docs/example.md:3: path `libs/no-such-lib/x.ts` does not exist',
        'docs/example.md:6: `npm run bench:nothing`: package.json has no script "bench:nothing"',
        'docs/example.md:8: `dist/scripts/no-such-script.js` (built from scripts/no-such-script.ts) does not exist',
        'docs/example.md:11: path `test/nothing-*.e2e-spec.ts` does not exist',
      ]);
    });
  });
});
