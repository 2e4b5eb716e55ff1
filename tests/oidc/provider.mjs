// A standards-compliant OpenID provider for the test suite, shaped like Microsoft Entra ID.
//
//   node tests/oidc/provider.mjs config.json
//
// config.json: {port, issuer, clients: [{client_id, client_secret, redirect_uris,
// post_logout_redirect_uris}], accounts: {"<login>": {claims...}}}. An account's claims are
// what its ID token carries (sub defaults to the login name); the flag "group_overage": true
// leaves "groups" out and sends Entra's overage pointer (_claim_names/_claim_sources) instead.
//
// Listens on 127.0.0.1 only and prints "ready <issuer>" once it does. Sign-in is a plain
// HTML form (any password; an unknown login name is refused), consent is granted without a
// page, PKCE S256 is required, RP-initiated logout confirms with a form that submits itself.
//
// Test-only control endpoints, no authentication (loopback only):
//   PUT  /test/accounts/<login>  JSON body: that account's claims (creates or replaces)
//   PUT  /test/clients/<id>      JSON body: that client's metadata (creates or replaces)
//   POST /test/reset             the accounts back to those of config.json
//   POST /test/rotate-keys       a new RS256 signing key replaces the old one -> {"kid"}

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as querystring from 'node:querystring';

import Provider from 'oidc-provider';

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const { issuer } = config;
const initialAccounts = JSON.stringify(config.accounts ?? {});
let accounts = JSON.parse(initialAccounts);
let clients = config.clients ?? [];

// Signed cookies must outlive a key rotation's new Provider instance.
const cookieKeys = [crypto.randomBytes(32).toString('base64url')];

function signingKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    ...privateKey.export({ format: 'jwk' }),
    kid: crypto.randomUUID(),
    alg: 'RS256',
    use: 'sig',
  };
}

function esc(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${esc(title)}</title></head>
<body>
<h1>${esc(title)}</h1>
${body}
</body>
</html>`;
}

// The account whose subject (its "sub" claim, else its login name) is `sub`.
function accountBySub(sub) {
  for (const [login, claims] of Object.entries(accounts)) {
    if ((claims.sub ?? login) === sub) {
      return [login, claims];
    }
  }
  return undefined;
}

function accountIdFor(login) {
  const claims = Object.hasOwn(accounts, login) ? accounts[login] : undefined;
  return claims ? claims.sub ?? login : undefined;
}

async function findAccount(ctx, sub) {
  const found = accountBySub(sub);
  if (!found) {
    return undefined;
  }
  return {
    accountId: sub,
    async claims() {
      // Read at token time, so a change through /test/accounts reaches the next sign-in.
      const [, current] = accountBySub(sub) ?? found;
      const { group_overage: overage, ...claims } = current;
      if (overage) {
        delete claims.groups;
        claims._claim_names = { groups: 'src1' };
        claims._claim_sources = {
          src1: {
            endpoint: `https://graph.microsoft.com/v1.0/users/${claims.oid ?? sub}/getMemberObjects`,
          },
        };
      }
      return { ...claims, sub };
    },
  };
}

// Consent without a page: every sign-in is granted the scopes and claims it asks for.
async function loadExistingGrant(ctx) {
  const { oidc } = ctx;
  const accountId = oidc.account?.accountId ?? oidc.session.accountId;
  const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
  let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  if (!grant || grant.accountId !== accountId || grant.clientId !== oidc.client.clientId) {
    grant = new oidc.provider.Grant({ accountId, clientId: oidc.client.clientId });
  }
  grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
  if (oidc.requestParamClaims.size) {
    grant.addOIDCClaims([...oidc.requestParamClaims]);
  }
  await grant.save();
  return grant;
}

// The logout confirmation: a form with "logout=yes" that a browser submits at once (as
// oidc-provider's own form_post does); without JavaScript, one button.
async function logoutSource(ctx, form) {
  const withLogout = form.replace(
    '</form>',
    '<input type="hidden" name="logout" value="yes"/><button type="submit">Sign out</button></form>',
  );
  ctx.type = 'html';
  ctx.body = page(
    'Sign out',
    `${withLogout}
<script>document.addEventListener('DOMContentLoaded', function () { document.forms[0].submit() });</script>`,
  );
}

async function postLogoutSuccessSource(ctx) {
  ctx.type = 'html';
  ctx.body = page('Signed out', '<p>You are signed out.</p>');
}

async function renderError(ctx, out) {
  ctx.type = 'html';
  ctx.body = page(
    'Error',
    `<p class="error" id="error">${esc(out.error)}: ${esc(out.error_description ?? '')}</p>`,
  );
}

const ENTRA_CLAIMS = ['oid', 'tid', 'groups', 'roles', 'ver'];

function configuration(clientList, jwks) {
  return {
    clients: clientList.map((client) => ({
      token_endpoint_auth_method: 'client_secret_basic', // client_secret_post is accepted too
      response_types: ['code'],
      grant_types: ['authorization_code'],
      ...client,
    })),
    jwks,
    cookies: { keys: cookieKeys },
    findAccount,
    loadExistingGrant,
    renderError,
    // Claims by scope land in the ID token itself, as Entra sends them.
    conformIdTokenClaims: false,
    claims: {
      openid: ['sub', ...ENTRA_CLAIMS],
      profile: ['name', 'preferred_username'],
      email: ['email'],
    },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    responseTypes: ['code'],
    pkce: { required: () => true },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      claimsParameter: { enabled: true },
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 600,
      IdToken: 3600,
      Interaction: 3600,
      Session: 3600,
      Grant: 3600,
    },
  };
}

// Clients and keys are fixed in a Provider: changing either builds a new one for the same
// issuer behind the same server. The in-memory adapter's store is module-wide, so sessions,
// grants and codes carry over.
let keys = [signingKey()];
let provider;
let handler;

// Builds the Provider for the current clients and keys, and checks every client's metadata
// (oidc-provider would otherwise only do so on the client's first request). On a fault the
// previous Provider stays.
async function rebuild(nextClients = clients, nextKeys = keys) {
  const next = new Provider(issuer, configuration(nextClients, { keys: nextKeys }));
  for (const { client_id: clientId } of nextClients) {
    await next.Client.find(clientId);
  }
  clients = nextClients;
  keys = nextKeys;
  provider = next;
  handler = next.callback();
}

async function rotateKeys() {
  await rebuild(clients, [signingKey()]);
  return keys[0].kid;
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function loginPage(uid, { login = '', error } = {}) {
  return page(
    'Sign in',
    `${error ? `<p class="error" id="error">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
  <label>Login name <input type="text" name="login" value="${esc(login)}" required autofocus></label>
  <label>Password <input type="password" name="password"></label>
  <button type="submit">Sign in</button>
</form>`,
  );
}

// The sign-in pages, in place of oidc-provider's devInteractions (which sign in any name).
async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    send(res, 400, 'text/plain', 'interaction mismatch');
    return;
  }
  const { prompt } = details;
  if (prompt.name === 'consent') {
    // loadExistingGrant grants everything; should a consent prompt come anyway, grant it.
    const grantId = (await grantConsent(details)).jti;
    await provider.interactionFinished(req, res, { consent: { grantId } });
    return;
  }
  if (prompt.name !== 'login') {
    send(res, 501, 'text/plain', `prompt ${prompt.name} not implemented`);
    return;
  }
  if (action === undefined && req.method === 'GET') {
    send(res, 200, 'text/html; charset=utf-8', loginPage(uid, { login: details.params.login_hint }));
    return;
  }
  if (action === 'login' && req.method === 'POST') {
    const { login = '' } = querystring.parse(await readBody(req));
    const accountId = accountIdFor(String(login));
    if (!accountId) {
      send(
        res,
        401,
        'text/html; charset=utf-8',
        loginPage(uid, { login, error: `No account with the login name ${login}.` }),
      );
      return;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId } },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  send(res, 405, 'text/plain', 'method not allowed');
}

async function grantConsent(details) {
  const grant = new provider.Grant({
    accountId: details.session.accountId,
    clientId: details.params.client_id,
  });
  const { missingOIDCScope, missingOIDCClaims } = details.prompt.details;
  if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
  if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
  await grant.save();
  return grant;
}

async function control(req, res, path) {
  const account = path.match(/^\/test\/accounts\/([^/]+)$/);
  if (account && req.method === 'PUT') {
    const claims = JSON.parse(await readBody(req));
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
      send(res, 400, 'text/plain', 'expected a JSON object of claims');
      return;
    }
    accounts[decodeURIComponent(account[1])] = claims;
    send(res, 204, 'text/plain', '');
    return;
  }
  const client = path.match(/^\/test\/clients\/([^/]+)$/);
  if (client && req.method === 'PUT') {
    const clientId = decodeURIComponent(client[1]);
    const metadata = { ...JSON.parse(await readBody(req)), client_id: clientId };
    try {
      await rebuild([...clients.filter((c) => c.client_id !== clientId), metadata]);
    } catch (err) {
      send(res, 400, 'text/plain', describe(err));
      return;
    }
    send(res, 204, 'text/plain', '');
    return;
  }
  if (path === '/test/reset' && req.method === 'POST') {
    accounts = JSON.parse(initialAccounts);
    send(res, 204, 'text/plain', '');
    return;
  }
  if (path === '/test/rotate-keys' && req.method === 'POST') {
    send(res, 200, 'application/json', JSON.stringify({ kid: await rotateKeys() }));
    return;
  }
  send(res, 404, 'text/plain', 'no such test endpoint');
}

const server = http.createServer(async (req, res) => {
  const { pathname } = new URL(req.url, issuer);
  try {
    if (pathname.startsWith('/test/')) {
      await control(req, res, pathname);
      return;
    }
    const step = pathname.match(/^\/interaction\/([^/]+)(?:\/(login))?$/);
    if (step) {
      await interaction(req, res, step[1], step[2]);
      return;
    }
    handler(req, res);
  } catch (err) {
    process.stderr.write(`${err.stack ?? err}\n`);
    if (!res.headersSent) {
      send(res, err.statusCode ?? 500, 'text/plain', `${err.name}: ${err.message}`);
    } else {
      res.end();
    }
  }
});

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

function describe(err) {
  return `${err.name}: ${err.message}${err.error_description ? ` (${err.error_description})` : ''}`;
}

try {
  await rebuild();
} catch (err) {
  process.stderr.write(`${describe(err)}\n`);
  process.exit(1);
}
server.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
