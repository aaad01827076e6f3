// The catalogue keys the code uses: every t() and msg() call with a literal key in the
// templates and the web layer's TypeScript, the words for the API's codes (labels.ts), and the
// wording of every refusal the API can give (libs/domain/problems.ts, shown by problems.ts).
// i18n.spec.ts checks each is in every catalogue; a page left in English fails it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { problemPhrases } from '@libs/domain';
import { LABEL_TEXTS } from './labels';

const LITERAL_KEY = /\b(?:t|msg)\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')/g;

function filesUnder(dir: string, ending: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, ending) : path.endsWith(ending) && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

export function keysIn(source: string): string[] {
  return [...source.matchAll(LITERAL_KEY)].map((m) => (m[1] ?? m[2]).replace(/\\(.)/g, '$1'));
}

/** Each key with the files that use it. */
export function usedKeys(viewsDir: string, srcDir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const note = (key: string, file: string) => out.set(key, [...(out.get(key) ?? []), file]);
  for (const file of [...filesUnder(viewsDir, '.njk'), ...filesUnder(srcDir, '.ts')]) for (const key of keysIn(readFileSync(file, 'utf8'))) note(key, file);
  for (const key of LABEL_TEXTS) note(key, 'labels.ts');
  for (const key of problemPhrases()) note(key, 'libs/domain/problems.ts');
  return out;
}
