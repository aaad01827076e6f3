import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTestCertificates, TestCertificates } from '../../test/support/tls-certs';
import { certFileProblem, ConfigError, loadConfig, TemporalConfig, temporalUsesTls } from '.';
import { temporalConnectionOptions } from '@libs/temporal';

let certs: TestCertificates;
beforeAll(() => {
  certs = makeTestCertificates();
});
afterAll(() => certs.remove());

const base = { TEMPORAL_ADDRESS: 'temporal.internal:7233' };

/** The one-line ConfigError message for these settings. */
function refusal(env: Record<string, string>): string {
  try {
    loadConfig(TemporalConfig, { ...base, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('the settings were accepted');
}

describe('TemporalConfig: connection security', () => {
  it('is plain gRPC with nothing set, as to a local dev server', () => {
    const config = loadConfig(TemporalConfig, base);
    expect(temporalUsesTls(config)).toBe(false);
    expect(temporalConnectionOptions(config)).toEqual({ address: 'temporal.internal:7233', tls: false });
  });

  it('takes mutual TLS from three PEM files and a server name, and hands the SDK their bytes', () => {
    const config = loadConfig(TemporalConfig, {
      ...base,
      TEMPORAL_TLS_CA: certs.ca,
      TEMPORAL_TLS_CERT: certs.clientCert,
      TEMPORAL_TLS_KEY: certs.clientKey,
      TEMPORAL_TLS_SERVER_NAME: 'localhost',
    });
    const options = temporalConnectionOptions(config);
    expect(options.tls).toEqual({
      serverNameOverride: 'localhost',
      serverRootCACertificate: readFileSync(certs.ca),
      clientCertPair: { crt: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) },
    });
    expect(options.apiKey).toBeUndefined();
  });

  it('turns TLS on (system CAs) for an API key, as Temporal Cloud needs, unless TEMPORAL_TLS=false says otherwise', () => {
    const cloud = loadConfig(TemporalConfig, {
      TEMPORAL_ADDRESS: 'eu-west-2.aws.api.temporal.io:7233',
      TEMPORAL_NAMESPACE: 'casework.a1b2c',
      TEMPORAL_API_KEY: 'eyJhbGciOi.secret-part',
    });
    expect(temporalConnectionOptions(cloud)).toEqual({ address: 'eu-west-2.aws.api.temporal.io:7233', tls: {}, apiKey: 'eyJhbGciOi.secret-part' });
    const plain = loadConfig(TemporalConfig, { ...base, TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' });
    expect(temporalConnectionOptions(plain)).toEqual({ address: 'temporal.internal:7233', tls: false, apiKey: 'k' });
    expect(temporalConnectionOptions(loadConfig(TemporalConfig, { ...base, TEMPORAL_TLS: 'true' })).tls).toEqual({});
  });

  it.each([
    [
      'a CA file that does not exist',
      { TEMPORAL_TLS_CA: '/nonexistent/ca.pem' },
      /^configuration error: TEMPORAL_TLS_CA names a file that cannot be read \(no such file\): \/nonexistent\/ca\.pem$/,
    ],
    ['a directory for the CA', { TEMPORAL_TLS_CA: '/tmp' }, /^configuration error: TEMPORAL_TLS_CA names a file that cannot be read \(it is a directory\)/],
    ['a CA file that is not PEM', { TEMPORAL_TLS_CA: __filename }, /^configuration error: TEMPORAL_TLS_CA is not a PEM file of CA certificates/],
    [
      'PEM text where a path belongs',
      { TEMPORAL_TLS_CA: '-----BEGIN CERTIFICATE-----\nMIIB' },
      /^configuration error: TEMPORAL_TLS_CA must be the path of a PEM file, not the PEM text itself$/,
    ],
    [
      'a client certificate without its key',
      { TEMPORAL_TLS_CERT: '<client>' },
      /^configuration error: TEMPORAL_TLS_CERT is set but TEMPORAL_TLS_KEY is not: a client certificate needs its private key$/,
    ],
    ['a key without its certificate', { TEMPORAL_TLS_KEY: '<key>' }, /^configuration error: TEMPORAL_TLS_KEY is set but TEMPORAL_TLS_CERT is not/],
    [
      'a key file for the certificate',
      { TEMPORAL_TLS_CERT: '<key>', TEMPORAL_TLS_KEY: '<key>' },
      /^configuration error: TEMPORAL_TLS_CERT is not a PEM file of a client certificate/,
    ],
    [
      'a certificate for the key',
      { TEMPORAL_TLS_CERT: '<client>', TEMPORAL_TLS_KEY: '<client>' },
      /^configuration error: TEMPORAL_TLS_KEY is not a PEM private key file/,
    ],
    [
      "another certificate's key",
      { TEMPORAL_TLS_CERT: '<client>', TEMPORAL_TLS_KEY: '<stranger-key>' },
      /^configuration error: TEMPORAL_TLS_KEY is not the private key of the certificate in TEMPORAL_TLS_CERT$/,
    ],
    [
      'an unreadable key',
      { TEMPORAL_TLS_CERT: '<client>', TEMPORAL_TLS_KEY: '/nonexistent/secret-key-path.pem' },
      /^configuration error: TEMPORAL_TLS_KEY names a file that cannot be read \(no such file\)$/,
    ],
    [
      'TLS files with TEMPORAL_TLS=false',
      { TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA: '<ca>' },
      /^configuration error: TEMPORAL_TLS is false but TEMPORAL_TLS_CA is set: unset one of them$/,
    ],
    ['TEMPORAL_TLS=yes', { TEMPORAL_TLS: 'yes' }, /^configuration error: TEMPORAL_TLS must be true or false$/],
    ['a server name with a port', { TEMPORAL_TLS_SERVER_NAME: 'temporal.internal:7233' }, /^configuration error: TEMPORAL_TLS_SERVER_NAME must be a host name/],
    [
      'an API key with Bearer in front',
      { TEMPORAL_API_KEY: 'Bearer abc.def' },
      /^configuration error: TEMPORAL_API_KEY must be the key alone, without 'Bearer '$/,
    ],
    ['an API key with a line break', { TEMPORAL_API_KEY: 'abc\ndef-secret' }, /^configuration error: TEMPORAL_API_KEY must be one token of printable ASCII/],
    ['a connect timeout under half a second', { TEMPORAL_CONNECT_TIMEOUT_MS: '10' }, /^configuration error: TEMPORAL_CONNECT_TIMEOUT_MS/],
  ])('refuses %s in one line that names the variable', (_, env, message) => {
    const files: Record<string, string> = { '<client>': certs.clientCert, '<key>': certs.clientKey, '<stranger-key>': certs.strangerKey, '<ca>': certs.ca };
    const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, files[v] ?? v]));
    expect(refusal(resolved)).toMatch(message);
  });

  it('never shows a private key, its path, or an API key in a refusal', () => {
    const keyText = readFileSync(certs.clientKey, 'utf8');
    const misplaced = join(certs.dir, 'ca-is-a-key.pem');
    writeFileSync(misplaced, keyText);
    for (const env of [
      { TEMPORAL_TLS_CERT: certs.clientCert, TEMPORAL_TLS_KEY: certs.strangerKey },
      { TEMPORAL_TLS_CERT: certs.clientCert, TEMPORAL_TLS_KEY: keyText },
      { TEMPORAL_TLS_CA: misplaced },
      { TEMPORAL_API_KEY: 'Bearer top-secret-key' },
      { TEMPORAL_API_KEY: 'top secret key' },
    ] as Record<string, string>[]) {
      const message = refusal(env);
      expect(message).not.toContain('secret');
      expect(message).not.toContain(certs.strangerKey);
      expect(message).not.toContain(keyText.split('\n')[1]);
    }
  });

  it('refuses a client certificate that has expired', () => {
    const later = new Date(Date.now() + 5 * 24 * 3600_000);
    expect(certFileProblem(certs.clientCert, later)).toMatch(/^holds a certificate that expired on \d{4}-\d\d-\d\d$/);
    expect(certFileProblem(certs.clientCert)).toBeUndefined();
  });
});
