// One class per module; each is validated when its process starts (see load.ts).
import { Expose, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, ValidateIf } from 'class-validator';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value);

export class DatabaseConfig {
  @Expose() @IsString() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string;

  @Expose() @Transform(toInt) @IsInt() @Min(1) @Max(200)
  DATABASE_POOL_SIZE: number = 20;
}

export class TemporalConfig {
  @Expose() @IsString() @Matches(/^[^\s:]+:\d+$/, { message: 'TEMPORAL_ADDRESS must be host:port' })
  TEMPORAL_ADDRESS: string;

  @Expose() @IsString() @Matches(/^[\w.-]+$/, { message: 'TEMPORAL_NAMESPACE must be a namespace name' })
  TEMPORAL_NAMESPACE: string = 'default';

  @Expose() @IsString() @Matches(/^[\w.-]+$/, { message: 'TEMPORAL_TASK_QUEUE must be a task queue name' })
  TEMPORAL_TASK_QUEUE: string = 'allegations';
}

export class ApiConfig {
  @Expose() @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT: number = 3000;

  @Expose() @IsString()
  DATA_DIR: string = '.data';

  /** how often the API looks for allegations whose workflow start did not complete */
  @Expose() @Transform(toInt) @IsInt() @Min(100)
  OUTBOX_SWEEP_MS: number = 5_000;

  /** an outbox row younger than this is still being started by the request that wrote it */
  @Expose() @Transform(toInt) @IsInt() @Min(0)
  OUTBOX_GRACE_MS: number = 10_000;

  @Expose() @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  /** how long a decision waits for the case's workflow (a stopped worker) before answering 503 */
  @Expose() @Transform(toInt) @IsInt() @Min(100)
  DECISION_TIMEOUT_MS: number = 15_000;
}

export class AuthConfig {
  @Expose() @IsOptional() @IsUrl({ require_tld: false, protocols: ['https', 'http'] }, { message: 'AUTH_JWKS_URL must be an http(s) URL' })
  AUTH_JWKS_URL?: string;

  @Expose() @ValidateIf((c: AuthConfig) => Boolean(c.AUTH_JWKS_URL)) @IsString({ message: 'AUTH_ISSUER must be set when AUTH_JWKS_URL is' })
  AUTH_ISSUER?: string;

  @Expose() @ValidateIf((c: AuthConfig) => Boolean(c.AUTH_JWKS_URL)) @IsString({ message: 'AUTH_AUDIENCE must be set when AUTH_JWKS_URL is' })
  AUTH_AUDIENCE?: string;

  @Expose() @IsString()
  DATA_DIR: string = '.data';
}

export class WorkerConfig {
  @Expose() @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  WORKER_MAX_CONCURRENT_ACTIVITIES: number = 50;

  @Expose() @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';
}

/** Evidence uploads: where the bytes go, how large, and which content types are taken. */
export class EvidenceConfig {
  /** the write-once content store; `DATA_DIR/evidence` when unset */
  @Expose() @IsOptional() @IsString()
  EVIDENCE_DIR?: string;

  @Expose() @Transform(toInt) @IsInt() @Min(1)
  EVIDENCE_MAX_BYTES: number = 2 * 1024 ** 3;

  /** comma-separated allow-list of Content-Types an upload may have */
  @Expose() @IsString() @Matches(/^\s*[\w.+-]+\/[\w.+-]+\s*(,\s*[\w.+-]+\/[\w.+-]+\s*)*$/, { message: 'EVIDENCE_CONTENT_TYPES must be a comma-separated list of type/subtype' })
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

  @Expose() @IsString()
  DATA_DIR: string = '.data';
}
