// The OpenAPI document (GET /docs/openapi.json) against Redocly's recommended rules (redocly.yaml)
// and against the routes the app really registers: every route is in it, and every route documents
// its error answers with the API's one error body, { statusCode, error, message, details }.
// docs/developers/openapi.md says how to document a route so that this passes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isWebPath } from '@apps/web/src/http';
import { registeredRoutes } from './support/routes';
import { startTestStack, TestStack } from './support/stack';

let stack: TestStack;
let doc: OpenApi;
let dir: string;

interface Operation {
  security?: Record<string, string[]>[];
  responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}
interface OpenApi {
  security?: Record<string, string[]>[];
  paths: Record<string, Record<string, Operation>>;
}

const ERROR_SCHEMA = '#/components/schemas/ErrorBody';

/** Routes that are not part of the JSON API, and why. */
const NOT_IN_DOCUMENT: { test: (route: string) => boolean; why: string }[] = [
  {
    test: (r) => isWebPath(r.split(' ')[1]),
    why: 'a web page (HTML, apps/web), not the JSON API; PAGE_TABLE in test/support/access-table.ts holds its access rule',
  },
  { test: (r) => /^GET \/docs(\/|-|$)/.test(r), why: 'the document itself or the Swagger UI that shows it' },
];

/** Error answers whose body is not the error body, and why. */
const OWN_ERROR_BODY: Record<string, string> = {
  'GET /health 503': 'answers { status: "unavailable", checks } naming the dependency that is down',
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

beforeAll(async () => {
  stack = await startTestStack({ worker: 'none' });
  doc = (await stack.http.get('/docs/openapi.json').expect(200)).body;
  dir = mkdtempSync(join(tmpdir(), 'casework-openapi-'));
});

afterAll(async () => {
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `/allegations/{id}` (OpenAPI) from `/allegations/:id` (Express). */
const openApiPath = (expressPath: string) => expressPath.replace(/:(\w+)/g, '{$1}');

test('the document passes redocly lint (recommended rules, redocly.yaml) with no errors', () => {
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(doc, null, 2));
  const root = resolve(__dirname, '..');
  const run = spawnSync(process.execPath, [require.resolve('@redocly/cli/bin/cli.js'), 'lint', file, '--config', join(root, 'redocly.yaml'), '--format=json'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  });
  const start = run.stdout.indexOf('{');
  if (start < 0) throw new Error(`redocly lint printed no report (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  const report = JSON.parse(run.stdout.slice(start)) as {
    totals: { errors: number; warnings: number };
    problems: { ruleId: string; severity: string; message: string; location?: { pointer?: string }[] }[];
  };
  const lines = report.problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} (at ${p.location?.[0]?.pointer ?? '?'})`);
  if (report.totals.warnings > 0) process.stderr.write(`redocly lint warnings:\n${lines.filter((l) => l.startsWith('warn')).join('\n')}\n`);
  expect(lines.filter((l) => l.startsWith('error'))).toEqual([]);
  expect(report.totals.errors).toBe(0);
});

test('every route the app registers is in the document, with its error answers in the error body', () => {
  const routes = registeredRoutes(stack.app);
  expect(routes.length).toBeGreaterThan(50);
  const api = routes.filter((r) => !NOT_IN_DOCUMENT.some((n) => n.test(r)));
  const problems: string[] = [];
  for (const route of api) {
    const [method, path] = route.split(' ');
    const op = doc.paths[openApiPath(path)]?.[method.toLowerCase()];
    if (!op) {
      problems.push(
        `${route}: not in the OpenAPI document (a Nest route is unless @ApiExcludeController or @ApiExcludeEndpoint hides it; one added on Express directly never is)`,
      );
      continue;
    }
    const responses = op.responses ?? {};
    const errors = Object.keys(responses).filter((s) => /^[45]\d\d$/.test(s));
    const lacks: string[] = [];
    if (!errors.some((s) => s.startsWith('4'))) lacks.push('a 4xx answer');
    if (!errors.some((s) => s.startsWith('5'))) lacks.push('a 5xx answer');
    const isPublic = JSON.stringify(op.security ?? doc.security) === '[{}]';
    if (!isPublic) for (const s of ['401', '403']) if (!responses[s]) lacks.push(`a ${s} answer (it needs a token)`);
    if (path.includes(':') && !responses['404']) lacks.push('a 404 answer (it has a path parameter)');
    for (const s of errors) {
      if (OWN_ERROR_BODY[`${route} ${s}`]) continue;
      if (responses[s].content?.['application/json']?.schema?.$ref !== ERROR_SCHEMA) lacks.push(`the error body schema (ErrorBody) on its ${s} answer`);
    }
    if (lacks.length > 0)
      problems.push(
        `${route}: lacks ${lacks.join('; ')}. Put @ApiStandardErrors() on its controller, @ApiErrors(...) for the rest (apps/api/src/common/api-docs.ts)`,
      );
  }
  // And nothing in the document that is not a JSON API route the app serves.
  const served = new Map(
    routes.map((r) => {
      const [m, p] = r.split(' ');
      return [`${m} ${openApiPath(p)}`, r];
    }),
  );
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item).filter((m) => METHODS.includes(m))) {
      const route = served.get(`${method.toUpperCase()} ${path}`);
      const excluded = route && NOT_IN_DOCUMENT.find((n) => n.test(route));
      if (!route) problems.push(`${method.toUpperCase()} ${path}: in the document but not a route the app serves`);
      else if (excluded) problems.push(`${route}: in the document, but it is ${excluded.why}: put @ApiExcludeController() on its controller`);
    }
  }
  expect(problems).toEqual([]);
});

test('an error answer in the document describes the body the API sends', async () => {
  const res = await stack.http.get('/allegations/00000000-0000-4000-8000-000000000000').expect(401);
  const schema = (doc as unknown as { components: { schemas: Record<string, { required: string[]; properties: Record<string, unknown> }> } }).components.schemas
    .ErrorBody;
  expect(schema.required.sort()).toEqual(['error', 'message', 'statusCode']);
  expect(Object.keys(res.body).sort()).toEqual(expect.arrayContaining(schema.required));
  expect(Object.keys(res.body).every((k) => k in schema.properties)).toBe(true);
});

test('a refusal carries its code and values, in the error body and each detail, as the document describes them', async () => {
  const schemas = (doc as unknown as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } }).components.schemas;
  const token = await stack.token('staff@northshire');
  const res = await stack.http
    .post('/allegations')
    .set('Authorization', `Bearer ${token}`)
    .send({ category: 'not_a_category', pollDate: '2026-05-07' })
    .expect(422);
  expect(Object.keys(res.body).every((k) => k in schemas.ErrorBody.properties)).toBe(true);
  expect(res.body).toMatchObject({ code: 'request.invalid', values: { summary: res.body.message } });
  expect(res.body.details.length).toBeGreaterThan(1);
  for (const detail of res.body.details) {
    expect(Object.keys(detail).every((k) => k in schemas.ErrorDetailBody.properties)).toBe(true);
    expect(detail).toEqual(expect.objectContaining({ code: expect.any(String), values: expect.any(Object) }));
  }
  expect(res.body.details).toContainEqual({
    field: 'category',
    problem: expect.stringMatching(/^must be one of personation, /),
    code: 'validation.one_of',
    values: { values: expect.stringMatching(/^personation, postal_vote, /) },
  });
});
