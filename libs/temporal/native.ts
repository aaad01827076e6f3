// The worker's NativeConnection (the SDK's Rust core), from the same options as the client's.
import { NativeConnection } from '@temporalio/worker';
import type { TemporalConfig } from '@libs/config';
import { explainTemporalConnectFailure, temporalConnectionOptions } from './connection';

/**
 * A NativeConnection for a Worker, or within TEMPORAL_CONNECT_TIMEOUT_MS a TemporalConnectError
 * naming the setting to fix. The Runtime must be installed first (Runtime.install), as ever.
 */
export async function connectTemporalWorker(config: TemporalConfig): Promise<NativeConnection> {
  const timeoutMs = config.TEMPORAL_CONNECT_TIMEOUT_MS;
  const pending = NativeConnection.connect(temporalConnectionOptions(config));
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      pending,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    // A connect that completes after the timeout is closed, not leaked.
    pending.then((late) => late.close()).catch(() => undefined);
    throw await explainTemporalConnectFailure(config, error);
  } finally {
    clearTimeout(timer);
  }
}
