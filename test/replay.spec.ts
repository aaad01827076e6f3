// Workflow change safety: every recorded history in test/histories/ (see its README) must replay
// against the workflow code of this tree without a determinism error, so a change to
// workflows/ that would break cases already running fails here, in CI, and not in production.
// The non-deterministic fixture shows that this test can fail. No server needed: the SDK's replay
// worker runs the bundled workflow code against each history.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';

type History = proto.temporal.api.history.v1.IHistory;

const HISTORIES = join(__dirname, 'histories');
const FILES = readdirSync(HISTORIES).filter((f) => f.endsWith('.json')).sort();
/** the scenarios scripts/record-histories.ts records; a file removed by mistake fails the test */
const SCENARIOS = ['early-after-start', 'policy-changed', 'routine-reminder-escalation', 'safety-concern'];

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

/** allegation-<caseId>, from the workflow's input: histories do not carry their workflow id. */
function workflowIdOf(history: History): string {
  const payload = history.events![0].workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  const input = JSON.parse(Buffer.from(payload?.data ?? new Uint8Array()).toString('utf8')) as { caseId: string };
  return `allegation-${input.caseId}`;
}

function replay(bundle: WorkflowBundleWithSourceMap, file: string): Promise<void> {
  const history = loadHistory(file);
  return Worker.runReplayHistory({ workflowBundle: bundle, replayName: `replay-${file}` }, history, workflowIdOf(history));
}

let current: WorkflowBundleWithSourceMap;
let nondeterministic: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  try {
    // Only errors: the replays against the fixture are meant to fail, and the SDK warns of each.
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } } });
  } catch {
    // already installed in this process
  }
  const logger = new DefaultLogger('WARN');
  [current, nondeterministic] = await Promise.all([
    bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger }),
    bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/nondeterministic-allegation.workflow'), logger }),
  ]);
});

it('test/histories holds every recorded scenario', () => {
  expect(FILES.map((f) => f.replace(/\.json$/, ''))).toEqual(expect.arrayContaining(SCENARIOS));
});

describe('recorded histories replay against the current workflows', () => {
  it.each(FILES)('%s', async (file) => {
    await expect(replay(current, file)).resolves.toBeUndefined();
  });
});

describe('a non-deterministic change fails them (test/fixtures/nondeterministic-allegation.workflow.ts)', () => {
  it.each(FILES)('%s', async (file) => {
    const failure = await replay(nondeterministic, file).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(DeterminismViolationError);
    expect((failure as Error).message).toMatch(/nondeterminism/i);
  });
});
