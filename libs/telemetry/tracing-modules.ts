// The OpenTelemetry workflow interceptors (RunWorkflow, StartActivity, … spans), the SDK's own
// module, on its own so that the worker's bundling child can name them without loading tracing.
// They run inside the workflow sandbox and hand their spans out through the `exporter` sink, so
// workflow code itself imports nothing of OpenTelemetry. A worker passes them as
// `interceptors.workflowModules`; a prebuilt bundle takes them as bundleWorkflowCode's
// `workflowInterceptorModules` (apps/worker/src/bundle.ts).
export const WORKFLOW_TRACING_MODULES = [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];
