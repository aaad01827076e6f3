// The lint rules that keep the layers apart (docs/developers/lint-and-format.md) must each fail on
// a deliberate violation, and pass the code they are meant to allow. ESLint runs with the
// repository's own eslint.config.mjs, in a child process (test/support/lint-text.mjs), on small
// snippets named as files in the places each rule covers. No servers.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PATH_ALIASES } from '@libs/temporal/path-aliases';

const ROOT = resolve(__dirname, '..');

type Request = { lint: string; filePath: string; fix?: boolean } | { codemod: string; filePath: string };
interface LintAnswer {
  messages: { ruleId: string | null; message: string }[];
  output?: string;
}

function run(requests: Request[]): unknown[] {
  const out = execFileSync(process.execPath, [join(ROOT, 'test/support/lint-text.mjs')], {
    cwd: ROOT,
    input: JSON.stringify(requests),
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
  return JSON.parse(out) as unknown[];
}

const rulesOf = (answer: unknown) => (answer as LintAnswer).messages.map((m) => m.ruleId);

// One child process for every snippet: ESLint takes a few seconds to load the config.
const cases = {
  workflowTypeorm: { filePath: 'workflows/lint-fixture.workflow.ts', lint: "import { DataSource } from 'typeorm';\nexport const source = DataSource;\n" },
  workflowNode: { filePath: 'workflows/lint-fixture.workflow.ts', lint: "import { randomUUID } from 'node:crypto';\nexport const id = randomUUID;\n" },
  workflowActivities: {
    filePath: 'workflows/lint-fixture.workflow.ts',
    lint: "import { createActivities } from '@activities';\nexport const make = createActivities;\n",
  },
  workflowAllowed: {
    filePath: 'workflows/lint-fixture.workflow.ts',
    lint: [
      "import { proxyActivities } from '@temporalio/workflow';",
      "import type { DataSource } from 'typeorm';",
      "import type { AllegationActivities } from '@activities';",
      "import { durationMs } from '@libs/domain';",
      "import { getStateQuery } from './messages';",
      'export const all: unknown[] = [proxyActivities, durationMs, getStateQuery];',
      'export type Both = DataSource | AllegationActivities;',
      '',
    ].join('\n'),
  },
  webImportsApi: {
    filePath: 'apps/web/src/pages/lint-fixture.controller.ts',
    lint: "import { AuthGuard } from '@apps/api/src/auth/auth.guard';\nexport const guard = AuthGuard;\n",
  },
  webImportsApiRelative: {
    filePath: 'apps/web/src/pages/lint-fixture.controller.ts',
    lint: "import { AuthGuard } from '../../../api/src/auth/auth.guard';\nexport const guard = AuthGuard;\n",
  },
  webImportsLibs: {
    filePath: 'apps/web/src/pages/lint-fixture.controller.ts',
    lint: "import { Public } from '@libs/auth/decorators';\nexport const open = Public;\n",
  },
  queryInService: {
    filePath: 'apps/api/src/allegations/lint-fixture.service.ts',
    lint: "export async function count(db: { query(sql: string): Promise<unknown> }) {\n  return db.query('SELECT count(*) FROM allegations');\n}\n",
  },
  workflowQueryInService: {
    filePath: 'apps/api/src/allegations/lint-fixture.service.ts',
    lint: 'export async function state(handle: { query(q: string): Promise<unknown> }, getStateQuery: string) {\n  return handle.query(getStateQuery);\n}\n',
  },
  queryInStore: {
    filePath: 'libs/persistence/stores/lint-fixture.store.ts',
    lint: "export async function count(db: { query(sql: string): Promise<unknown> }) {\n  return db.query('SELECT count(*) FROM allegations');\n}\n",
  },
  dataSourceInController: {
    filePath: 'apps/api/src/allegations/lint-fixture.controller.ts',
    lint: "import { DataSource } from 'typeorm';\nexport const source = DataSource;\n",
  },
  dataSourceInService: {
    filePath: 'apps/api/src/allegations/lint-fixture.service.ts',
    lint: "import { DataSource } from 'typeorm';\nexport const source = DataSource;\n",
  },
  envInService: { filePath: 'apps/api/src/allegations/lint-fixture.service.ts', lint: 'export const level = process.env.LOG_LEVEL;\n' },
  envInLib: { filePath: 'libs/logging/lint-fixture.ts', lint: 'const { env } = process;\nexport const level = env.LOG_LEVEL;\n' },
  envInConfig: { filePath: 'libs/config/lint-fixture.ts', lint: 'export const level = process.env.LOG_LEVEL;\n' },
  deepRelative: {
    filePath: 'apps/api/src/allegations/lint-fixture.service.ts',
    lint: "import { durationMs } from '../../../../libs/domain';\nexport const ms = durationMs;\n",
    fix: true,
  },
  codemod: {
    filePath: 'apps/api/src/allegations/lint-fixture.service.ts',
    codemod: [
      "import { durationMs } from '../../../../libs/domain';",
      "import type { Role } from '../../../../libs/auth/principal';",
      "export { createActivities } from '../../../../activities';",
      "import { ApiError } from '../common/api-error';",
      "const lazy = () => require('../../../../libs/telemetry/tracing-modules');",
      '',
    ].join('\n'),
  },
} satisfies Record<string, Request>;

const keys = Object.keys(cases) as (keyof typeof cases)[];
let answers: Record<keyof typeof cases, unknown>;

beforeAll(() => {
  const list = run(keys.map((k) => cases[k]));
  answers = Object.fromEntries(keys.map((k, i) => [k, list[i]])) as typeof answers;
}, 120_000);

describe('workflows/ import only the SDK, workflows/, libs/domain and types', () => {
  it.each(['workflowTypeorm', 'workflowNode', 'workflowActivities'] as const)('refuses %s', (name) => {
    expect(rulesOf(answers[name])).toContain('@typescript-eslint/no-restricted-imports');
  });
  it('allows the SDK, messages, libs/domain and `import type` of anything', () => {
    expect(rulesOf(answers.workflowAllowed)).toEqual([]);
  });
});

describe('apps/web does not import apps/api', () => {
  it('refuses the alias and the relative path', () => {
    expect(rulesOf(answers.webImportsApi)).toContain('@typescript-eslint/no-restricted-imports');
    expect(rulesOf(answers.webImportsApiRelative)).toContain('@typescript-eslint/no-restricted-imports');
  });
  it('allows libs/auth', () => {
    expect(rulesOf(answers.webImportsLibs)).toEqual([]);
  });
});

describe('.query( only in libs/persistence/stores and the migrations', () => {
  it('refuses a service', () => {
    expect(rulesOf(answers.queryInService)).toEqual(['no-restricted-syntax']);
  });
  it('allows a store', () => {
    expect(rulesOf(answers.queryInStore)).toEqual([]);
  });
  it('allows a Temporal workflow query, which is not SQL', () => {
    expect(rulesOf(answers.workflowQueryInService)).toEqual([]);
  });
});

describe('controllers never inject the DataSource', () => {
  it('refuses typeorm in a controller, API or web', () => {
    expect(rulesOf(answers.dataSourceInController)).toEqual(['no-restricted-imports']);
  });
  it('allows it in a service', () => {
    expect(rulesOf(answers.dataSourceInService)).toEqual([]);
  });
});

describe('process.env only in libs/config', () => {
  it('refuses a service and a lib, destructured or not', () => {
    expect(rulesOf(answers.envInService)).toEqual(['no-restricted-properties']);
    expect(rulesOf(answers.envInLib)).toEqual(['no-restricted-properties']);
  });
  it('allows libs/config', () => {
    expect(rulesOf(answers.envInConfig)).toEqual([]);
  });
});

describe('path aliases', () => {
  it('the rule reports a relative import into another part of the tree, and --fix rewrites it', () => {
    // Fixed, so no message remains; the output carries the alias.
    expect((answers.deepRelative as LintAnswer).output).toBe("import { durationMs } from '@libs/domain';\nexport const ms = durationMs;\n");
    const [reported] = run([{ ...cases.deepRelative, fix: false }]);
    expect(rulesOf(reported)).toEqual(['casework/prefer-path-alias']);
  });
  it('the codemod rewrites import and export declarations, not require() nor imports inside the part', () => {
    const { text, count } = answers.codemod as { text: string; count: number };
    expect(count).toBe(3);
    expect(text).toBe(
      [
        "import { durationMs } from '@libs/domain';",
        "import type { Role } from '@libs/auth/principal';",
        "export { createActivities } from '@activities';",
        "import { ApiError } from '../common/api-error';",
        "const lazy = () => require('../../../../libs/telemetry/tracing-modules');",
        '',
      ].join('\n'),
    );
    // A second run changes nothing.
    const [again] = run([{ codemod: text, filePath: cases.codemod.filePath }]) as { count: number }[];
    expect(again.count).toBe(0);
  });
  it('tsconfig.json, .swcrc and the workflow bundle know the same aliases', () => {
    const strip = (text: string) => text.replace(/^\s*\/\/.*$/gm, '');
    const tsconfig = JSON.parse(strip(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8'))).compilerOptions.paths;
    const swcrc = JSON.parse(readFileSync(join(ROOT, '.swcrc'), 'utf8')).jsc.paths;
    expect(swcrc).toEqual(tsconfig);
    const fromPaths = Object.fromEntries(
      Object.entries(tsconfig as Record<string, string[]>).map(([k, [v]]) => [k.replace(/\/\*$/, ''), resolve(ROOT, v.replace(/\/\*$/, ''))]),
    );
    expect(Object.fromEntries(Object.entries(PATH_ALIASES).map(([k, v]) => [k, resolve(v)]))).toEqual(fromPaths);
  });
});
