// A second factor on the provider with a Cognito user pool (moto): a user registers an
// authenticator through the pool's own API with the provider's access token (as the page does),
// then every sign-in asks for its code; and the pool's pre-token-generation trigger (the
// `tokenHook`) decides the groups and claims of every ID token, on sign-in and on refresh.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Secret, TOTP } from 'otpauth';
import { cognitoDirectory, createIdp } from '../index.mjs';
import { Browser, formAction, pkce, startSignIn, tokenRequest, verifiedClaims } from './browserless.mjs';
import { startMoto } from './moto.mjs';

const REGION = 'ap-northeast-1';
const REDIRECT = 'https://console.example.jp/auth/callback';
const SCOPE = 'openid email profile aws.cognito.signin.user.admin';
/** What an authenticator app shows for a registered secret (TOTP, 30 s, 6 digits, SHA-1), not in its window's last seconds. */
const codeFor = async (secret) => {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < 4000) await new Promise((r) => setTimeout(r, left + 200));
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate();
};


describe('a second factor and the token trigger', () => {
  let moto;
  let server;
  let issuer;
  let origin;
  let clientId;
  const hookCalls = [];

  before(async () => {
    // TOTP codes checked for real against the secret the pool hands out.
    moto = await startMoto({ MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP: 'true' });
    const endpoint = moto.endpoint;
    const admin = new CognitoIdentityProviderClient({ endpoint, region: REGION, credentials: { accessKeyId: 't', secretAccessKey: 't' } });
    const poolId = (await admin.send(new CreateUserPoolCommand({ PoolName: 'mfa', UsernameAttributes: ['email'], MfaConfiguration: 'OPTIONAL' }))).UserPool.Id;
    clientId = (await admin.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'page' }))).UserPoolClient.ClientId;
    await admin.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'supervisor' }));
    await admin.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'operator' }));
    await admin.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'ito@example.jp', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'ito@example.jp' }, { Name: 'name', Value: '伊藤 直樹' }] }));
    await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'ito@example.jp', Password: 'Ito-pass-1!', Permanent: true }));
    for (const g of ['supervisor', 'operator']) await admin.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'ito@example.jp', GroupName: g }));
    admin.destroy();

    let idp;
    const http = createServer((req, res) => {
      const path = new URL(req.url, 'http://x').pathname;
      const handler = path === '/' ? idp.userApiHandler : idp.issuerHandler;
      handler(req, res).catch((e) => res.writeHead(500).end(String(e)));
    });
    await new Promise((r) => http.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${http.address().port}`;
    issuer = `${origin}/${poolId}`;
    idp = await createIdp({
      issuer,
      clients: [{ clientId, redirectUris: [REDIRECT] }],
      directory: cognitoDirectory({ endpoint, region: REGION, userPoolId: poolId, clientId }),
      tokenHookClaims: ['console:mfa'],
      tokenHook: async ({ user, groups }) => {
        hookCalls.push(user.username);
        return { groups: groups.filter((g) => g !== 'supervisor'), claims: { 'console:mfa': 'setup' } };
      },
    });
    server = { close: async () => (await idp.close(), http.closeAllConnections(), http.close()) };
  });

  after(async () => {
    await server?.close();
    moto?.stop();
  });

  /** Starts a sign-in, submits the password; returns the page that follows. */
  async function password(browser) {
    const { verifier, challenge } = pkce();
    const { discovery, page } = await startSignIn(browser, { issuer, clientId, redirectUri: REDIRECT, challenge, scope: SCOPE });
    const next = await browser.submit(formAction(page.body), page.url, { username: 'ito@example.jp', password: 'Ito-pass-1!' }, REDIRECT);
    return { discovery, verifier, next };
  }

  async function exchange(discovery, verifier, done) {
    const code = done.url.searchParams.get('code');
    assert.ok(code, `no code: ${done.body?.slice(0, 300)}`);
    return tokenRequest(discovery, { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId, redirect_uri: REDIRECT });
  }

  async function userApi(operation, body) {
    const res = await fetch(`${origin}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${operation}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  test('the trigger decides the groups and claims of the ID token, on sign-in and on refresh', async () => {
    const { discovery, verifier, next } = await password(new Browser());
    const tokens = await exchange(discovery, verifier, next);
    const claims = await verifiedClaims(discovery, tokens.body.id_token);
    assert.deepEqual(claims['cognito:groups'], ['operator']);
    assert.equal(claims['console:mfa'], 'setup');
    const calls = hookCalls.length;
    const renewed = await tokenRequest(discovery, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token, client_id: clientId });
    assert.equal((await verifiedClaims(discovery, renewed.body.id_token))['console:mfa'], 'setup');
    assert.ok(hookCalls.length > calls, 'the trigger runs on refresh too');
  });

  let secret;
  test('an authenticator registered with the access token makes every later sign-in ask for its code', async () => {
    const first = await password(new Browser());
    const tokens = await exchange(first.discovery, first.verifier, first.next);
    const access = tokens.body.access_token;

    assert.equal((await userApi('AssociateSoftwareToken', { AccessToken: 'not-a-token' })).body.__type, 'NotAuthorizedException');
    const associated = await userApi('AssociateSoftwareToken', { AccessToken: access });
    assert.equal(associated.status, 200, JSON.stringify(associated.body));
    secret = associated.body.SecretCode;
    assert.ok(secret, 'the secret to put in the authenticator app');
    assert.equal((await userApi('VerifySoftwareToken', { AccessToken: access, UserCode: '000000' })).body.__type, 'CodeMismatchException');
    assert.equal((await userApi('VerifySoftwareToken', { AccessToken: access, UserCode: await codeFor(secret) })).body.Status, 'SUCCESS');
    const preferred = await userApi('SetUserMFAPreference', { AccessToken: access, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } });
    assert.equal(preferred.status, 200, JSON.stringify(preferred.body));
    assert.equal((await userApi('AdminDeleteUser', { AccessToken: access })).body.__type, 'InvalidParameterException', 'only the registration operations are offered');

    const browser = new Browser();
    const again = await password(browser);
    assert.match(again.next.body, /確認コードを入力/, 'the code is asked after the password');
    const wrong = await browser.submit(formAction(again.next.body), again.next.url, { code: '000000' }, REDIRECT);
    assert.equal(wrong.res.status, 400);
    assert.match(wrong.body, /確認コードが正しくありません/);
    const done = await browser.submit(formAction(wrong.body), wrong.url, { code: await codeFor(secret) }, REDIRECT);
    const signedIn = await exchange(again.discovery, again.verifier, done);
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
  });

  test('an access token without the user-API scope may not register an authenticator', async () => {
    const browser = new Browser();
    const { verifier, challenge } = pkce();
    const { discovery, page } = await startSignIn(browser, { issuer, clientId, redirectUri: REDIRECT, challenge, scope: 'openid email' });
    let next = await browser.submit(formAction(page.body), page.url, { username: 'ito@example.jp', password: 'Ito-pass-1!' }, REDIRECT);
    if (next.body && /確認コード/.test(next.body)) next = await browser.submit(formAction(next.body), next.url, { code: await codeFor(secret) }, REDIRECT);
    const tokens = await exchange(discovery, verifier, next);
    const refused = await userApi('AssociateSoftwareToken', { AccessToken: tokens.body.access_token });
    assert.match(refused.body.message, /required scopes/);
  });
});
