// The provider with a Cognito user pool as its directory: moto's cognito-idp server (from the
// test tools' venv) started on a free loopback port, a pool, a client, groups and users made
// through the same SDK, then sign-ins through the login page as a page would do them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { cognitoDirectory, createIdp } from '../index.mjs';
import { Browser, formAction, pkce, serve, signIn, startSignIn, tokenRequest, verifiedClaims } from './browserless.mjs';
import { startMoto } from './moto.mjs';

const REGION = 'ap-northeast-1';
const REDIRECT = 'https://console.example.jp/auth/callback';


describe('the test provider on a Cognito user pool (moto)', () => {
  let moto;
  let server;
  let poolId;
  let clientId;

  before(async () => {
    moto = await startMoto();
    const admin = new CognitoIdentityProviderClient({
      endpoint: moto.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    poolId = (await admin.send(new CreateUserPoolCommand({ PoolName: 'console-users', UsernameAttributes: ['email'] }))).UserPool.Id;
    clientId = (
      await admin.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: 'console-page',
          ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        }),
      )
    ).UserPoolClient.ClientId;
    for (const GroupName of ['operator', 'supervisor', 'admin']) await admin.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName }));
    const user = async (email, name, groups, { permanent, disabled } = {}) => {
      await admin.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: email,
          TemporaryPassword: 'Temp-pass-1!',
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'name', Value: name },
          ],
        }),
      );
      if (permanent) await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: email, Password: permanent, Permanent: true }));
      for (const GroupName of groups) await admin.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: email, GroupName }));
      if (disabled) await admin.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: email }));
    };
    await user('sato@example.jp', '佐藤 花子', ['operator'], { permanent: 'Sato-pass-1!' });
    await user('new@example.jp', '新人 太郎', ['operator']);
    await user('kato@example.jp', '加藤 誠', ['supervisor', 'operator'], { permanent: 'Kato-pass-1!', disabled: true });
    admin.destroy();
    server = await serve((issuer) =>
      createIdp({
        issuer,
        clients: [{ clientId, redirectUris: [REDIRECT] }],
        directory: cognitoDirectory({ endpoint: moto.endpoint, region: REGION, userPoolId: poolId, clientId }),
      }),
    );
  });
  after(async () => {
    await server?.close();
    moto?.stop();
  });

  test('a user with a permanent password signs in and the ID token carries the pool attributes and groups', async () => {
    const { discovery, tokens } = await signIn(new Browser(), { issuer: server.issuer, clientId, redirectUri: REDIRECT, username: 'sato@example.jp', password: 'Sato-pass-1!' });
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    const claims = await verifiedClaims(discovery, tokens.body.id_token);
    assert.match(claims.sub, /^[0-9a-f-]{36}$/, 'the sub is the pool user sub');
    assert.equal(claims.email, 'sato@example.jp');
    assert.equal(claims.email_verified, true);
    assert.equal(claims.name, '佐藤 花子');
    assert.deepEqual(claims['cognito:groups'], ['operator']);
    assert.equal(claims.aud, clientId);
  });

  test('a wrong password is refused', async () => {
    const browser = new Browser();
    const { page } = await startSignIn(browser, { issuer: server.issuer, clientId, redirectUri: REDIRECT, challenge: pkce().challenge });
    const refused = await browser.submit(formAction(page.body), page.url, { username: 'sato@example.jp', password: 'nope-nope-1!' }, REDIRECT);
    assert.equal(refused.res.status, 400);
    assert.match(refused.body, /Incorrect username or password\./);
  });

  test('a new user answers NEW_PASSWORD_REQUIRED on the new-password page', async () => {
    const browser = new Browser();
    const { verifier, challenge } = pkce();
    const { discovery, page } = await startSignIn(browser, { issuer: server.issuer, clientId, redirectUri: REDIRECT, challenge });
    const step = await browser.submit(formAction(page.body), page.url, { username: 'new@example.jp', password: 'Temp-pass-1!' }, REDIRECT);
    assert.match(step.body, /新しいパスワードを設定/, step.body.slice(0, 400));
    const done = await browser.submit(formAction(step.body), step.url, { new_password: 'Chosen-pass-1!', confirm_password: 'Chosen-pass-1!' }, REDIRECT);
    const code = done.url.searchParams.get('code');
    assert.ok(code, `no code: ${done.body?.slice(0, 400)}`);
    const tokens = await tokenRequest(discovery, { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId, redirect_uri: REDIRECT });
    assert.equal((await verifiedClaims(discovery, tokens.body.id_token)).email, 'new@example.jp');
    // The pool now holds the new password.
    const again = await signIn(new Browser(), { issuer: server.issuer, clientId, redirectUri: REDIRECT, username: 'new@example.jp', password: 'Chosen-pass-1!' });
    assert.equal(again.tokens.status, 200);
  });

  test('a disabled user is refused with "User is disabled."', async () => {
    const browser = new Browser();
    const { page } = await startSignIn(browser, { issuer: server.issuer, clientId, redirectUri: REDIRECT, challenge: pkce().challenge });
    const refused = await browser.submit(formAction(page.body), page.url, { username: 'kato@example.jp', password: 'Kato-pass-1!' }, REDIRECT);
    assert.equal(refused.res.status, 400);
    assert.match(refused.body, /\(User is disabled\.\)/);
  });
});
