// Workflow change safety: every recorded history in test/histories/ (see its README), of every
// workflow type, must replay against the workflow code of this tree without a determinism error,
// so a change to workflows/ that would break cases, packages or risk cycles already running fails
// here, in CI, and not in production. The non-deterministic fixtures show that this test can
// fail. No server needed: the SDK's replay worker runs the bundled workflow code against each
// history.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { withPathAliases } from '@libs/temporal/path-aliases';
import { DeterminismViolationError } from '@temporalio/workflow';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/worker';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { allegationWorkflowId } from '@libs/domain';
import { WORKFLOW_TRACING_MODULES } from '@libs/telemetry';
import * as workflows from '@workflows';
import { evidencePackageWorkflowId } from '@workflows/evidence-package.messages';
import { riskReviewDispatchWorkflowId, riskReviewWorkflowId } from '@workflows/risk-review.messages';

type History = proto.temporal.api.history.v1.IHistory;

const HISTORIES = join(__dirname, 'histories');
const FILES = readdirSync(HISTORIES)
  .filter((f) => f.endsWith('.json'))
  .sort();
/** the histories test/histories/README.md lists; a file removed by mistake fails the test */
const RECORDED = [
  // the foundation allegation workflow (a55e8de)
  'early-after-start',
  'policy-changed',
  'routine-reminder-escalation',
  'safety-concern',
  // the lifecycle, packages and risks (300360c)
  'lifecycle-refer-accept-close',
  'lifecycle-return-reroute-accept',
  'lifecycle-information-lapsed',
  'lifecycle-refused-withdrawn',
  'lifecycle-package-closed',
  'package-acknowledged-late',
  'risk-review-cycle',
  'evidence-integrity-pass',
  'evidence-retention-review-pass',
  'email-retry-pass',
  // the transparency checkpoint Schedule (branch merkle)
  'transparency-checkpoint-pass',
  // risk notices sent by the authority's dispatcher (patched 'risk-review-dispatch')
  'risk-review-dispatched-cycle',
  'risk-review-dispatch',
  // the allegation workflow with statutory-clock and triage-due-written-at-intake (ed76e20), and with start-patches-folded
  'lifecycle-refer-accept-close-two-start-patches',
  'lifecycle-refused-withdrawn-two-start-patches',
  'lifecycle-refer-accept-close-start-patches-folded',
  'lifecycle-refused-withdrawn-start-patches-folded',
];

/**
 * Reads a proto3-JSON history file into a History message. The SDK's historyFromJSON (which
 * runReplayHistory also calls for JSON input) fails here with "type must be a Type", because the
 * lock file gives @temporalio/common and @temporalio/proto a protobufjs copy each; this parses
 * with the copy @temporalio/proto is built on, and hands the SDK a decoded message.
 */
function loadHistory(file: string): History {
  const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [dirname(require.resolve('@temporalio/proto'))] }));
  const type = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');
  const history = protojson.fromJson(type, JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')), { ignoreUnknownFields: true }) as History | null;
  if (!history?.events?.length) throw new Error(`${file} holds no history events`);
  return history;
}

/** The workflow type, from the first event (WorkflowExecutionStarted). */
function workflowTypeOf(history: History): string {
  const type = history.events![0].workflowExecutionStartedEventAttributes?.workflowType?.name;
  if (!type) throw new Error('the first event is not WorkflowExecutionStarted with a workflow type');
  return type;
}

/**
 * A plausible workflow id: histories do not carry theirs. The ids the API gives, from the
 * workflow's input (allegation-<caseId>, evidence-package-<packageId>, risk-review-<riskId>,
 * risk-review-dispatch-<authorityId>); for the Schedules' workflows, which take no input, one made from the type. Replay needs an id
 * only for workflowInfo(), which none of the workflows bases a command on.
 */
function workflowIdOf(history: History): string {
  const type = workflowTypeOf(history);
  const payload = history.events![0].workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  const input = payload?.data?.length ? (JSON.parse(Buffer.from(payload.data).toString('utf8')) as Record<string, string>) : {};
  switch (type) {
    case 'allegationWorkflow':
      return allegationWorkflowId(input.caseId);
    case 'evidencePackageWorkflow':
      return evidencePackageWorkflowId(input.packageId);
    case 'riskReviewWorkflow':
      return riskReviewWorkflowId(input.riskId);
    case 'riskReviewDispatchWorkflow':
      return riskReviewDispatchWorkflowId(input.authorityId, history.events![0].workflowExecutionStartedEventAttributes?.taskQueue?.name ?? 'replay');
    default:
      return `replay-${type}`;
  }
}

const TYPES = Object.fromEntries(FILES.map((f) => [f, workflowTypeOf(loadHistory(f))]));

/** What a tracing worker registers (docs/operators/telemetry.md): the workflow spans' sink. */
const tracingSinks = { exporter: makeWorkflowExporter(new SimpleSpanProcessor(new InMemorySpanExporter()), Resource.default()) };

function replay(bundle: WorkflowBundleWithSourceMap, file: string, traced = false): Promise<void> {
  const history = loadHistory(file);
  return Worker.runReplayHistory(
    { workflowBundle: bundle, replayName: `replay-${file}`, ...(traced ? { sinks: tracingSinks } : {}) },
    history,
    workflowIdOf(history),
  );
}

let current: WorkflowBundleWithSourceMap;
/** the same workflows with the OpenTelemetry workflow interceptors, as a worker with tracing on runs them */
let currentTraced: WorkflowBundleWithSourceMap;
let nondeterministic: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  try {
    // Only errors: the replays against the fixture are meant to fail, and the SDK warns of each.
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } } });
  } catch {
    // already installed in this process
  }
  const logger = new DefaultLogger('WARN');
  [current, currentTraced, nondeterministic] = await Promise.all([
    bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger, webpackConfigHook: withPathAliases }),
    bundleWorkflowCode({
      workflowsPath: require.resolve('../workflows'),
      workflowInterceptorModules: WORKFLOW_TRACING_MODULES,
      logger,
      webpackConfigHook: withPathAliases,
    }),
    bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/nondeterministic.workflows'), logger, webpackConfigHook: withPathAliases }),
  ]);
});

it('test/histories holds every recorded scenario', () => {
  expect(FILES.map((f) => f.replace(/\.json$/, ''))).toEqual(expect.arrayContaining(RECORDED));
});

it('every workflow type the worker registers has a recorded history', () => {
  // A new workflow type needs a scenario in scripts/record-histories.ts and its history here.
  expect(new Set(Object.values(TYPES))).toEqual(new Set(Object.keys(workflows)));
});

describe('recorded histories replay against the current workflows', () => {
  it.each(FILES)('%s', async (file) => {
    await expect(replay(current, file)).resolves.toBeUndefined();
  });
});

describe('they replay with the OpenTelemetry workflow interceptors in place (tracing on)', () => {
  it('(the traced bundle carries the interceptors; the plain one does not)', () => {
    expect(currentTraced.code).toContain('OpenTelemetryInboundInterceptor');
    expect(current.code).not.toContain('OpenTelemetryInboundInterceptor');
  });

  it.each(FILES)('%s', async (file) => {
    await expect(replay(currentTraced, file, true)).resolves.toBeUndefined();
  });
});

describe('a non-deterministic change fails them (test/fixtures/nondeterministic.workflows.ts)', () => {
  it.each(FILES.map((f) => [f, TYPES[f]]))('%s (%s)', async (file) => {
    const failure = await replay(nondeterministic, file).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(DeterminismViolationError);
    expect((failure as Error).message).toMatch(/nondeterminism/i);
  });
});
