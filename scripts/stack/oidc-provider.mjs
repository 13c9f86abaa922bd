/**
 * A small, real OpenID Provider (oidc-provider, ESM-only) for local runs and tests: one confidential
 * client, a fixed list of accounts, PKCE (S256) required, and a one-field sign-in page where the
 * login name is an account's `sub` (or its email). Consent for openid/email/profile is granted
 * automatically. Keys (cookies, signing JWKS) are generated at every start, so nothing it issued
 * survives a restart.
 *
 * Usage: node scripts/stack/oidc-provider.mjs '<json>'   (or the JSON in OIDC_PROVIDER_CONFIG)
 *   { "issuer": "http://127.0.0.1:4011",
 *     "client": { "client_id": "...", "client_secret": "...", "redirect_uris": ["..."],
 *                 "token_endpoint_auth_method": "client_secret_basic" },
 *     "accounts": [{ "sub": "ops-1", "email": "a@example.com", "email_verified": true, "name": "A" }] }
 * It listens on 127.0.0.1 at the issuer's port and prints "oidc-provider listening on <issuer>".
 */
import console from 'node:console';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import process from 'node:process';
import { URL, URLSearchParams } from 'node:url';
import Provider from 'oidc-provider';

const SCOPES = ['openid', 'email', 'profile'];

function readSettings() {
  const raw = process.argv[2] ?? process.env.OIDC_PROVIDER_CONFIG;
  if (!raw) throw new Error("usage: oidc-provider.mjs '<json settings>' (or OIDC_PROVIDER_CONFIG)");
  const settings = JSON.parse(raw);
  const issuer = new URL(settings.issuer);
  if (issuer.protocol !== 'http:' || !issuer.port) {
    throw new Error(`issuer must be http://127.0.0.1:<port>, got ${settings.issuer}`);
  }
  const { client, accounts } = settings;
  if (!client?.client_id || !client.client_secret || !client.redirect_uris?.length) {
    throw new Error('client needs client_id, client_secret and redirect_uris');
  }
  if (!Array.isArray(accounts)) throw new Error('accounts must be a list');
  return { issuer: settings.issuer.replace(/\/$/, ''), port: Number(issuer.port), client, accounts };
}

const escapeHtml = (value) =>
  String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

function loginPage(uid, { error, loginHint } = {}) {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Sign-in</title></head>
<body>
<h1>Sign-in</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
  <label>Login <input required type="text" name="login" value="${escapeHtml(loginHint ?? '')}" autofocus></label>
  <button type="submit">Sign-in</button>
</form>
</body></html>`;
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 64 * 1024) reject(new Error('form too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

function sendHtml(res, status, html) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(html);
}

async function main() {
  const { issuer, port, client, accounts } = readSettings();
  const accountsBySub = new Map(accounts.map((account) => [account.sub, account]));
  const findByLogin = (login) =>
    accountsBySub.get(login) ??
    accounts.find((account) => account.email?.toLowerCase() === login.toLowerCase());

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256' };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: client.client_id,
        client_secret: client.client_secret,
        redirect_uris: client.redirect_uris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: client.token_endpoint_auth_method ?? 'client_secret_basic',
      },
    ],
    scopes: SCOPES,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // The claims of the granted scopes go into the ID token too, not only to userinfo.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    // Seconds; set explicitly so the provider does not log a notice for each default it uses.
    ttl: {
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      AccessToken: 600,
      IdToken: 600,
    },
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const account = accountsBySub.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            email: account.email,
            email_verified: account.email_verified ?? true,
            name: account.name,
          };
        },
      };
    },
    // Consent is implied for our own client: every sign-in gets openid, email and profile.
    async loadExistingGrant(ctx) {
      const grantId =
        ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) {
        const existing = await ctx.oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(SCOPES.join(' '));
      await grant.save();
      return grant;
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html><body><h1>oops! something went wrong</h1><pre>${escapeHtml(
        JSON.stringify(out, null, 2),
      )}</pre></body></html>`;
    },
  });
  provider.on('server_error', (_ctx, err) => console.error('server_error', err));

  const providerCallback = provider.callback();

  async function interaction(req, res, uid, action) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return sendHtml(res, 400, '<p>interaction mismatch</p>');
    const { prompt, params } = details;
    if (prompt.name === 'consent') {
      // Only reached if loadExistingGrant did not cover what was asked: grant it as well.
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
      if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
      if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
      const grantId = await grant.save();
      return provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
    }
    if (prompt.name !== 'login') return sendHtml(res, 501, `<p>prompt ${escapeHtml(prompt.name)}</p>`);
    if (action !== 'login') {
      return sendHtml(res, 200, loginPage(uid, { loginHint: params.login_hint }));
    }
    const login = ((await readForm(req)).get('login') ?? '').trim();
    const account = findByLogin(login);
    if (!account) {
      return sendHtml(res, 200, loginPage(uid, { error: `No account for "${login}".`, loginHint: login }));
    }
    console.log(`signed in ${account.sub}`);
    return provider.interactionFinished(
      req,
      res,
      { login: { accountId: account.sub } },
      { mergeWithLastSubmission: false },
    );
  }

  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', issuer);
    const match = /^\/interaction\/([^/]+)(?:\/(login))?$/.exec(pathname);
    const wanted = match && (match[2] ? req.method === 'POST' : req.method === 'GET');
    if (!wanted) return providerCallback(req, res);
    interaction(req, res, match[1], match[2]).catch((err) => {
      console.error('interaction failed', err);
      if (!res.headersSent) sendHtml(res, 400, `<p>${escapeHtml(err.message)}</p>`);
      else res.end();
    });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  console.log(`oidc-provider listening on ${issuer}`);

  const shutdown = (signal) => {
    console.log(`oidc-provider: ${signal}, stopping`);
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
