// A real OpenID provider for the tests, on loopback: npm's certified oidc-provider with one
// static client (this application) and a minimal sign-in page that a browser test fills in.
// scripts/test starts it (OIDC_PROVIDER_PORT) beside PostgreSQL and Redis, and stops it.
//
// Test accounts: the name typed on the sign-in page is the subject (`sub`). Whether the
// provider says it did multi-factor authentication (`amr`) depends on the account:
//   mfa-gebruiker        amr ["pwd", "mfa"]
//   acr-gebruiker        amr ["pwd"], acr "urn:ipgar:test:loa-high"
//   anything else        amr ["pwd"]
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PROVIDER_PORT);
if (!port) {
  throw new Error('OIDC_PROVIDER_PORT is not set');
}
const issuer = `http://127.0.0.1:${port}`;
const CLIENT_ID = process.env.OIDC_RP_CLIENT_ID || 'ipgar-test';
const CLIENT_SECRET = process.env.OIDC_RP_CLIENT_SECRET || 'ipgar-test-secret';
const CALLBACK_PATH = '/inloggen/amsterdam/terug/';
const SIGNED_OUT_PATH = '/inloggen/';
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

const SIGN_INS = {
  'mfa-gebruiker': { amr: ['pwd', 'mfa'] },
  'acr-gebruiker': { amr: ['pwd'], acr: 'urn:ipgar:test:loa-high' },
};

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      // Any loopback port: each test server listens on a port of its own (see below).
      redirect_uris: [`http://localhost${CALLBACK_PATH}`],
      post_logout_redirect_uris: [`http://localhost${SIGNED_OUT_PATH}`],
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['ipgar-test-provider-only'] },
  // acr and amr (from the sign-in, not the account) go into the ID token with `openid`.
  claims: { openid: ['sub', 'acr', 'amr'], email: ['email'], profile: ['name'] },
  acrValues: ['urn:ipgar:test:loa-high'],
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { sub, email: `${sub}@example.test`, name: sub };
      },
    };
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // No consent screen: the one client is trusted with what it asks for.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.params.scope || 'openid');
    await grant.save();
    return grant;
  },
});

function onLoopback(value, path) {
  const url = URL.parse(value);
  return Boolean(url) && url.protocol === 'http:' && LOOPBACK.has(url.hostname) && url.pathname === path && !url.search;
}
provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value) {
  return onLoopback(value, CALLBACK_PATH);
};
provider.Client.prototype.postLogoutRedirectUriAllowed = function postLogoutRedirectUriAllowed(value) {
  return onLoopback(value, SIGNED_OUT_PATH);
};

function page(res, body) {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="nl"><head><title>Test-identiteitsprovider</title></head><body>${body}</body></html>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

const callback = provider.callback();
const server = createServer(async (req, res) => {
  const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(req.url.split('?')[0]);
  if (!match) {
    callback(req, res);
    return;
  }
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'POST' && match[2]) {
      const accountId = (await readForm(req)).get('login');
      const signIn = SIGN_INS[accountId] || { amr: ['pwd'] };
      await provider.interactionFinished(req, res, { login: { accountId, ...signIn } }, { mergeWithLastSubmission: false });
      return;
    }
    page(res, `<h1>Test-identiteitsprovider</h1>
      <form method="post" action="/interaction/${details.uid}/login">
        <label for="login">Account</label> <input id="login" name="login" autofocus>
        <button type="submit">Inloggen bij de provider</button>
      </form>`);
  } catch (error) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(String(error));
  }
});
server.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
