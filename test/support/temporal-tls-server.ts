// A Temporal server whose frontend requires mutual TLS, for test/temporal-tls.e2e-spec.ts: the
// production server binary (go.temporal.io/server v1.30.4; the CLI's dev server has no TLS
// flags) with an in-memory SQLite store and a config file written here. The frontend takes
// connections only with a client certificate signed by `certs.ca`; the server's own system workers
// (schedules and the like) connect to it with the test's client certificate. Internode traffic
// (history, matching) stays plain on 127.0.0.1.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Connection, isGrpcServiceError } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { freePort, waitFor } from '@libs/infra';
import { loadConfig, TemporalConfig } from '@libs/config';
import { temporalConnectionOptions } from '@libs/temporal';
import type { TestCertificates } from './tls-certs';

export const TEMPORAL_SERVER_VERSION = 'v1.30.4';

/** TEMPORAL_SERVER_PATH, else the binary `go install go.temporal.io/server/cmd/server@v1.30.4` put in the cache. */
export function temporalServerBinary(env: NodeJS.ProcessEnv = process.env): string {
  const path =
    env.TEMPORAL_SERVER_PATH ??
    join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'election-casework', 'temporal-server', TEMPORAL_SERVER_VERSION, 'server');
  if (!existsSync(path)) {
    throw new Error(
      `no Temporal server binary at ${path}: build it with \`GOBIN=${join(path, '..')} go install go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION}\` or set TEMPORAL_SERVER_PATH`,
    );
  }
  return path;
}

export interface RunningTlsTemporal {
  /** 127.0.0.1:<port>, the frontend (mutual TLS) */
  address: string;
  namespace: string;
  /** the settings a process connecting with the test's client certificate takes */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startTlsTemporalServer(
  certs: TestCertificates,
  options: { namespace?: string; log?: (line: string) => void } = {},
): Promise<RunningTlsTemporal> {
  const namespace = options.namespace ?? 'default';
  const log = options.log ?? (() => undefined);
  const binary = temporalServerBinary();
  const port = {} as Record<
    'frontend' | 'frontendMembership' | 'frontendHttp' | 'history' | 'historyMembership' | 'matching' | 'matchingMembership' | 'worker' | 'workerMembership',
    number
  >;
  for (const name of [
    'frontend',
    'frontendMembership',
    'frontendHttp',
    'history',
    'historyMembership',
    'matching',
    'matchingMembership',
    'worker',
    'workerMembership',
  ] as const)
    port[name] = await freePort();
  // One in-memory database per server: the name keys SQLite's shared in-process store.
  const database = `casework-tls-${randomBytes(4).toString('hex')}`;
  const sql = (name: string) => `
    ${name}:
      sql:
        pluginName: sqlite
        databaseName: ${database}
        connectAddr: localhost
        connectProtocol: tcp
        connectAttributes:
          mode: memory
          cache: private
        maxConns: 1
        maxIdleConns: 1
        maxConnLifetime: 1h`;
  const rpc = (grpc: number, membership: number, http?: number) => `
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true${http ? `\n      httpPort: ${http}` : ''}`;
  const clientTls = `
        serverName: localhost
        rootCaFiles:
          - ${certs.ca}`;
  const config = `
log:
  stdout: true
  level: warn
persistence:
  defaultStore: sqlite-default
  visibilityStore: sqlite-visibility
  numHistoryShards: 1
  datastores:${sql('sqlite-default')}${sql('sqlite-visibility')}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  tls:
    frontend:
      server:
        certFile: ${certs.serverCert}
        keyFile: ${certs.serverKey}
        requireClientAuth: true
        clientCaFiles:
          - ${certs.ca}
      client:${clientTls}
    systemWorker:
      certFile: ${certs.clientCert}
      keyFile: ${certs.clientKey}
      client:${clientTls}
services:
  frontend:${rpc(port.frontend, port.frontendMembership, port.frontendHttp)}
  history:${rpc(port.history, port.historyMembership)}
  matching:${rpc(port.matching, port.matchingMembership)}
  worker:${rpc(port.worker, port.workerMembership)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:${port.frontend}
      httpAddress: 127.0.0.1:${port.frontendHttp}
dcRedirectionPolicy:
  policy: noop
`;
  const configFile = join(certs.dir, `temporal-${database}.yaml`);
  writeFileSync(configFile, config);
  const child = spawn(binary, ['--config-file', configFile, '--allow-no-auth', 'start'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-6000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `127.0.0.1:${port.frontend}`;
  const env = {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TLS_CA: certs.ca,
    TEMPORAL_TLS_CERT: certs.clientCert,
    TEMPORAL_TLS_KEY: certs.clientKey,
  };
  const stop = () => stopChild(child, exited);
  try {
    const started = Date.now();
    await Promise.race([
      ready(env, namespace),
      exited.then((code) => {
        throw new Error(`the Temporal server exited with code ${code}: ${output.trim().slice(-3000)}`);
      }),
    ]);
    log(`temporal (mutual TLS) ready at ${address} in ${Date.now() - started} ms`);
  } catch (error) {
    await stop();
    throw Object.assign(error as Error, { message: `${(error as Error).message}\nserver output: ${output.trim().slice(-3000)}` });
  }
  return { address, namespace, env, stop };
}

/** Waits for the frontend, registers the namespace, and waits until the frontend knows it. */
async function ready(env: Record<string, string>, namespace: string): Promise<void> {
  const connection = Connection.lazy({ ...temporalConnectionOptions(loadConfig(TemporalConfig, env)), connectTimeout: 2_000 });
  try {
    await waitFor('the Temporal frontend (mutual TLS)', async () => (await connection.workflowService.getSystemInfo({}), true), 60_000, 250);
    await waitFor(
      `namespace ${namespace} registered`,
      async () => {
        try {
          await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
        } catch (error) {
          if (!(isGrpcServiceError(error) && error.code === 6)) throw error; // ALREADY_EXISTS
        }
        return true;
      },
      30_000,
      250,
    );
    // The frontend's namespace cache refreshes every few seconds; a task queue read goes through it.
    await waitFor(
      `namespace ${namespace} in the frontend's cache`,
      async () => (await connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: 'readiness' }, taskQueueType: 1 }), true),
      30_000,
      250,
    );
  } finally {
    await connection.close();
  }
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
