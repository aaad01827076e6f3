// The process that runs oidc-provider for test/support/oidc-provider.ts, which holds the
// configuration (clients, accounts, claims, keys) and sends it here over IPC. oidc-provider is an
// ES module only, and Jest (CommonJS through SWC) cannot load one on Node 20, so the provider runs
// in a child process of its own.
//
// Messages from the parent: { op: 'start', config, jwks } answers { op: 'started', issuer };
// { op: 'keys', jwks } answers { op: 'keys-set' } once the provider publishes and signs with the
// new keys (the first one signs): a Provider's keys are fixed when it is made, so a new one takes
// over. Sessions, grants and codes live in the in-memory adapter below, one store for the process
// (oidc-provider's own gives each Provider a store of its own), so they survive the change.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

/** One in-memory store for every Provider in this process: `${model}:${id}` to its payload. */
const store = new Map();
const expiry = new Map();
const live = (key) => {
  if ((expiry.get(key) ?? Infinity) > Date.now()) return store.get(key);
  store.delete(key);
  expiry.delete(key);
  return undefined;
};

class SharedMemoryAdapter {
  constructor(model) {
    this.model = model;
  }
  key(id) {
    return `${this.model}:${id}`;
  }
  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    store.set(key, payload);
    if (expiresIn) expiry.set(key, Date.now() + expiresIn * 1000);
    if (payload.uid) store.set(`uid:${this.model}:${payload.uid}`, id);
    if (payload.userCode) store.set(`userCode:${this.model}:${payload.userCode}`, id);
    if (payload.grantId) store.set(`grant:${payload.grantId}`, [...(store.get(`grant:${payload.grantId}`) ?? []), key]);
  }
  async find(id) {
    return live(this.key(id));
  }
  async findByUid(uid) {
    return this.find(store.get(`uid:${this.model}:${uid}`));
  }
  async findByUserCode(userCode) {
    return this.find(store.get(`userCode:${this.model}:${userCode}`));
  }
  async consume(id) {
    const payload = live(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id) {
    store.delete(this.key(id));
  }
  async revokeByGrantId(grantId) {
    for (const key of store.get(`grant:${grantId}`) ?? []) store.delete(key);
    store.delete(`grant:${grantId}`);
  }
}

let server;
let provider;
let config;
let issuer;

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><main><h1>${esc(title)}</h1>${body}</main></body></html>`;

function accountById(id) {
  return Object.values(config.accounts).find((a) => a.accountId === id);
}

function providerWith(jwks) {
  const p = new Provider(issuer, {
    adapter: SharedMemoryAdapter,
    clients: config.clients,
    jwks,
    cookies: { keys: config.cookieKeys },
    claims: config.claimsByScope,
    scopes: ['openid', 'offline_access', ...Object.keys(config.claimsByScope).filter((s) => s !== 'openid'), config.resource.scope],
    pkce: { required: () => true },
    findAccount: async (_ctx, id) => {
      const account = accountById(id);
      return account && { accountId: id, claims: async () => ({ sub: id, ...account.claims }) };
    },
    // The claims the API reads (roles, authorityId or forceId, name) go into the access token.
    extraTokenClaims: async (_ctx, token) => {
      if (token.kind !== 'AccessToken') return undefined;
      const account = accountById(token.accountId);
      return account
        ? Object.fromEntries(config.resource.tokenClaims.filter((c) => account.claims[c] !== undefined).map((c) => [c, account.claims[c]]))
        : undefined;
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => config.resource.indicator,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator) => {
          if (indicator !== config.resource.indicator) throw new Provider.errors.InvalidTarget();
          return {
            scope: config.resource.scope,
            audience: config.resource.audience,
            accessTokenTTL: 3600,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
  });
  p.on('server_error', (_ctx, error) => process.stderr.write(`oidc-provider server_error: ${error.stack}\n`));
  return p;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

/** The login prompt asks for a username (any account in the config); consent is granted at once. */
async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (details.prompt.name === 'login') {
    if (req.method === 'POST' && action === 'login') {
      const form = await readForm(req);
      const account = config.accounts[form.get('login') ?? ''];
      if (account) return provider.interactionFinished(req, res, { login: { accountId: account.accountId } }, { mergeWithLastSubmission: false });
      return sendLogin(res, uid, 'No such account');
    }
    return sendLogin(res, uid);
  }
  if (details.prompt.name === 'consent') {
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  throw new Error(`unexpected prompt ${details.prompt.name}`);
}

function sendLogin(res, uid, problem) {
  res.writeHead(problem ? 400 : 200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(
    page(
      'Sign in to the test identity provider',
      `${problem ? `<p role="alert">${esc(problem)}</p>` : ''}<form method="post" action="/interaction/${esc(uid)}/login"><label for="login">Username</label> <input id="login" name="login" autocomplete="username"> <button type="submit">Sign in</button></form>`,
    ),
  );
}

async function handle(req, res) {
  const match = /^\/interaction\/([\w-]+)(?:\/(login))?$/.exec(new URL(req.url, issuer).pathname);
  if (!match) return provider.callback()(req, res);
  try {
    await interaction(req, res, match[1], match[2]);
  } catch (error) {
    process.stderr.write(`test identity provider interaction failed: ${error.stack}\n`);
    if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' }).end(`interaction failed: ${error.message}`);
  }
}

process.on('message', async (message) => {
  try {
    if (message.op === 'start') {
      config = message.config;
      server = createServer((req, res) => void handle(req, res));
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      issuer = `http://127.0.0.1:${server.address().port}`;
      provider = providerWith(message.jwks);
      process.send({ op: 'started', issuer });
    } else if (message.op === 'keys') {
      provider = providerWith(message.jwks);
      process.send({ op: 'keys-set' });
    }
  } catch (error) {
    process.send({ op: 'failed', error: error.stack });
  }
});
process.on('disconnect', () => process.exit(0));
