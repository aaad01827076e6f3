// The path aliases (`@libs/...`, `@workflows`, `@activities`, `@apps/...`) for webpack, which bundles
// the workflows from their TypeScript sources under Jest and from dist/ when built. SWC rewrites
// the aliases in what it compiles (.swcrc), but a bundle built from the sources needs webpack to
// know them too. The same list is in tsconfig.json and .swcrc; test/lint-rules.spec.ts compares them.
import { join } from 'node:path';
import type { BundleOptions } from '@temporalio/worker';

type WebpackConfig = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];

/** This file sits two levels down in the sources and in dist/ alike, so the root is `../..` from either. */
const ROOT = join(__dirname, '..', '..');

/** Each alias and the directory it stands for. */
export const PATH_ALIASES: Readonly<Record<string, string>> = {
  '@apps': join(ROOT, 'apps'),
  '@libs': join(ROOT, 'libs'),
  '@workflows': join(ROOT, 'workflows'),
  '@activities': join(ROOT, 'activities'),
};

/** A `webpackConfigHook` that adds the aliases to whatever the SDK configured. */
export function withPathAliases(config: WebpackConfig): WebpackConfig {
  const resolve = config.resolve ?? {};
  const existing = resolve.alias && !Array.isArray(resolve.alias) ? resolve.alias : {};
  return { ...config, resolve: { ...resolve, alias: { ...existing, ...PATH_ALIASES } } };
}
