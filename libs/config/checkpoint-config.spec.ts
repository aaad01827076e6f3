import { generateKeyPairSync } from 'node:crypto';
import { CheckpointConfig, ConfigError, loadConfig, WorkerConfig } from '.';

const ed25519 = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('CheckpointConfig', () => {
  it('takes an Ed25519 PKCS#8 PEM, with real or escaped line breaks', () => {
    expect(loadConfig(CheckpointConfig, { CHECKPOINT_SIGNING_KEY: ed25519 }).CHECKPOINT_SIGNING_KEY).toBe(ed25519);
    expect(loadConfig(CheckpointConfig, { CHECKPOINT_SIGNING_KEY: ed25519.replace(/\n/g, '\\n') }).CHECKPOINT_SIGNING_KEY).toBe(ed25519);
    expect(loadConfig(CheckpointConfig, { CHECKPOINT_SIGNING_KEY: '' }).CHECKPOINT_SIGNING_KEY).toBeUndefined();
  });

  it.each([
    ['an RSA key', generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()],
    ['a public key', generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString()],
    ['a truncated key', ed25519.slice(0, 60)],
    ['not PEM', 'MC4CAQAwBQYDK2VwBCIEIKZ8q0m7hYQ8kq'],
  ])('refuses %s in one line that names the variable and never shows the value', (_, value) => {
    let error: unknown;
    try {
      loadConfig(CheckpointConfig, { CHECKPOINT_SIGNING_KEY: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^configuration error: CHECKPOINT_SIGNING_KEY must be an Ed25519 private key/);
    expect((error as Error).message).not.toContain(value.slice(30, 50));
    expect((error as Error).message).not.toContain('\n');
  });

  it('gives the checkpoint Schedule an hourly default cadence', () => {
    expect(loadConfig(WorkerConfig, {}).CHECKPOINT_EVERY).toBe('PT1H');
    expect(() => loadConfig(WorkerConfig, { CHECKPOINT_EVERY: 'hourly' })).toThrow(/CHECKPOINT_EVERY must be an ISO-8601 duration/);
  });
});
