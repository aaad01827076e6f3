// The worker's workflow bundle, built by webpack in a child process of its own. Bundling in the
// worker process itself (the SDK's `workflowsPath`) leaves webpack's memory behind in it for
// good, about 70 MiB of RSS; built here, that memory goes away with the child, and the worker
// loads the finished bundle from a file (`workflowBundle: { codePath }`).
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, TelemetryConfig } from '@libs/config';
import { withPathAliases } from '@libs/temporal/path-aliases';

/** Bundles workflows/ in a child process; resolves with the bundle's path and a function that removes it. */
export async function bundleWorkflowsInChild(): Promise<{ codePath: string; remove: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'casework-workflow-bundle-'));
  const codePath = join(dir, 'workflow-bundle.js');
  const child = fork(__filename, [codePath], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`bundling the workflows failed (exit ${code}); the bundler's error is above`);
  }
  return { codePath, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

async function bundleTo(codePath: string): Promise<void> {
  const { bundleWorkflowCode, DefaultLogger } = await import('@temporalio/worker');
  // A prebuilt bundle carries its workflow interceptors itself (the Worker's interceptors.workflowModules
  // apply only when it bundles): with tracing on, the OpenTelemetry ones (libs/telemetry, docs/operators/telemetry.md).
  const tracing = loadConfig(TelemetryConfig).OTEL_EXPORTER_OTLP_ENDPOINT
    ? (require('../../../libs/telemetry/tracing-modules') as typeof import('../../../libs/telemetry/tracing-modules')).WORKFLOW_TRACING_MODULES
    : [];
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../../workflows'),
    workflowInterceptorModules: tracing,
    logger: new DefaultLogger('WARN'),
    webpackConfigHook: withPathAliases,
  });
  writeFileSync(codePath, code);
}

if (require.main === module) {
  bundleTo(process.argv[2]).then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`worker: bundling the workflows failed: ${(error as Error).stack ?? error}\n`);
      process.exit(1);
    },
  );
}
