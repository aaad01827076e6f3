// Where the web layer's non-TypeScript files live. The build (scripts/build.mjs) compiles only
// .ts into dist/, so templates, message catalogues and browser scripts are read from the source tree: the nearest
// directory above this file (in apps/web/src or dist/apps/web/src) that holds package.json.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function projectRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

const root = projectRoot(__dirname);
export const VIEWS_DIR = join(root, 'apps/web/views');
export const PUBLIC_DIR = join(root, 'apps/web/public');
export const LOCALES_DIR = join(root, 'apps/web/locales');
export const GOVUK_DIR = join(dirname(require.resolve('govuk-frontend/package.json')), 'dist');
