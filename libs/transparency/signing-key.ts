// The key that signs checkpoints: CHECKPOINT_SIGNING_KEY when set, otherwise an Ed25519 key kept
// under DATA_DIR/keys, created on first use, readable by its owner only, and never logged.
import { createPrivateKey, createPublicKey, KeyObject, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointConfig } from '@libs/config';
import { checkpointKeyId, generateCheckpointKey } from '@libs/merkle';

export interface CheckpointSigner {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
}

export function checkpointKeyFile(dataDir: string): string {
  return join(dataDir, 'keys', 'checkpoint-signing-key.pem');
}

function signerOf(privateKey: KeyObject): CheckpointSigner {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the checkpoint signing key is not an Ed25519 key');
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: checkpointKeyId(publicKey) };
}

export function loadCheckpointSigner(config: Pick<CheckpointConfig, 'DATA_DIR' | 'CHECKPOINT_SIGNING_KEY'>): CheckpointSigner {
  if (config.CHECKPOINT_SIGNING_KEY) return signerOf(createPrivateKey(config.CHECKPOINT_SIGNING_KEY));
  const file = checkpointKeyFile(config.DATA_DIR);
  if (!existsSync(file)) {
    mkdirSync(join(config.DATA_DIR, 'keys'), { recursive: true, mode: 0o700 });
    const pem = generateCheckpointKey().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    // Written whole under a name of its own, then linked into place: the API and the worker may
    // start together, and neither may read a half-written key. If the other linked first, use theirs.
    const draft = `${file}.${randomBytes(6).toString('hex')}`;
    writeFileSync(draft, pem, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(draft);
    }
  }
  return signerOf(createPrivateKey(readFileSync(file, 'utf8')));
}
