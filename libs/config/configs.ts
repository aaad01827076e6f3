// One class per module; each is validated when its process starts (see load.ts).
import { createPrivateKey } from 'node:crypto';
import { Expose, Transform } from 'class-transformer';
import { apiKeyProblem, caFileProblem, certFileProblem, keyFileProblem, serverNameProblem } from './temporal-tls';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, ValidateBy, ValidateIf } from 'class-validator';

const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);
const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value);

export class DatabaseConfig {
  @Expose()
  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string;

  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE: number = 20;
}

export class TemporalConfig {
  @Expose()
  @IsString()
  @Matches(/^[^\s:]+:\d+$/, { message: 'TEMPORAL_ADDRESS must be host:port' })
  TEMPORAL_ADDRESS: string;

  @Expose()
  @IsString()
  @Matches(/^[\w.-]+$/, { message: 'TEMPORAL_NAMESPACE must be a namespace name' })
  TEMPORAL_NAMESPACE: string = 'default';

  @Expose()
  @IsString()
  @Matches(/^[\w.-]+$/, { message: 'TEMPORAL_TASK_QUEUE must be a task queue name' })
  TEMPORAL_TASK_QUEUE: string = 'allegations';

  // Connection security (docs/operators/temporal-connection.md). Unset: plain gRPC, as to a local
  // dev server. The three files are paths of PEM files, read at start-up; their contents and the
  // API key are never logged or shown in an error.

  /** true: TLS even with no file set (system CAs); false: never TLS, even with TEMPORAL_API_KEY; unset: TLS when any TLS file, server name or API key is set */
  @Expose()
  @Transform(({ value }) =>
    value === undefined || value === '' ? undefined : value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value,
  )
  @IsOptional()
  @IsBoolean({ message: 'TEMPORAL_TLS must be true or false' })
  @ValidateBy({
    name: 'tlsNotContradicted',
    validator: {
      validate: (value, args) => value !== false || TLS_SETTINGS.every((k) => (args?.object as TemporalConfig)[k] === undefined),
      defaultMessage: (args) =>
        `TEMPORAL_TLS is false but ${TLS_SETTINGS.find((k) => (args?.object as TemporalConfig)[k] !== undefined)} is set: unset one of them`,
    },
  })
  TEMPORAL_TLS?: boolean;

  /** the CA certificate(s) that signed the server's certificate; unset: the system's trusted CAs */
  @Expose()
  @Transform(emptyToUndefined)
  @IsOptional()
  @ValidateBy({
    name: 'caFile',
    validator: {
      validate: (value) => caFileProblem(String(value)) === undefined,
      defaultMessage: (args) => `TEMPORAL_TLS_CA ${caFileProblem(String(args?.value))}`,
    },
  })
  TEMPORAL_TLS_CA?: string;

  /** this service's client certificate, for a server that requires mutual TLS; with TEMPORAL_TLS_KEY */
  @Expose()
  @Transform(emptyToUndefined)
  @IsOptional()
  @ValidateBy({
    name: 'certFile',
    validator: {
      validate: (value, args) => (args?.object as TemporalConfig).TEMPORAL_TLS_KEY !== undefined && certFileProblem(String(value)) === undefined,
      defaultMessage: (args) =>
        (args?.object as TemporalConfig).TEMPORAL_TLS_KEY === undefined
          ? 'TEMPORAL_TLS_CERT is set but TEMPORAL_TLS_KEY is not: a client certificate needs its private key'
          : `TEMPORAL_TLS_CERT ${certFileProblem(String(args?.value))}`,
    },
  })
  TEMPORAL_TLS_CERT?: string;

  /** the client certificate's private key (unencrypted PEM); never logged */
  @Expose()
  @Transform(emptyToUndefined)
  @IsOptional()
  @ValidateBy({
    name: 'keyFile',
    validator: {
      validate: (value, args) =>
        (args?.object as TemporalConfig).TEMPORAL_TLS_CERT !== undefined &&
        keyFileProblem(String(value), (args?.object as TemporalConfig).TEMPORAL_TLS_CERT) === undefined,
      defaultMessage: (args) =>
        (args?.object as TemporalConfig).TEMPORAL_TLS_CERT === undefined
          ? 'TEMPORAL_TLS_KEY is set but TEMPORAL_TLS_CERT is not: a private key needs its client certificate'
          : `TEMPORAL_TLS_KEY ${keyFileProblem(String(args?.value), (args?.object as TemporalConfig).TEMPORAL_TLS_CERT)}`,
    },
  })
  TEMPORAL_TLS_KEY?: string;

  /** the name the server's certificate is checked against, when it is not the host in TEMPORAL_ADDRESS */
  @Expose()
  @Transform(emptyToUndefined)
  @IsOptional()
  @ValidateBy({
    name: 'serverName',
    validator: {
      validate: (value) => serverNameProblem(String(value)) === undefined,
      defaultMessage: (args) => `TEMPORAL_TLS_SERVER_NAME ${serverNameProblem(String(args?.value))}`,
    },
  })
  TEMPORAL_TLS_SERVER_NAME?: string;

  /** a Temporal Cloud API key, sent as `Authorization: Bearer …`; implies TLS unless TEMPORAL_TLS=false. Never logged. */
  @Expose()
  @Transform(emptyToUndefined)
  @IsOptional()
  @ValidateBy({
    name: 'apiKey',
    validator: {
      validate: (value) => apiKeyProblem(String(value)) === undefined,
      defaultMessage: (args) => `TEMPORAL_API_KEY ${apiKeyProblem(String(args?.value))}`,
    },
  })
  TEMPORAL_API_KEY?: string;

  /** how long a process waits at start-up for Temporal to answer before it exits naming the cause */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(500)
  @Max(300_000)
  TEMPORAL_CONNECT_TIMEOUT_MS: number = 10_000;
}

/** The settings whose presence turns TLS on (TEMPORAL_TLS unset) and contradicts TEMPORAL_TLS=false. */
const TLS_SETTINGS = ['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_SERVER_NAME'] as const;

/** Whether the connection to Temporal uses TLS (see TemporalConfig.TEMPORAL_TLS). */
export function temporalUsesTls(config: TemporalConfig): boolean {
  return config.TEMPORAL_TLS ?? (TLS_SETTINGS.some((k) => config[k] !== undefined) || config.TEMPORAL_API_KEY !== undefined);
}

export class ApiConfig {
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  /** the interface the API binds to; `0.0.0.0` in containers */
  @Expose()
  @IsString()
  @Matches(/^(?:[\w.-]+|\[?[0-9a-fA-F:.]*:[0-9a-fA-F:.]*\]?)$/, { message: 'HOST must be a host name or IP address' })
  HOST: string = '127.0.0.1';

  @Expose()
  @IsString()
  DATA_DIR: string = '.data';

  /** how often the API looks for allegations whose workflow start did not complete */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  OUTBOX_SWEEP_MS: number = 5_000;

  /** an outbox row younger than this is still being started by the request that wrote it */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  OUTBOX_GRACE_MS: number = 10_000;

  @Expose()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  /**
   * how long one of a request's queries may wait for PostgreSQL before the API gives up on its
   * connection and answers 503 (a database that stops answering without closing connections)
   */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  DATABASE_QUERY_TIMEOUT_MS: number = 15_000;

  /** how long a decision waits for the case's workflow (a stopped worker) before answering 503 */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  DECISION_TIMEOUT_MS: number = 15_000;

  /** the largest indicator observations CSV an upload may send; it is streamed, never held whole */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  INDICATOR_CSV_MAX_BYTES: number = 100 * 1024 ** 2;

  /**
   * Requests one user (a verified token's sub) may make per RATE_LIMIT_WINDOW_MS; 0: no limit.
   * Generous, because bench:intake drives about 150 requests a second as one user.
   */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_PER_USER: number = 30_000;

  /** requests per window from one client IP without a valid token (GET /health excepted); 0: no limit */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_PER_IP: number = 3_000;

  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  RATE_LIMIT_WINDOW_MS: number = 60_000;

  /** the longest request target (path and query) accepted, in bytes; 414 beyond */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(256)
  @Max(65_536)
  MAX_URL_BYTES: number = 4_096;

  /** the most header bytes (names and values) a request may carry; 431 beyond. Node itself refuses more than 16 KiB. */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1_024)
  @Max(16_384)
  MAX_HEADER_BYTES: number = 8_192;
}

export class AuthConfig {
  @Expose()
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['https', 'http'] }, { message: 'AUTH_JWKS_URL must be an http(s) URL' })
  AUTH_JWKS_URL?: string;

  @Expose()
  @ValidateIf((c: AuthConfig) => Boolean(c.AUTH_JWKS_URL))
  @IsString({ message: 'AUTH_ISSUER must be set when AUTH_JWKS_URL is' })
  AUTH_ISSUER?: string;

  @Expose()
  @ValidateIf((c: AuthConfig) => Boolean(c.AUTH_JWKS_URL))
  @IsString({ message: 'AUTH_AUDIENCE must be set when AUTH_JWKS_URL is' })
  AUTH_AUDIENCE?: string;

  /**
   * how long the identity provider's JWKS is used before it is fetched again, in seconds. A token
   * naming a key not in the cached set also makes it refetch (at most once every 30 seconds), so a
   * new signing key is picked up at once; a key the provider stops publishing is refused within
   * this time.
   */
  @Expose()
  @Transform(toInt)
  @IsInt({ message: 'AUTH_JWKS_CACHE_SECONDS must be a whole number of seconds' })
  @Min(1)
  @Max(86_400)
  AUTH_JWKS_CACHE_SECONDS: number = 600;

  @Expose()
  @IsString()
  DATA_DIR: string = '.data';
}

export class WorkerConfig {
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  WORKER_MAX_CONCURRENT_ACTIVITIES: number = 50;

  /**
   * workflows the worker keeps in memory between their tasks (the Temporal SDK's sticky cache).
   * A task for a workflow not in it replays the workflow's history first. 250 keeps a worker
   * with 10,000 open risks or cases near 500 MiB; the SDK's own default grows with the heap
   * limit (about 2,300 with Node's default 4 GiB heap, and about 1.3 GiB of RSS once full).
   * docs/developers/performance.md has the memory it costs and what replay costs instead.
   */
  @Expose()
  @Transform(toInt)
  @IsInt({ message: 'WORKER_MAX_CACHED_WORKFLOWS must be a whole number' })
  @Min(0)
  @Max(100000)
  WORKER_MAX_CACHED_WORKFLOWS: number = 250;

  /**
   * the share, in percent, of the worker's workflow-task polls that ask for the task queue's
   * shared tasks (new workflows, and workflows no longer cached) rather than for those of cached
   * workflows (Temporal's sticky queue). The SDK gives them 20%. With 250 cached of 10,000 open
   * cases, most tasks are shared ones, and with 20% the worker fell behind a burst of new cases
   * that the host could have served: docs/developers/performance.md.
   */
  @Expose()
  @Transform(toInt)
  @IsInt({ message: 'WORKER_NON_STICKY_POLL_PERCENT must be a whole number of percent' })
  @Min(10, { message: 'WORKER_NON_STICKY_POLL_PERCENT must be between 10 and 90' })
  @Max(90, { message: 'WORKER_NON_STICKY_POLL_PERCENT must be between 10 and 90' })
  WORKER_NON_STICKY_POLL_PERCENT: number = 50;

  /** most due events whose notifications one transaction writes (activities/notify-batcher.ts) */
  @Expose()
  @Transform(toInt)
  @IsInt({ message: 'WORKER_NOTIFY_BATCH_SIZE must be a whole number' })
  @Min(1)
  @Max(1000)
  WORKER_NOTIFY_BATCH_SIZE: number = 100;

  /**
   * how long, in ms, a due event's notifications wait for others to share their transaction. 0:
   * no waiting; events that arrive together, or while two batches are being written, share one.
   */
  @Expose()
  @Transform(toInt)
  @IsInt({ message: 'WORKER_NOTIFY_BATCH_WAIT_MS must be a whole number of milliseconds' })
  @Min(0)
  @Max(60000)
  WORKER_NOTIFY_BATCH_WAIT_MS: number = 0;

  /**
   * how long, in ms, a risk review reminder waits for others to the same owner, to go with them
   * in one digest (one notification and one email listing them). 0: no digests.
   * activities/notification-digests.ts
   */
  @Expose()
  @Transform(toInt)
  @IsInt({ message: 'WORKER_NOTIFY_DIGEST_WINDOW_MS must be a whole number of milliseconds' })
  @Min(0)
  @Max(10000)
  WORKER_NOTIFY_DIGEST_WINDOW_MS: number = 500;

  /**
   * most risk review notices the authority's dispatcher sends in one transaction
   * (activities/risk-dispatch.ts); a burst larger than this goes in several, one after another
   */
  @Expose()
  @Transform(toInt)
  @IsInt({ message: 'WORKER_RISK_NOTICE_BATCH_SIZE must be a whole number' })
  @Min(1)
  @Max(5000)
  WORKER_RISK_NOTICE_BATCH_SIZE: number = 500;

  /** how often the Temporal Schedule re-hashes every stored evidence file (ISO-8601 duration) */
  @Expose()
  @IsString()
  @Matches(/^P(?!$)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/, {
    message: 'EVIDENCE_INTEGRITY_EVERY must be an ISO-8601 duration such as P1D or PT6H',
  })
  EVIDENCE_INTEGRITY_EVERY: string = 'P1D';

  /** how often the Temporal Schedule looks for evidence whose retention date has passed */
  @Expose()
  @IsString()
  @Matches(/^P(?!$)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/, {
    message: 'EVIDENCE_RETENTION_REVIEW_EVERY must be an ISO-8601 duration such as P1D or PT6H',
  })
  EVIDENCE_RETENTION_REVIEW_EVERY: string = 'P1D';

  /** how often notifications whose email failed are sent again (ISO-8601 duration) */
  @Expose()
  @IsString()
  @Matches(/^P(?!$)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/, { message: 'EMAIL_RETRY_EVERY must be an ISO-8601 duration such as PT1M' })
  EMAIL_RETRY_EVERY: string = 'PT1M';

  /** how often the Temporal Schedule signs a checkpoint of each authority's grown audit log */
  @Expose()
  @IsString()
  @Matches(/^P(?!$)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/, { message: 'CHECKPOINT_EVERY must be an ISO-8601 duration such as PT1H' })
  CHECKPOINT_EVERY: string = 'PT1H';

  @Expose()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';
}

/** True for an Ed25519 private key in PKCS#8 PEM. */
export function isEd25519PrivateKeyPem(value: unknown): boolean {
  if (typeof value !== 'string' || !value.includes('-----BEGIN PRIVATE KEY-----')) return false;
  try {
    return createPrivateKey(value).asymmetricKeyType === 'ed25519';
  } catch {
    return false;
  }
}

/** The key that signs the transparency log's checkpoints (libs/transparency). Never logged. */
export class CheckpointConfig {
  @Expose()
  @IsString()
  DATA_DIR: string = '.data';

  /**
   * unset: DATA_DIR/keys/checkpoint-signing-key.pem, created on first use. Every process that
   * signs (API and worker) must use the same key. `\n` escapes are read as line breaks, for
   * environments that cannot hold a multi-line value.
   */
  @Expose()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : String(value).replace(/\\n/g, '\n')))
  @IsOptional()
  @ValidateBy({
    name: 'isEd25519PrivateKeyPem',
    validator: {
      validate: isEd25519PrivateKeyPem,
      defaultMessage: () => 'CHECKPOINT_SIGNING_KEY must be an Ed25519 private key in PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)',
    },
  })
  CHECKPOINT_SIGNING_KEY?: string;
}

/** Evidence uploads: where the bytes go, how large, and which content types are taken. */
export class EvidenceConfig {
  /** the write-once content store; `DATA_DIR/evidence` when unset */
  @Expose()
  @IsOptional()
  @IsString()
  EVIDENCE_DIR?: string;

  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @ValidateBy({
    name: 'copyableByS3',
    validator: {
      validate: (value, args) => (args?.object as EvidenceConfig).EVIDENCE_STORE !== 's3' || (value as number) <= 5 * 1024 ** 3,
      defaultMessage: () => 'EVIDENCE_MAX_BYTES must be at most 5368709120 (5 GiB, the largest object S3 copies in one request) when EVIDENCE_STORE is s3',
    },
  })
  EVIDENCE_MAX_BYTES: number = 2 * 1024 ** 3;

  /** comma-separated allow-list of Content-Types an upload may have */
  @Expose()
  @IsString()
  @Matches(/^\s*[\w.+-]+\/[\w.+-]+\s*(,\s*[\w.+-]+\/[\w.+-]+\s*)*$/, { message: 'EVIDENCE_CONTENT_TYPES must be a comma-separated list of type/subtype' })
  EVIDENCE_CONTENT_TYPES: string = [
    'application/pdf',
    'image/jpeg',
    'image/png',
    'image/tiff',
    'image/heic',
    'text/plain',
    'text/csv',
    'message/rfc822',
    'audio/mpeg',
    'audio/wav',
    'video/mp4',
    'application/zip',
    'application/octet-stream',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ].join(',');

  @Expose()
  @IsString()
  DATA_DIR: string = '.data';

  /** where the bytes go: `fs` (EVIDENCE_DIR) or `s3` (the S3_* settings) */
  @Expose()
  @IsIn(['fs', 's3'], { message: 'EVIDENCE_STORE must be fs or s3' })
  EVIDENCE_STORE: 'fs' | 's3' = 'fs';

  /** an S3-compatible server's URL; unset for AWS S3 */
  @Expose()
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['https', 'http'], require_protocol: true }, { message: 'S3_ENDPOINT must be an http(s) URL' })
  S3_ENDPOINT?: string;

  @Expose()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9-]*$/, { message: 'S3_REGION must be a region name such as eu-west-2' })
  S3_REGION: string = 'us-east-1';

  @Expose()
  @Transform(emptyToUndefined)
  @ValidateIf((c: EvidenceConfig) => c.EVIDENCE_STORE === 's3' || c.S3_BUCKET !== undefined)
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'S3_BUCKET must be a bucket name: 3 to 63 lowercase letters, digits, dots and hyphens' })
  S3_BUCKET?: string;

  /** with S3_SECRET_ACCESS_KEY; both unset means the AWS SDK's default credential chain */
  @Expose()
  @Transform(emptyToUndefined)
  @IsOptional()
  @ValidateBy({
    name: 'withSecret',
    validator: {
      validate: (_, args) => (args?.object as EvidenceConfig).S3_SECRET_ACCESS_KEY !== undefined,
      defaultMessage: () => 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together',
    },
  })
  S3_ACCESS_KEY_ID?: string;

  /** never logged */
  @Expose()
  @Transform(emptyToUndefined)
  @IsOptional()
  @ValidateBy({
    name: 'withKeyId',
    validator: {
      validate: (_, args) => (args?.object as EvidenceConfig).S3_ACCESS_KEY_ID !== undefined,
      defaultMessage: () => 'S3_SECRET_ACCESS_KEY and S3_ACCESS_KEY_ID must be set together',
    },
  })
  S3_SECRET_ACCESS_KEY?: string;

  /** path-style URLs (`endpoint/bucket/key`), which most S3-compatible servers need */
  @Expose()
  @Transform(({ value }) =>
    value === undefined || value === '' ? false : value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value,
  )
  @IsBoolean({ message: 'S3_FORCE_PATH_STYLE must be true or false' })
  S3_FORCE_PATH_STYLE: boolean = false;
}

/** True for smtp://[user[:password]@]host[:port] and smtps://…, the URLs nodemailer accepts. */
export function isSmtpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '' && (url.pathname === '' || url.pathname === '/');
  } catch {
    return false;
  }
}

/** Email notifications from the worker (libs/mail). Never logged: SMTP_URL may hold a password. */
export class SmtpConfig {
  /** unset (or empty) means notifications are in-app only */
  @Expose()
  @Transform(({ value }) => (value === '' ? undefined : value))
  @IsOptional()
  @ValidateBy({
    name: 'isSmtpUrl',
    validator: {
      validate: isSmtpUrl,
      defaultMessage: () =>
        'SMTP_URL must be a URL like smtp://user:password@host:587 or smtps://…:465, with special characters in the user or password percent-encoded',
    },
  })
  SMTP_URL?: string;

  @Expose()
  @IsString()
  @Matches(/^(?:[^<>@]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/, {
    message: 'SMTP_FROM must be an address like "Election casework <casework@example.gov.uk>"',
  })
  SMTP_FROM: string = 'Election casework <casework@localhost>';
}

/**
 * The web front end's OpenID Connect sign-in (authorization code with PKCE). Required when an
 * identity provider is configured (AUTH_JWKS_URL); unused on the embedded default.
 */
export class WebConfig {
  @Expose()
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  AUTH_JWKS_URL?: string;

  /** as for the API (AuthConfig): how long the provider's JWKS is kept before it is fetched again */
  @Expose()
  @Transform(toInt)
  @IsInt({ message: 'AUTH_JWKS_CACHE_SECONDS must be a whole number of seconds' })
  @Min(1)
  @Max(86_400)
  AUTH_JWKS_CACHE_SECONDS: number = 600;

  /** the provider's issuer URL; its /.well-known/openid-configuration is read at first sign-in */
  @Expose()
  @Transform(emptyToUndefined)
  @ValidateIf((c: WebConfig) => Boolean(c.AUTH_JWKS_URL))
  @IsUrl({ require_tld: false, protocols: ['https', 'http'] }, { message: 'OIDC_ISSUER_URL must be an http(s) URL when AUTH_JWKS_URL is set' })
  OIDC_ISSUER_URL?: string;

  @Expose()
  @Transform(emptyToUndefined)
  @ValidateIf((c: WebConfig) => Boolean(c.AUTH_JWKS_URL))
  @IsString({ message: 'OIDC_CLIENT_ID must be set when AUTH_JWKS_URL is' })
  OIDC_CLIENT_ID?: string;

  /** for a confidential client (sent as client_secret_post); a public client relies on PKCE alone */
  @Expose()
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  OIDC_CLIENT_SECRET?: string;

  /** this service's callback as registered with the provider, ending in /sign-in/callback */
  @Expose()
  @Transform(emptyToUndefined)
  @ValidateIf((c: WebConfig) => Boolean(c.AUTH_JWKS_URL))
  @IsUrl({ require_tld: false, protocols: ['https', 'http'] }, { message: 'OIDC_REDIRECT_URL must be an http(s) URL when AUTH_JWKS_URL is set' })
  @Matches(/\/sign-in\/callback$/, { message: 'OIDC_REDIRECT_URL must end in /sign-in/callback' })
  OIDC_REDIRECT_URL?: string;

  @Expose()
  @IsString()
  OIDC_SCOPES: string = 'openid profile email';

  /** which of the provider's tokens the API accepts as the bearer token (its audience is AUTH_AUDIENCE) */
  @Expose()
  @IsIn(['access_token', 'id_token'])
  OIDC_API_TOKEN: 'access_token' | 'id_token' = 'access_token';
}

/** The web pages' templates (apps/web/src/render.ts): Node's own NODE_ENV convention. */
export class TemplatesConfig {
  /** `development` re-reads the page templates on every request instead of caching them */
  @Expose()
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  NODE_ENV?: string;
}

const optionalPort = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : /^\d+$/.test(String(value)) ? Number(value) : value);

/**
 * Telemetry for the API and the worker (libs/telemetry, docs/operators/telemetry.md): Prometheus
 * metrics on a port of their own, apart from the API's, and OpenTelemetry traces exported by
 * OTLP/HTTP. Everything is off unless its variable is set.
 */
export class TelemetryConfig {
  /** the interface both metrics endpoints bind to; loopback unless a scraper elsewhere needs them */
  @Expose()
  @IsString()
  @Matches(/^(?:[\w.-]+|\[?[0-9a-fA-F:.]*:[0-9a-fA-F:.]*\]?)$/, { message: 'METRICS_HOST must be a host name or IP address' })
  METRICS_HOST: string = '127.0.0.1';

  /** the API's GET /metrics; unset: no metrics endpoint */
  @Expose()
  @Transform(optionalPort)
  @IsOptional()
  @IsInt({ message: 'METRICS_PORT must be a port number (1-65535)' })
  @Min(1, { message: 'METRICS_PORT must be a port number (1-65535)' })
  @Max(65535, { message: 'METRICS_PORT must be a port number (1-65535)' })
  METRICS_PORT?: number;

  /** the worker's GET /metrics, its own counters with the Temporal SDK's worker metrics; unset: none */
  @Expose()
  @Transform(optionalPort)
  @IsOptional()
  @IsInt({ message: 'WORKER_METRICS_PORT must be a port number (1-65535)' })
  @Min(1, { message: 'WORKER_METRICS_PORT must be a port number (1-65535)' })
  @Max(65535, { message: 'WORKER_METRICS_PORT must be a port number (1-65535)' })
  WORKER_METRICS_PORT?: number;

  /**
   * where the Temporal SDK's own Prometheus exporter listens, on 127.0.0.1 only; the worker's
   * /metrics reads it and serves it with its own. Unset: a free port chosen at start.
   */
  @Expose()
  @Transform(optionalPort)
  @IsOptional()
  @IsInt({ message: 'TEMPORAL_SDK_METRICS_PORT must be a port number (1-65535)' })
  @Min(1, { message: 'TEMPORAL_SDK_METRICS_PORT must be a port number (1-65535)' })
  @Max(65535, { message: 'TEMPORAL_SDK_METRICS_PORT must be a port number (1-65535)' })
  TEMPORAL_SDK_METRICS_PORT?: number;

  /** an OTLP/HTTP collector's base URL (traces go to its /v1/traces); unset: no tracing at all */
  @Expose()
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['https', 'http'], require_protocol: true },
    { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL such as http://collector:4318' },
  )
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** the service.name of this process's spans; unset: casework-api or casework-worker */
  @Expose()
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[\w.\-/]{1,100}$/, { message: 'OTEL_SERVICE_NAME must be 1 to 100 letters, digits, dots, dashes, slashes or underscores' })
  OTEL_SERVICE_NAME?: string;
}
