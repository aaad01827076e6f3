// `npm run -s token -- staff@northshire`: prints a bearer token for a demo user and nothing else,
// signed with the embedded key in DATA_DIR. Refused when an identity provider is configured.
import { resolve } from 'node:path';
import { DEMO_USERS, findDemoUser, loadOrCreateSigningKeys, signToken } from '../libs/auth';

async function main(): Promise<number> {
  if (process.env.AUTH_JWKS_URL) {
    console.error('token: AUTH_JWKS_URL is set, so tokens come from your identity provider; this command only signs for the embedded default');
    return 2;
  }
  const username = process.argv[2];
  const user = username ? findDemoUser(username) : undefined;
  if (!user) {
    console.error(`token: ${username ? `no demo user "${username}"` : 'name a demo user'}; one of:\n  ${DEMO_USERS.map((u) => u.username).join('\n  ')}`);
    return 2;
  }
  const keys = await loadOrCreateSigningKeys(resolve(process.env.DATA_DIR ?? '.data'));
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
