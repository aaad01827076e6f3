// The one place a connection to Temporal is configured: the API, the worker, the scripts, the
// benchmarks and the tests all build their connection options here from TemporalConfig (address,
// TLS files, server name, API key), so that a setting works everywhere or nowhere.
import { readFileSync } from 'node:fs';
import { Connection, isGrpcServiceError, type ConnectionOptions, type TLSConfig } from '@temporalio/client';
import { loadConfig, TemporalConfig, temporalUsesTls } from '@libs/config';
import { diagnoseTemporalConnection, TemporalConnectError } from './diagnose';

export { TemporalConnectError } from './diagnose';

/** What both the client's Connection and the worker's NativeConnection take. */
export interface TemporalConnectionOptions {
  address: string;
  /** false, never undefined: with an API key the SDK would otherwise turn TLS on */
  tls: TLSConfig | false;
  apiKey?: string;
}

/** Connection options from validated settings; reads the PEM files each time (rotated files are picked up at the next connect). */
export function temporalConnectionOptions(config: TemporalConfig): TemporalConnectionOptions {
  const tls: TLSConfig | false = temporalUsesTls(config)
    ? {
        ...(config.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME } : {}),
        ...(config.TEMPORAL_TLS_CA ? { serverRootCACertificate: readFileSync(config.TEMPORAL_TLS_CA) } : {}),
        ...(config.TEMPORAL_TLS_CERT && config.TEMPORAL_TLS_KEY
          ? { clientCertPair: { crt: readFileSync(config.TEMPORAL_TLS_CERT), key: readFileSync(config.TEMPORAL_TLS_KEY) } }
          : {}),
      }
    : false;
  return { address: config.TEMPORAL_ADDRESS, tls, ...(config.TEMPORAL_API_KEY ? { apiKey: config.TEMPORAL_API_KEY } : {}) };
}

/**
 * Settings for a process that was handed an address (a server it started, say) but otherwise takes
 * the environment's Temporal settings: validated like the API's and the worker's.
 */
export function temporalConfigFor(address: string, env?: NodeJS.ProcessEnv): TemporalConfig {
  return loadConfig(TemporalConfig, env, { TEMPORAL_ADDRESS: address });
}

function firstLine(error: unknown): string {
  const e = error as Error & { cause?: unknown };
  const cause = e?.cause as (Error & { details?: string }) | undefined;
  const text = [e?.message, cause?.details ?? cause?.message].filter(Boolean).join(': ');
  return (text || String(error)).split('\n')[0].slice(0, 300);
}

/** The server's refusal (in `error` or its cause) as a reason naming the setting, if it is one. */
function refusalReason(config: TemporalConfig, error: unknown): string | undefined {
  const grpc = [error, (error as { cause?: unknown } | undefined)?.cause].find(isGrpcServiceError);
  if (!grpc) return undefined;
  const at = config.TEMPORAL_ADDRESS;
  const ns = config.TEMPORAL_NAMESPACE;
  switch (grpc.code) {
    case 5:
      return `TEMPORAL_NAMESPACE: the server at ${at} has no namespace "${ns}"`;
    case 16:
      return config.TEMPORAL_API_KEY
        ? `TEMPORAL_API_KEY: the server at ${at} refused the API key (${grpc.details})`
        : `TEMPORAL_API_KEY: the server at ${at} requires authentication (${grpc.details}); set TEMPORAL_API_KEY, or TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY`;
    case 7:
      return `TEMPORAL_NAMESPACE: the credentials given (TEMPORAL_API_KEY or TEMPORAL_TLS_CERT) may not use namespace "${ns}" at ${at} (${grpc.details})`;
    default:
      return undefined;
  }
}

/**
 * A TemporalConnectError naming the setting to fix: the server's refusal (namespace, API key),
 * else the transport probe's reason, else the SDK's own error with the address.
 */
export async function explainTemporalConnectFailure(config: TemporalConfig, error: unknown): Promise<TemporalConnectError> {
  if (error instanceof TemporalConnectError) return error;
  const reason = refusalReason(config, error) ?? (await diagnoseTemporalConnection(config, Math.min(5_000, config.TEMPORAL_CONNECT_TIMEOUT_MS)));
  if (reason) return new TemporalConnectError(`could not connect to Temporal: ${reason}`, { cause: error });
  return new TemporalConnectError(
    `could not connect to Temporal at TEMPORAL_ADDRESS ${config.TEMPORAL_ADDRESS} within ${config.TEMPORAL_CONNECT_TIMEOUT_MS} ms: ${firstLine(error)}`,
    { cause: error },
  );
}

/**
 * A client Connection, checked before it is returned: the server answers, within
 * TEMPORAL_CONNECT_TIMEOUT_MS, and has TEMPORAL_NAMESPACE. Otherwise a TemporalConnectError that
 * names the setting (TEMPORAL_TLS_CA, TEMPORAL_TLS_CERT, TEMPORAL_TLS_SERVER_NAME, …), never a hang.
 */
export async function connectTemporalClient(
  config: TemporalConfig,
  extra: Omit<ConnectionOptions, 'address' | 'tls' | 'apiKey' | 'connectTimeout'> = {},
): Promise<Connection> {
  const timeoutMs = config.TEMPORAL_CONNECT_TIMEOUT_MS;
  const connection = Connection.lazy({ ...extra, ...temporalConnectionOptions(config), connectTimeout: timeoutMs });
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        await connection.ensureConnected();
        // The namespace must exist (and the credentials may use it): a refusal is explained above.
        await connection.withDeadline(Math.max(deadline, Date.now() + 1_000), () =>
          connection.workflowService.describeNamespace({ namespace: config.TEMPORAL_NAMESPACE }),
        );
      })(),
      new Promise<never>((_, reject) => {
        // ensureConnected has its own deadline; this one is for anything that ignores it.
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs + 2_000);
      }),
    ]);
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw await explainTemporalConnectFailure(config, error);
  } finally {
    clearTimeout(timer);
  }
  return connection;
}

/** What a log line may say about the connection: never a file's contents or the key. */
export function describeTemporalConnection(config: TemporalConfig): {
  address: string;
  namespace: string;
  tls: 'off' | 'on' | 'mutual';
  apiKey: 'set' | 'unset';
} {
  return {
    address: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    tls: !temporalUsesTls(config) ? 'off' : config.TEMPORAL_TLS_CERT ? 'mutual' : 'on',
    apiKey: config.TEMPORAL_API_KEY ? 'set' : 'unset',
  };
}
