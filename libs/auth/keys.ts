// The embedded signing key: on the default (no identity provider) the API signs and verifies its
// own tokens with an RS256 key kept under DATA_DIR/keys. It is created on first use, readable by
// its owner only, and never logged.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, JWK, KeyLike } from 'jose';

export const EMBEDDED_ISSUER = 'election-casework-embedded';
export const EMBEDDED_AUDIENCE = 'election-casework-api';
export const SIGNING_ALG = 'RS256';

export interface SigningKeys {
  privateKey: KeyLike;
  publicKey: KeyLike;
  kid: string;
}

export function keyFile(dataDir: string): string {
  return join(dataDir, 'keys', 'jwt-signing-key.json');
}

/** The key in DATA_DIR, or undefined when there is none (a command that only signs must not invent one). */
export async function loadSigningKeys(dataDir: string): Promise<SigningKeys | undefined> {
  return existsSync(keyFile(dataDir)) ? loadOrCreateSigningKeys(dataDir) : undefined;
}

export async function loadOrCreateSigningKeys(dataDir: string): Promise<SigningKeys> {
  const file = keyFile(dataDir);
  if (!existsSync(file)) {
    const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
    const jwk = await exportJWK(privateKey);
    jwk.kid = `embedded-${Date.now().toString(36)}`;
    mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  const { d, p, q, dp, dq, qi, ...publicJwk } = jwk;
  return {
    privateKey: (await importJWK(jwk, SIGNING_ALG)) as KeyLike,
    publicKey: (await importJWK(publicJwk, SIGNING_ALG)) as KeyLike,
    kid: jwk.kid ?? 'embedded',
  };
}
