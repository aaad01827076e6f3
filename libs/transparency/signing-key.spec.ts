import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointKeyFile, loadCheckpointSigner } from './signing-key';

const ed25519 = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('loadCheckpointSigner', () => {
  it('creates the key under DATA_DIR on first use, readable by its owner only, and keeps it', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'checkpoint-key-'));
    try {
      const first = loadCheckpointSigner({ DATA_DIR: dataDir });
      expect(statSync(checkpointKeyFile(dataDir)).mode & 0o777).toBe(0o600);
      expect(loadCheckpointSigner({ DATA_DIR: dataDir }).keyId).toBe(first.keyId);
      expect(first.keyId).toMatch(/^[0-9a-f]{16}$/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('prefers CHECKPOINT_SIGNING_KEY and writes nothing then', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'checkpoint-key-'));
    try {
      const signer = loadCheckpointSigner({ DATA_DIR: dataDir, CHECKPOINT_SIGNING_KEY: ed25519 });
      expect(signer.privateKey.export({ type: 'pkcs8', format: 'pem' })).toBe(ed25519);
      expect(() => statSync(checkpointKeyFile(dataDir))).toThrow();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
