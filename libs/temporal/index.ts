// Connections to Temporal built from TemporalConfig (libs/config). The worker's NativeConnection
// is in ./native, apart, so that the API does not load the worker's native module.
export * from './connection';
export { diagnoseTemporalConnection, expectedServerName } from './diagnose';
