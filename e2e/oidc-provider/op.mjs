// A real OpenID Provider (npm's oidc-provider, pinned in package.json) for
// the gateway's end-to-end tests, crates/gateway/tests/oidc_provider.rs,
// which `just e2e` runs. TEST ONLY: its users sign in with any password, its
// keys live in memory, and anyone who can reach it may use its control
// endpoints. It is for loopback and tests, never for anything else.
//
//   node op.mjs
//
// It listens on 127.0.0.1 only, and prints one JSON line on stdout when it
// is ready: {"issuer":"http://127.0.0.1:PORT","port":PORT,"signing_kid":"..."}.
//
// Environment:
//   CLIENT_SECRET            the relying party's client secret (required)
//   CLIENT_ID                its client id (default rescue-gateway)
//   RP_REDIRECT_URI          its redirect URI, e.g. http://127.0.0.1:8080/oidc/callback;
//                            or set later with POST /__test/client
//   OP_PORT                  the port (default 0: any free one)
//   AUTO_CONSENT=1           no consent page: the login form is the only one
//   OP_EXIT_ON_STDIN_CLOSE=1 exit when stdin closes (the test that started it ended)
//
// The one client is confidential (client_secret_basic), must use PKCE
// (S256), and gets RS256 ID tokens that carry preferred_username and groups.
// The one user is `alice` (the name typed into the login form is the
// account id), in the groups rescue-techs and staff.
//
// Control endpoints, answered before the provider sees the request:
//   POST /__test/rotate          a new RSA key signs; the old one stays published
//   POST /__test/rotate?only=1   a new RSA key signs and is the only one published
//   POST /__test/client          form body redirect_uri=URL: the client's redirect URI
//   GET  /__test/stats           how often its discovery, key set and token endpoints were asked
import http from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import Provider from 'oidc-provider';
// A deep import (the package has no "exports" map; its version is pinned
// exactly): one store shared by every Provider instance made here, so that
// sessions, interactions and codes survive the instance swap that a key
// rotation or a new redirect URI needs.
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';

const CLIENT_ID = process.env.CLIENT_ID || 'rescue-gateway';
const CLIENT_SECRET = process.env.CLIENT_SECRET;
const PORT = Number(process.env.OP_PORT ?? 0);
const AUTO_CONSENT = process.env.AUTO_CONSENT === '1';
let redirectUri = process.env.RP_REDIRECT_URI || null;

if (!CLIENT_SECRET) {
  process.stderr.write('op.mjs: set CLIENT_SECRET (the relying party\'s client secret)\n');
  process.exit(2);
}

if (process.env.OP_EXIT_ON_STDIN_CLOSE === '1') {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));

// Accounts by the name typed into the login form.
const USERS = {
  alice: {
    preferred_username: 'alice',
    groups: ['rescue-techs', 'staff'],
    email: 'alice@corp.example',
  },
};

const adapter = createMemoryAdapter(15);
// Signs the session and interaction cookies; the same for every instance.
const COOKIE_KEYS = [`test-only-${randomUUID()}`];

function newSigningKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    ...privateKey.export({ format: 'jwk' }),
    kid: `k-${randomUUID()}`,
    alg: 'RS256',
    use: 'sig',
  };
}

// The first key signs; the others are published only.
let keys = [newSigningKey()];

function makeProvider(issuer) {
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      // Until the relying party says where it is, a URI nothing listens on.
      redirect_uris: [redirectUri ?? 'http://127.0.0.1:9/oidc/callback'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    }],
    adapter,
    jwks: { keys },
    cookies: { keys: COOKIE_KEYS },
    claims: {
      openid: ['sub'],
      profile: ['preferred_username', 'groups'],
      email: ['email'],
    },
    // The scopes' claims go into the ID token too, not only to userinfo.
    conformIdTokenClaims: false,
    // PKCE even for a confidential client (S256 is the only method).
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    ...(AUTO_CONSENT && {
      async loadExistingGrant(ctx) {
        const grantId = ctx.oidc.result?.consent?.grantId
          || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
        if (grantId) return ctx.oidc.provider.Grant.find(grantId);
        const grant = new ctx.oidc.provider.Grant({
          clientId: ctx.oidc.client.clientId,
          accountId: ctx.oidc.session.accountId,
        });
        grant.addOIDCScope('openid profile email');
        grant.addOIDCClaims(['preferred_username', 'groups', 'email']);
        await grant.save();
        return grant;
      },
    }),
    async findAccount(ctx, id) {
      const user = USERS[id];
      if (!user) return undefined;
      return { accountId: id, async claims() { return { sub: id, ...user }; } };
    },
  });
  // Its built-in pages import a web font from Google: removed, and a
  // Content-Security-Policy so that a browser loads nothing from elsewhere.
  provider.use(async (ctx, next) => {
    await next();
    if (typeof ctx.body === 'string' && ctx.response.is('html')) {
      ctx.body = ctx.body.replace(/@import url\(https?:\/\/fonts\.googleapis\.com[^)]*\);?/g, '');
      ctx.set('content-security-policy', "default-src 'self' 'unsafe-inline'; img-src 'self' data:");
    }
  });
  return provider;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function answer(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(value)}\n`);
}

let issuer;
let handler;
const stats = { discovery: 0, jwks: 0, token: 0 };
const COUNTED = {
  '/.well-known/openid-configuration': 'discovery',
  '/jwks': 'jwks',
  '/token': 'token',
};

async function control(req, res, url) {
  if (req.method === 'GET' && url.pathname === '/__test/stats') {
    answer(res, 200, stats);
    return;
  }
  if (req.method !== 'POST') {
    answer(res, 405, { error: 'control endpoints other than /__test/stats are POST' });
    return;
  }
  if (url.pathname === '/__test/rotate') {
    const only = url.searchParams.get('only') === '1';
    keys = only ? [newSigningKey()] : [newSigningKey(), ...keys];
    handler = makeProvider(issuer).callback();
    answer(res, 200, { signing_kid: keys[0].kid, kids: keys.map((k) => k.kid) });
    return;
  }
  if (url.pathname === '/__test/client') {
    const uri = new URLSearchParams(await readBody(req)).get('redirect_uri');
    if (!uri) {
      answer(res, 400, { error: 'redirect_uri is required' });
      return;
    }
    redirectUri = uri;
    handler = makeProvider(issuer).callback();
    answer(res, 200, { client_id: CLIENT_ID, redirect_uri: redirectUri });
    return;
  }
  answer(res, 404, { error: 'no such control endpoint' });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://op.invalid');
  if (url.pathname.startsWith('/__test/')) {
    control(req, res, url).catch((err) => answer(res, 500, { error: String(err) }));
    return;
  }
  if (COUNTED[url.pathname]) stats[COUNTED[url.pathname]] += 1;
  handler(req, res);
});

server.listen(PORT, '127.0.0.1', () => {
  const { port } = server.address();
  issuer = `http://127.0.0.1:${port}`;
  handler = makeProvider(issuer).callback();
  process.stdout.write(`${JSON.stringify({ issuer, port, signing_kid: keys[0].kid })}\n`);
});
