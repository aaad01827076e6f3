// `npm run -s token -- staff@northshire`: prints a bearer token for a demo user and nothing else,
// signed with the embedded key in DATA_DIR (default .data), which `npm start` creates. When that
// directory has no key it refuses, naming the directory: a key made here would sign tokens that a
// server started with another DATA_DIR rejects. `--create-key` makes one there (for a server not
// started yet). Refused when an identity provider is configured.
import { resolve } from 'node:path';
import { DEMO_USERS, findDemoUser, keyFile, loadOrCreateSigningKeys, loadSigningKeys, signToken } from '@libs/auth';

async function main(): Promise<number> {
  if (process.env.AUTH_JWKS_URL) {
    console.error('token: AUTH_JWKS_URL is set, so tokens come from your identity provider; this command only signs for the embedded default');
    return 2;
  }
  const args = process.argv.slice(2);
  const createKey = args.includes('--create-key');
  const unknownFlag = args.find((a) => a.startsWith('-') && a !== '--create-key');
  if (unknownFlag) {
    console.error(`token: unknown option ${unknownFlag}; usage: npm run -s token -- <demo user> [--create-key]`);
    return 2;
  }
  const username = args.find((a) => !a.startsWith('-'));
  const user = username ? findDemoUser(username) : undefined;
  if (!user) {
    console.error(`token: ${username ? `no demo user "${username}"` : 'name a demo user'}; one of:\n  ${DEMO_USERS.map((u) => u.username).join('\n  ')}`);
    return 2;
  }
  const dataDir = resolve(process.env.DATA_DIR ?? '.data');
  const keys = createKey ? await loadOrCreateSigningKeys(dataDir) : await loadSigningKeys(dataDir);
  if (!keys) {
    console.error(
      `token: there is no signing key in ${dataDir} (no ${keyFile(dataDir)}), so the API was never started with DATA_DIR=${dataDir}. ` +
        'Set DATA_DIR to the directory `npm start` uses (by default .data in the project directory), ' +
        'or add --create-key to make a key there for a server you have not started yet.',
    );
    return 2;
  }
  const token = await signToken(keys, { sub: user.id, roles: user.roles, authorityId: user.authorityId, forceId: user.forceId, name: user.username });
  process.stdout.write(`${token}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`token: ${(error as Error).message}`);
    process.exit(1);
  },
);
