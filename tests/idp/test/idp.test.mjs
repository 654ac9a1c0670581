// The test provider as a page meets it: discovery, the authorization code flow with PKCE through
// the login page, the code exchange, refresh, refusals, Cognito's logout URL, and the ID token's
// Cognito claims checked against the JWKS. Plain fetch, no browser.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createIdp, staticDirectory } from '../index.mjs';
import { Browser, formAction, pkce, serve, signIn, startSignIn, tokenRequest, verifiedClaims } from './browserless.mjs';

const CLIENT = 'console-page';
const REDIRECT = 'https://console.example.jp/auth/callback';
const LOGOUT = 'https://console.example.jp/';

const users = () => [
  { sub: '0b7c1f1e-5a1d-4c1e-9f3a-1d2e3f4a5b6c', username: 'sato', email: 'sato@example.jp', name: '佐藤 花子', password: 'Sato-pass-1', groups: ['operator'] },
  { sub: 'a6e4b0f2-8d51-4b5e-9a77-2c3d4e5f6a7b', username: 'ito', email: 'ito@example.jp', name: '伊藤 直樹', password: 'Ito-pass-1', groups: ['sales', 'supervisor'] },
  { sub: 'c1d2e3f4-0000-4000-8000-000000000001', username: 'kato', email: 'kato@example.jp', name: '加藤 誠', password: 'Kato-pass-1', groups: ['operator'], enabled: false },
  { sub: 'c1d2e3f4-0000-4000-8000-000000000002', username: 'new-hire', email: 'new@example.jp', name: '新人 太郎', password: 'Temp-pass-1', groups: ['operator'], forceChangePassword: true },
];

describe('the test provider with a static directory', () => {
  let server;
  let directory;

  before(async () => {
    directory = staticDirectory(users());
    server = await serve((issuer) =>
      createIdp({ issuer, clients: [{ clientId: CLIENT, redirectUris: [REDIRECT], logoutUris: [LOGOUT] }], directory, idTokenTtlSeconds: 600 }),
    );
  });
  after(() => server.close());

  const client = () => ({ issuer: server.issuer, clientId: CLIENT, redirectUri: REDIRECT });

  test('discovery describes the issuer like a user pool: code flow, S256 PKCE, no end_session_endpoint', async () => {
    const d = await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json();
    assert.equal(d.issuer, server.issuer);
    assert.ok(d.jwks_uri.startsWith(server.issuer));
    assert.deepEqual(d.response_types_supported, ['code']);
    assert.deepEqual(d.code_challenge_methods_supported, ['S256']);
    assert.equal(d.end_session_endpoint, undefined);
  });

  test('an operator signs in with PKCE and gets an ID token with Cognito claims', async () => {
    const { discovery, tokens, callback } = await signIn(new Browser(), { ...client(), username: 'sato', password: 'Sato-pass-1' });
    assert.equal(callback.searchParams.get('state'), 'st');
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    assert.ok(tokens.body.refresh_token, 'a refresh token comes with the code exchange');
    assert.equal(tokens.body.expires_in, 600);
    const claims = await verifiedClaims(discovery, tokens.body.id_token);
    assert.equal(claims.iss, server.issuer);
    assert.equal(claims.aud, CLIENT);
    assert.equal(claims.sub, '0b7c1f1e-5a1d-4c1e-9f3a-1d2e3f4a5b6c');
    assert.equal(claims.token_use, 'id');
    assert.equal(claims['cognito:username'], 'sato');
    assert.deepEqual(claims['cognito:groups'], ['operator']);
    assert.equal(claims.email, 'sato@example.jp');
    assert.equal(claims.email_verified, true);
    assert.equal(claims.name, '佐藤 花子');
    assert.equal(claims.nonce, 'n-1');
    assert.equal(typeof claims.auth_time, 'number');
    assert.equal(claims.exp - claims.iat, 600);
  });

  test('a user signs in with their email address too, and every group is kept as it is', async () => {
    const { discovery, tokens } = await signIn(new Browser(), { ...client(), username: 'ito@example.jp', password: 'Ito-pass-1' });
    const claims = await verifiedClaims(discovery, tokens.body.id_token);
    assert.equal(claims['cognito:username'], 'ito');
    assert.deepEqual(claims['cognito:groups'], ['sales', 'supervisor']);
  });

  test('the code is refused without the PKCE verifier', async () => {
    const browser = new Browser();
    const { challenge } = pkce();
    const { discovery, page } = await startSignIn(browser, { ...client(), challenge });
    const done = await browser.submit(formAction(page.body), page.url, { username: 'sato', password: 'Sato-pass-1' }, REDIRECT);
    const code = done.url.searchParams.get('code');
    const res = await tokenRequest(discovery, { grant_type: 'authorization_code', code, client_id: CLIENT, redirect_uri: REDIRECT });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_grant');
  });

  test('an authorization request without a PKCE challenge is refused', async () => {
    const { page } = await startSignIn(new Browser(), client());
    assert.equal(page.url.origin + page.url.pathname, REDIRECT);
    assert.equal(page.url.searchParams.get('error'), 'invalid_request');
    assert.match(page.url.searchParams.get('error_description'), /PKCE/);
  });

  test('refresh returns a new ID token for the same user', async () => {
    const { discovery, tokens } = await signIn(new Browser(), { ...client(), username: 'sato', password: 'Sato-pass-1' });
    const first = await verifiedClaims(discovery, tokens.body.id_token);
    await new Promise((r) => setTimeout(r, 1100));
    const renewed = await tokenRequest(discovery, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token, client_id: CLIENT });
    assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
    assert.notEqual(renewed.body.id_token, tokens.body.id_token);
    const claims = await verifiedClaims(discovery, renewed.body.id_token);
    assert.equal(claims.sub, first.sub);
    assert.deepEqual(claims['cognito:groups'], ['operator']);
    assert.ok(claims.exp > first.exp);
    // The refresh token is not rotated (a user pool keeps it): it works again.
    const again = await tokenRequest(discovery, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token, client_id: CLIENT });
    assert.equal(again.status, 200);
  });

  test('a wrong password is refused on the login page, in Japanese and English', async () => {
    const browser = new Browser();
    const { page } = await startSignIn(browser, { ...client(), challenge: pkce().challenge });
    const refused = await browser.submit(formAction(page.body), page.url, { username: 'sato', password: 'wrong' }, REDIRECT);
    assert.equal(refused.res.status, 400);
    assert.match(refused.body, /ユーザー名またはパスワードが正しくありません。 \(Incorrect username or password\.\)/);
    // The form is offered again, and the right password then goes through.
    const done = await browser.submit(formAction(refused.body), refused.url, { username: 'sato', password: 'Sato-pass-1' }, REDIRECT);
    assert.ok(done.url.searchParams.get('code'));
  });

  test('a disabled user is refused with the user pool message', async () => {
    const browser = new Browser();
    const { page } = await startSignIn(browser, { ...client(), challenge: pkce().challenge });
    const refused = await browser.submit(formAction(page.body), page.url, { username: 'kato', password: 'Kato-pass-1' }, REDIRECT);
    assert.equal(refused.res.status, 400);
    assert.match(refused.body, /このユーザーは無効になっています。.*\(User is disabled\.\)/);
  });

  test('a user disabled after signing in can no longer refresh', async () => {
    const { discovery, tokens } = await signIn(new Browser(), { ...client(), username: 'ito', password: 'Ito-pass-1' });
    directory.setEnabled('ito', false);
    try {
      const renewed = await tokenRequest(discovery, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token, client_id: CLIENT });
      assert.equal(renewed.status, 400);
      assert.equal(renewed.body.error, 'invalid_grant');
    } finally {
      directory.setEnabled('ito', true);
    }
  });

  test('a user whose password must change sets a new one, then signs in with it', async () => {
    const browser = new Browser();
    const { page } = await startSignIn(browser, { ...client(), challenge: pkce().challenge });
    const step = await browser.submit(formAction(page.body), page.url, { username: 'new-hire', password: 'Temp-pass-1' }, REDIRECT);
    assert.match(step.body, /新しいパスワードを設定/);
    const differ = await browser.submit(formAction(step.body), step.url, { new_password: 'Brand-new-1', confirm_password: 'Brand-new-2' }, REDIRECT);
    assert.match(differ.body, /確認用のパスワードが一致しません。/);
    const done = await browser.submit(formAction(differ.body), differ.url, { new_password: 'Brand-new-1', confirm_password: 'Brand-new-1' }, REDIRECT);
    assert.ok(done.url.searchParams.get('code'), 'the sign-in finishes after the new password');
    const again = await signIn(new Browser(), { ...client(), username: 'new-hire', password: 'Brand-new-1' });
    assert.equal(again.tokens.status, 200);
  });

  test('logout ends the session: back to logout_uri, the refresh token is dead, the password is asked again', async () => {
    const browser = new Browser();
    const { discovery, tokens } = await signIn(browser, { ...client(), username: 'sato', password: 'Sato-pass-1' });
    // With the session alive, a new authorization request needs no password.
    const silent = await startSignIn(browser, { ...client(), challenge: pkce().challenge });
    assert.ok(silent.page.url.searchParams.get('code'), 'the session signs the user in without the form');

    const res = await browser.fetch(`${server.origin}/logout?${new URLSearchParams({ client_id: CLIENT, logout_uri: LOGOUT })}`);
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), LOGOUT);

    const renewed = await tokenRequest(discovery, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token, client_id: CLIENT });
    assert.equal(renewed.status, 400);
    const next = await startSignIn(browser, { ...client(), challenge: pkce().challenge });
    assert.match(next.page.body, /name="password"/);
  });

  test('logout refuses an unknown client and an unregistered logout_uri', async () => {
    const bad = async (q) => (await fetch(`${server.origin}/logout?${new URLSearchParams(q)}`, { redirect: 'manual' })).status;
    assert.equal(await bad({ client_id: 'other', logout_uri: LOGOUT }), 400);
    assert.equal(await bad({ client_id: CLIENT, logout_uri: 'https://evil.example/' }), 400);
    assert.equal(await bad({ client_id: CLIENT }), 400);
  });

  test('the token endpoint answers the page origin with CORS, and no other origin', async () => {
    const { discovery } = await startSignIn(new Browser(), client());
    const ask = async (origin) =>
      (
        await fetch(discovery.token_endpoint, {
          method: 'POST',
          headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'unknown', client_id: CLIENT }).toString(),
        })
      ).headers.get('access-control-allow-origin');
    assert.equal(await ask('https://console.example.jp'), 'https://console.example.jp');
    assert.equal(await ask('https://evil.example'), null);
  });
});

describe('createIdp refuses a bad configuration', () => {
  test('with a message naming what is wrong', async () => {
    const directory = staticDirectory([]);
    await assert.rejects(createIdp({ issuer: 'nope', clients: [], directory }), /issuer must be an absolute URL/);
    await assert.rejects(createIdp({ issuer: 'http://127.0.0.1:1', clients: [{ redirectUris: [REDIRECT] }], directory }), /clients\[0\]\.clientId/);
    await assert.rejects(
      createIdp({ issuer: 'http://127.0.0.1:1', clients: [{ clientId: 'x', redirectUris: [REDIRECT] }], directory, idTokenTtlSeconds: 0 }),
      /idTokenTtlSeconds/,
    );
    assert.throws(() => staticDirectory([{ sub: 's', username: 'u' }]), /users\[0\]\.password/);
  });
});
