import { ConfigError, EvidenceConfig, loadConfig } from '.';

/** The ConfigError message for this environment, which must be one line. */
function refusal(env: NodeJS.ProcessEnv): string {
  let error: unknown;
  try {
    loadConfig(EvidenceConfig, env);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as Error).message;
  expect(message).not.toContain('\n');
  return message;
}

describe('EvidenceConfig: the content store', () => {
  it('is the directory store by default, with S3 settings unset', () => {
    const config = loadConfig(EvidenceConfig, {});
    expect(config).toMatchObject({ EVIDENCE_STORE: 'fs', S3_REGION: 'us-east-1', S3_FORCE_PATH_STYLE: false, EVIDENCE_MAX_BYTES: 2 * 1024 ** 3 });
    expect(config.S3_BUCKET).toBeUndefined();
    expect(config.S3_ENDPOINT).toBeUndefined();
    expect(config.S3_ACCESS_KEY_ID).toBeUndefined();
  });

  it('reads an S3 bucket on AWS, with the default credential chain', () => {
    const config = loadConfig(EvidenceConfig, { EVIDENCE_STORE: 's3', S3_BUCKET: 'northshire-evidence', S3_REGION: 'eu-west-2' });
    expect(config).toMatchObject({ EVIDENCE_STORE: 's3', S3_BUCKET: 'northshire-evidence', S3_REGION: 'eu-west-2', S3_FORCE_PATH_STYLE: false });
    expect(config.S3_ENDPOINT).toBeUndefined();
    expect(config.S3_ACCESS_KEY_ID).toBeUndefined();
    expect(config.S3_SECRET_ACCESS_KEY).toBeUndefined();
  });

  it('reads an S3-compatible server with a key pair and path-style URLs', () => {
    const env = {
      EVIDENCE_STORE: 's3',
      S3_BUCKET: 'evidence',
      S3_ENDPOINT: 'http://minio.internal:9000',
      S3_ACCESS_KEY_ID: 'casework',
      S3_SECRET_ACCESS_KEY: 'hunter2-secret',
      S3_FORCE_PATH_STYLE: 'true',
    };
    expect(loadConfig(EvidenceConfig, env)).toMatchObject({
      S3_ENDPOINT: 'http://minio.internal:9000',
      S3_ACCESS_KEY_ID: 'casework',
      S3_SECRET_ACCESS_KEY: 'hunter2-secret',
      S3_FORCE_PATH_STYLE: true,
    });
    for (const [value, expected] of [
      ['1', true],
      ['false', false],
      ['0', false],
      ['', false],
    ] as const) {
      expect(loadConfig(EvidenceConfig, { ...env, S3_FORCE_PATH_STYLE: value }).S3_FORCE_PATH_STYLE).toBe(expected);
    }
    // empty values count as unset
    expect(loadConfig(EvidenceConfig, { ...env, S3_ENDPOINT: '', S3_ACCESS_KEY_ID: '', S3_SECRET_ACCESS_KEY: '' })).toMatchObject({
      S3_ENDPOINT: undefined,
      S3_ACCESS_KEY_ID: undefined,
      S3_SECRET_ACCESS_KEY: undefined,
    });
  });

  it.each([
    [{ EVIDENCE_STORE: 'minio' }, 'configuration error: EVIDENCE_STORE must be fs or s3'],
    [{ EVIDENCE_STORE: 's3' }, 'configuration error: S3_BUCKET is required'],
    [{ EVIDENCE_STORE: 's3', S3_BUCKET: '' }, 'configuration error: S3_BUCKET is required'],
    [
      { EVIDENCE_STORE: 's3', S3_BUCKET: 'Evidence_Bucket' },
      'configuration error: S3_BUCKET must be a bucket name: 3 to 63 lowercase letters, digits, dots and hyphens',
    ],
    [{ EVIDENCE_STORE: 's3', S3_BUCKET: 'evidence', S3_REGION: 'EU West 2' }, 'configuration error: S3_REGION must be a region name such as eu-west-2'],
    [{ EVIDENCE_STORE: 's3', S3_BUCKET: 'evidence', S3_ENDPOINT: 'minio.internal:9000' }, 'configuration error: S3_ENDPOINT must be an http(s) URL'],
    [{ EVIDENCE_STORE: 's3', S3_BUCKET: 'evidence', S3_ENDPOINT: 'ftp://minio.internal' }, 'configuration error: S3_ENDPOINT must be an http(s) URL'],
    [{ EVIDENCE_STORE: 's3', S3_BUCKET: 'evidence', S3_FORCE_PATH_STYLE: 'yes' }, 'configuration error: S3_FORCE_PATH_STYLE must be true or false'],
    [
      { EVIDENCE_STORE: 's3', S3_BUCKET: 'evidence', EVIDENCE_MAX_BYTES: String(6 * 1024 ** 3) },
      'configuration error: EVIDENCE_MAX_BYTES must be at most 5368709120 (5 GiB, the largest object S3 copies in one request) when EVIDENCE_STORE is s3',
    ],
  ])('refuses %j in one line that names the variable', (env, message) => {
    expect(refusal(env)).toBe(message);
  });

  it('takes a body over 5 GiB on the directory store', () => {
    expect(loadConfig(EvidenceConfig, { EVIDENCE_MAX_BYTES: String(6 * 1024 ** 3) }).EVIDENCE_MAX_BYTES).toBe(6 * 1024 ** 3);
  });

  it('wants both halves of a key pair, and never shows the secret', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const withoutKeyId = refusal({ EVIDENCE_STORE: 's3', S3_BUCKET: 'evidence', S3_SECRET_ACCESS_KEY: secret });
    expect(withoutKeyId).toBe('configuration error: S3_SECRET_ACCESS_KEY and S3_ACCESS_KEY_ID must be set together');
    expect(refusal({ EVIDENCE_STORE: 's3', S3_BUCKET: 'evidence', S3_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE' })).toBe(
      'configuration error: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together',
    );
    // other errors alongside a secret don't show it either
    const several = refusal({
      EVIDENCE_STORE: 's3',
      S3_BUCKET: 'Bad_Bucket',
      S3_ENDPOINT: `http://casework:${secret}@`,
      S3_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      S3_SECRET_ACCESS_KEY: secret,
    });
    expect(several).toMatch(/^configuration error: S3_ENDPOINT must be an http\(s\) URL; S3_BUCKET must be a bucket name/);
    for (const message of [withoutKeyId, several]) expect(message).not.toContain(secret);
  });
});
