// An OpenID Connect provider that behaves like a Cognito user pool as the console's page sees
// it, built on oidc-provider (OpenID Certified): discovery and JWKS under the issuer URL,
// authorization code with PKCE for public clients, refresh tokens, ID tokens carrying Cognito's
// claims (`cognito:username`, `cognito:groups`, `token_use: "id"`, …), no end_session_endpoint in
// discovery (Cognito publishes none) and Cognito's hosted-UI `GET /logout?client_id=&logout_uri=`
// as a handler of its own. It signs users in on a login page of its own against a directory
// (see directory.mjs).
//
// The caller owns the server: `issuerHandler` answers every request under the issuer's path,
// `logoutHandler` answers Cognito's logout URL wherever the caller mounts it.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';
import { errorPage, loginPage, mfaPage, newPasswordPage, PASSWORDS_DIFFER } from './pages.mjs';
import { USER_OPERATIONS } from './directory.mjs';

export { cognitoDirectory, staticDirectory } from './directory.mjs';

const MAX_FORM_BYTES = 16 * 1024;
const INTERACTION = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|new-password|mfa))?$/;
/** The scope that lets an access token call the user pool's API for its own user (Cognito's). */
export const USER_API_SCOPE = 'aws.cognito.signin.user.admin';

function checkOptions({ issuer, clients, directory, idTokenTtlSeconds, refreshTokenTtlSeconds }) {
  let url;
  try {
    url = new URL(issuer);
  } catch {
    throw new TypeError(`createIdp: issuer must be an absolute URL, not ${JSON.stringify(issuer)}`);
  }
  if (url.search || url.hash) throw new TypeError('createIdp: issuer must have no query or fragment');
  if (!Array.isArray(clients) || clients.length === 0) throw new TypeError('createIdp: clients must list at least one client');
  for (const [i, c] of clients.entries()) {
    if (typeof c?.clientId !== 'string' || c.clientId === '') throw new TypeError(`createIdp: clients[${i}].clientId is missing`);
    if (!Array.isArray(c.redirectUris) || c.redirectUris.length === 0) throw new TypeError(`createIdp: clients[${i}].redirectUris is missing`);
    if (c.logoutUris !== undefined && !Array.isArray(c.logoutUris)) throw new TypeError(`createIdp: clients[${i}].logoutUris must be an array`);
  }
  for (const fn of ['authenticate', 'completeNewPassword', 'find']) {
    if (typeof directory?.[fn] !== 'function') throw new TypeError(`createIdp: directory.${fn} is missing`);
  }
  for (const [key, v] of Object.entries({ idTokenTtlSeconds, refreshTokenTtlSeconds })) {
    if (!Number.isInteger(v) || v <= 0) throw new TypeError(`createIdp: ${key} must be a positive whole number`);
  }
  return url;
}

/**
 * A fresh RS256 signing key as a private JWK. A caller that passes its own to `createIdp`
 * (`signingKey`) can also sign tokens the provider would never issue (an expired one, for a test
 * of whoever checks them).
 */
export function newSigningKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks = [];
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_FORM_BYTES) {
        reject(Object.assign(new Error('the form is too large'), { status: 413 }));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function send(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

/** The Cognito-shaped claims of a directory user (all of them go in the ID token). */
function claimsOf(user) {
  return {
    sub: user.sub,
    token_use: 'id',
    'cognito:username': user.username,
    'cognito:groups': [...user.groups],
    ...(user.email ? { email: user.email, email_verified: !!user.emailVerified } : {}),
    ...(user.name ? { name: user.name } : {}),
  };
}

/**
 * Creates the provider. `tokenHook({ user, clientId, groups })`, when given, plays the user
 * pool's pre-token-generation trigger before every ID token (sign-in and refresh): it may answer
 * `{ groups, claims }` to replace the groups and add claims, whose names are listed in
 * `tokenHookClaims`. `clients`: `[{ clientId, redirectUris, logoutUris }]` (public clients,
 * PKCE required, authorization code and refresh token grants). `directory`: where users are
 * checked (staticDirectory or cognitoDirectory). The access token lives as long as the ID
 * token, as in a user pool with default settings, so a client renewing before its access token
 * expires renews the ID token in time too.
 */
export async function createIdp({ issuer, clients, directory, idTokenTtlSeconds = 3600, refreshTokenTtlSeconds = 43200, tokenHook, tokenHookClaims = [], signingKey: givenKey }) {
  const issuerUrl = checkOptions({ issuer, clients, directory, idTokenTtlSeconds, refreshTokenTtlSeconds });
  const mountPath = issuerUrl.pathname.replace(/\/$/, '');
  const signingKey = givenKey ?? newSigningKey();
  const logoutUris = new Map(clients.map((c) => [c.clientId, new Set(c.logoutUris ?? [])]));
  // The user pool's answer to a NEW_PASSWORD_REQUIRED challenge, per interaction (never in the page).
  const challenges = new Map();
  // The account id is the token's `sub`; the directory knows users by username.
  const usernames = new Map();

  const provider = new Provider(issuerUrl.href.replace(/\/$/, ''), {
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_name: c.clientName ?? c.clientId,
      token_endpoint_auth_method: 'none',
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      require_auth_time: true,
    })),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub', 'token_use', 'cognito:username', 'cognito:groups', 'email', 'email_verified', 'name', ...tokenHookClaims],
    },
    // Cognito puts every attribute in the ID token, whatever the access token carries.
    conformIdTokenClaims: false,
    scopes: ['openid', 'email', 'profile', 'offline_access', USER_API_SCOPE],
    responseTypes: ['code'],
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: false },
    },
    pkce: { required: () => true },
    ttl: {
      IdToken: idTokenTtlSeconds,
      AccessToken: idTokenTtlSeconds,
      AuthorizationCode: 300,
      RefreshToken: refreshTokenTtlSeconds,
      Interaction: 3600,
      Grant: refreshTokenTtlSeconds,
      Session: refreshTokenTtlSeconds,
    },
    // A user pool issues a refresh token with every code exchange and does not rotate it.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => false,
    clientBasedCORS: (_ctx, origin, client) => client.redirectUris.some((uri) => new URL(uri).origin === origin),
    interactions: { url: (_ctx, interaction) => `${mountPath}/interaction/${interaction.uid}` },
    // First-party clients: no consent screen; the grant covers what the client asked for.
    loadExistingGrant: async (ctx) => {
      const { client, session } = ctx.oidc;
      if (!session.accountId) return undefined;
      const id = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      const grant = (id && (await ctx.oidc.provider.Grant.find(id))) || new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
      await grant.save();
      return grant;
    },
    findAccount: async (_ctx, accountId) => {
      const username = usernames.get(accountId);
      const user = username && (await directory.find(username));
      if (!user) return undefined;
      return {
        accountId,
        claims: async () => {
          const claims = claimsOf(user);
          if (!tokenHook) return claims;
          // The pool's pre-token-generation trigger: it may replace the groups and add claims.
          const out = await tokenHook({ user, clientId: _ctx?.oidc?.client?.clientId, groups: claims['cognito:groups'] });
          if (out?.groups) claims['cognito:groups'] = [...out.groups];
          for (const [k, v] of Object.entries(out?.claims ?? {})) claims[k] = v;
          return claims;
        },
      };
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(out.error, out.error_description);
    },
  });
  provider.proxy = true;
  const callback = provider.callback();

  async function interaction(req, res, uid, step) {
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      send(res, 400, errorPage('このサインインは期限切れです。もう一度お試しください。(This sign-in expired; start again.)'));
      return;
    }
    if (details.uid !== uid) {
      send(res, 400, errorPage('このサインインは期限切れです。もう一度お試しください。(This sign-in expired; start again.)'));
      return;
    }
    const client = await provider.Client.find(details.params.client_id);
    const clientName = client?.clientName ?? details.params.client_id;
    const loginAction = `${mountPath}/interaction/${uid}/login`;
    const newPasswordAction = `${mountPath}/interaction/${uid}/new-password`;
    const mfaAction = `${mountPath}/interaction/${uid}/mfa`;
    // The next challenge of the pool, remembered for this interaction (never in the page).
    const challenge = (login, outcome) => {
      challenges.set(uid, { login, session: outcome.session, kind: outcome.challenge });
      if (outcome.challenge === 'SOFTWARE_TOKEN_MFA') send(res, 200, mfaPage({ action: mfaAction, login }));
      else send(res, 200, newPasswordPage({ action: newPasswordAction, login }));
    };

    if (req.method === 'GET' && !step) {
      send(res, 200, loginPage({ action: loginAction, clientName }));
      return;
    }
    if (req.method !== 'POST' || !step) {
      send(res, 405, errorPage('この操作はできません。(Method not allowed.)'));
      return;
    }
    const form = await readForm(req);
    let outcome;
    if (step === 'login') {
      const login = (form.get('username') ?? '').trim();
      const password = form.get('password') ?? '';
      if (!login || !password) {
        send(res, 400, loginPage({ action: loginAction, clientName, login, error: 'Incorrect username or password.' }));
        return;
      }
      outcome = await directory.authenticate(login, password);
      if (outcome.challenge) {
        challenge(login, outcome);
        return;
      }
      if (outcome.refused) {
        send(res, 400, loginPage({ action: loginAction, clientName, login, error: outcome.refused }));
        return;
      }
    } else if (step === 'mfa') {
      const pending = challenges.get(uid);
      if (!pending || pending.kind !== 'SOFTWARE_TOKEN_MFA' || !directory.completeMfa) {
        send(res, 400, loginPage({ action: loginAction, clientName }));
        return;
      }
      const code = (form.get('code') ?? '').trim();
      outcome = /^\d{6}$/.test(code)
        ? await directory.completeMfa(pending.login, pending.session, code)
        : { refused: 'Invalid code received for user' };
      if (outcome.refused) {
        send(res, 400, mfaPage({ action: mfaAction, login: pending.login, error: outcome.refused }));
        return;
      }
      challenges.delete(uid);
    } else {
      const pending = challenges.get(uid);
      if (!pending || pending.kind !== 'NEW_PASSWORD_REQUIRED') {
        send(res, 400, loginPage({ action: loginAction, clientName }));
        return;
      }
      const next = form.get('new_password') ?? '';
      if (next !== (form.get('confirm_password') ?? '')) {
        send(res, 400, newPasswordPage({ action: newPasswordAction, login: pending.login, error: PASSWORDS_DIFFER }));
        return;
      }
      outcome = await directory.completeNewPassword(pending.login, pending.session, next);
      if (outcome.refused) {
        send(res, 400, newPasswordPage({ action: newPasswordAction, login: pending.login, error: outcome.refused }));
        return;
      }
      challenges.delete(uid);
      if (outcome.challenge) {
        challenge(pending.login, outcome);
        return;
      }
    }
    usernames.set(outcome.user.sub, outcome.user.username);
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: outcome.user.sub, amr: step === 'mfa' ? ['pwd', 'otp'] : ['pwd'] } },
      { mergeWithLastSubmission: false },
    );
  }

  /** Serves everything under the issuer URL: discovery, JWKS, authorize, token, the login page. */
  async function issuerHandler(req, res) {
    const url = new URL(req.url, 'http://idp.invalid');
    if (url.pathname !== mountPath && !url.pathname.startsWith(`${mountPath}/`)) {
      send(res, 404, errorPage('ページが見つかりません。(Not found.)'));
      return;
    }
    const rest = url.pathname.slice(mountPath.length) || '/';
    const m = INTERACTION.exec(rest);
    if (m) {
      try {
        await interaction(req, res, m[1], m[2]);
      } catch (e) {
        if (!res.headersSent) send(res, e.status ?? 500, errorPage('サインインを続けられませんでした。(The sign-in could not go on.)', e.status ? e.message : ''));
      }
      return;
    }
    req.originalUrl = req.url;
    req.url = `${rest}${url.search}`;
    await callback(req, res);
  }

  /**
   * Cognito's `GET /logout?client_id=&logout_uri=`: ends the browser's session (its grants and
   * their refresh tokens go with it) and sends the browser to `logout_uri`, which must be one the
   * client registered.
   */
  async function logoutHandler(req, res) {
    const url = new URL(req.url, 'http://idp.invalid');
    const clientId = url.searchParams.get('client_id');
    const logoutUri = url.searchParams.get('logout_uri');
    if (req.method !== 'GET') {
      send(res, 405, errorPage('この操作はできません。(Method not allowed.)'));
      return;
    }
    if (!clientId || !logoutUris.has(clientId)) {
      send(res, 400, errorPage('client_id が正しくありません。(client_id is not a registered client.)'));
      return;
    }
    if (!logoutUri || !logoutUris.get(clientId).has(logoutUri)) {
      send(res, 400, errorPage('logout_uri が登録されていません。(logout_uri is not registered for this client.)'));
      return;
    }
    const ctx = provider.createContext(req, res);
    const session = await provider.Session.get(ctx);
    for (const { grantId } of Object.values(session.authorizations ?? {})) {
      if (!grantId) continue;
      await Promise.all([
        provider.AccessToken.revokeByGrantId(grantId),
        provider.RefreshToken.revokeByGrantId(grantId),
        provider.AuthorizationCode.revokeByGrantId(grantId),
        provider.Grant.adapter.destroy(grantId),
      ]);
    }
    if (session.accountId) await session.destroy();
    ctx.cookies.set(provider.cookieName('session'), null, { httpOnly: true, sameSite: 'lax' });
    res.writeHead(302, { location: logoutUri, 'cache-control': 'no-store' });
    res.end();
  }

  /**
   * The user pool's own API as a page calls it with the user's access token (`POST /`, Cognito's
   * JSON protocol, `X-Amz-Target: AWSCognitoIdentityProviderService.<operation>`), for the
   * operations that register an authenticator. The token is this provider's; the call goes to
   * the directory for that user. Answers CORS as Cognito does (any origin).
   */
  async function userApiHandler(req, res) {
    const cors = {
      'access-control-allow-origin': '*',
      'access-control-allow-headers': 'content-type,x-amz-target,x-amz-user-agent,amz-sdk-invocation-id,amz-sdk-request',
      'access-control-allow-methods': 'POST',
      'access-control-max-age': '86400',
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors).end();
      return;
    }
    const fail = (status, type, message) => {
      res.writeHead(status, { ...cors, 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
      res.end(JSON.stringify({ __type: type, message }));
    };
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AWSCognitoIdentityProviderService\./, '');
    if (req.method !== 'POST' || !(operation in USER_OPERATIONS) || !directory.userApi) {
      fail(400, 'InvalidParameterException', `${operation || 'this request'} is not offered here`);
      return;
    }
    let input;
    try {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      fail(400, 'SerializationException', 'the body is not JSON');
      return;
    }
    const token = typeof input.AccessToken === 'string' ? await provider.AccessToken.find(input.AccessToken) : undefined;
    if (!token || token.isExpired) {
      fail(400, 'NotAuthorizedException', 'Invalid Access Token');
      return;
    }
    if (!String(token.scope ?? '').split(' ').includes(USER_API_SCOPE)) {
      fail(400, 'NotAuthorizedException', 'Access Token does not have required scopes');
      return;
    }
    const username = usernames.get(token.accountId);
    try {
      const { AccessToken: _ignored, ...rest } = input;
      void _ignored;
      const out = await directory.userApi(username, operation, rest);
      res.writeHead(200, { ...cors, 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(out));
    } catch (e) {
      fail(400, e?.name ?? 'InternalErrorException', e?.message ?? String(e));
    }
  }

  return {
    issuerHandler,
    logoutHandler,
    userApiHandler,
    /** Ends what the provider holds (its in-memory store, the directory's client). */
    async close() {
      challenges.clear();
      usernames.clear();
      directory.close?.();
    },
  };
}
