// The project's own ESLint rules (plugin `casework` in eslint.config.mjs).
import { aliasFor } from '../codemods/path-aliases.mjs';

/**
 * casework/prefer-path-alias: an import that leaves its part of the tree (one app, one lib,
 * workflows/, activities/) into an aliased directory takes the alias, as the codemod
 * scripts/codemods/path-aliases.mjs rewrites it; `--fix` makes the same change.
 */
const preferPathAlias = {
  meta: {
    type: 'suggestion',
    fixable: 'code',
    docs: { description: 'Cross-part imports use the path aliases (@apps, @libs, @workflows, @activities)' },
    messages: {
      useAlias: "Import '{{alias}}', not '{{specifier}}': relative imports stay inside their own app, lib or directory (docs/developers/lint-and-format.md)",
    },
    schema: [],
  },
  create(context) {
    const check = (source) => {
      if (!source || typeof source.value !== 'string') return;
      const alias = aliasFor(context.filename, source.value);
      if (!alias) return;
      context.report({
        node: source,
        messageId: 'useAlias',
        data: { alias, specifier: source.value },
        fix: (fixer) => fixer.replaceText(source, `${source.raw[0]}${alias}${source.raw[0]}`),
      });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
    };
  },
};

export default { meta: { name: 'casework' }, rules: { 'prefer-path-alias': preferPathAlias } };
