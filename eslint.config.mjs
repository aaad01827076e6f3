// ESLint (flat config): the layering rules of docs/developers/lint-and-format.md, the path alias
// rule, typescript-eslint's recommended set, and eslint-config-prettier last so that formatting
// is Prettier's alone. `npm run lint`; `npm run lint -- --fix` applies the fixable rules.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';
import casework from './scripts/lint/casework-rules.mjs';

/** Where SQL belongs, or is read on purpose; not to convert. */
const QUERY_ALLOWED = [
  'libs/persistence/stores/**', // the one owner of each table
  'libs/persistence/migrations/**', // schema changes are SQL
  'libs/infra/**', // creates the databases and roles of the servers it starts, before any schema
  'bench/**', // fills tables in bulk and times raw reads on purpose
  '**/*.spec.ts', // unit tests beside the code check what a store wrote, as test/** does
  'test/**', // tests read the database to check what a route wrote; supertest's .query() sets a query string
];

/** Where process.env may be read besides libs/config, and why. */
const ENV_ALLOWED = [
  'libs/config/**', // the one reader of the application's settings
  'libs/infra/**', // starts PostgreSQL and Temporal as child processes: hands them an environment, finds the cached CLIs
  'scripts/**', // process entry points and developer commands: pass the environment to the processes they start
  'bench/**', // the benchmarks' BENCH_* knobs (docs/developers/benchmarks.md)
  'test/**', // tests start servers with environments of their own
];

const WORKFLOW_IMPORTS_MESSAGE =
  'Workflow code imports only @temporalio/workflow, workflows/ itself, libs/domain and `import type` of anything else: it runs in the deterministic sandbox (docs/developers/lint-and-format.md).';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'packages/*/dist/**', 'packages/*/node_modules/**', 'tools/**', 'docker/**', '**/*.js', '.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs'],
    plugins: { casework },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'casework/prefer-path-alias': 'error',
      // tsc checks every name; for the .mjs scripts, Node's globals.
      'no-undef': 'off',
      // `_name` and the rest of a destructuring are how this code drops a field or an argument.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Hostile-text filters and their tests match control characters on purpose.
      'no-control-regex': 'off',
      // Optional modules (tracing, the workflow bundle's interceptors) are required lazily, on purpose.
      '@typescript-eslint/no-require-imports': 'off',
      // Flags the fallback value a try/catch keeps when the try fails.
      'no-useless-assignment': 'off',
      // These errors carry the cause's message in their own on purpose (one line for an operator).
      'preserve-caught-error': 'off',
      // The API's answers are typed for the pages by libs/views (shared with the API) and apps/web/src/api-views.ts;
      // what is truly open is `unknown`, narrowed where it is read.
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Tests read arbitrary JSON answers (supertest's res.body) and poke at objects to break them on purpose.
    files: ['test/**', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // packages/ are workspaces built and shipped on their own: no repository aliases there.
    files: ['packages/**'],
    rules: { 'casework/prefer-path-alias': 'off' },
  },
  {
    // Workflows run in Temporal's sandbox and must replay: no Node, no Nest, no TypeORM, no activities' code.
    files: ['workflows/**/*.ts'],
    // Tests of workflow code run in Jest, not in the sandbox.
    ignores: ['workflows/**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Anything but the SDK, libs/domain and workflows/ itself (the alias, or a relative path that does not leave it).
              regex:
                '^(?!(?:@temporalio/workflow|@libs/domain(?:/.*)?|@workflows(?:/.*)?)$)(?!\\.\\.?/(?!(?:\\.\\./)*(?:libs|activities|apps|scripts|bench|test)(?:/|$)))',
              allowTypeImports: true,
              message: WORKFLOW_IMPORTS_MESSAGE,
            },
          ],
        },
      ],
    },
  },
  {
    // The web pages call the API over HTTP; what both need lives in libs/ (libs/auth, libs/logging).
    files: ['apps/web/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?:@apps/api(?:/|$)|(?:\\.\\./)+(?:apps/)?api(?:/|$))',
              message: 'apps/web may not import apps/api: the pages call the API over HTTP, and what both need lives in libs/ (libs/auth, libs/logging).',
            },
          ],
        },
      ],
    },
  },
  {
    // Controllers take requests and answer them; services hold the DataSource and pass it to stores.
    files: ['apps/**/*.controller.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'typeorm',
              message:
                'Controllers never inject the DataSource: call a service, which passes it (or a transaction) to a store (docs/developers/persistence.md).',
            },
          ],
        },
      ],
    },
  },
  {
    // SQL lives in libs/persistence/stores/ (and the migrations): one typed owner per table.
    files: ['**/*.ts'],
    ignores: QUERY_ALLOWED,
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          // A Temporal workflow query (`handle.query(getStateQuery)`) is not SQL.
          selector: "CallExpression[callee.property.name='query']:not([arguments.0.name=/Query$/])",
          message: 'SQL belongs in libs/persistence/stores/ (one typed owner per table): call a store, not .query( (docs/developers/lint-and-format.md).',
        },
      ],
    },
  },
  {
    // Settings are read and validated in one place.
    files: ['**/*.ts', '**/*.mjs'],
    ignores: ENV_ALLOWED,
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read settings through libs/config (loadConfig and a validated class), not process.env (docs/developers/lint-and-format.md).',
        },
      ],
    },
  },
  prettier,
);
