/**
 * Sign-in as deployed: the page client (authorization code + PKCE, no secret, callback on the
 * page's /auth/callback), the first admin created by the deploy from the AdminEmail parameter
 * and never deleted with it, and the optional company identity provider.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultStack, Json, ofType, refTarget, synth } from './helpers';

const s = defaultStack();

describe('the page client', () => {
  const [[, client]] = ofType(s.resources, 'AWS::Cognito::UserPoolClient');
  const p = client.Properties;

  it('uses the authorization code flow as a public client', () => {
    assert.deepEqual(p.AllowedOAuthFlows, ['code']);
    assert.equal(p.GenerateSecret, false);
    assert.deepEqual([...p.AllowedOAuthScopes].sort(), ['aws.cognito.signin.user.admin', 'email', 'openid', 'profile']);
  });

  it("sends the browser back to the page's /auth/callback only", () => {
    assert.equal(p.CallbackURLs.length, 1);
    const joined = JSON.stringify(p.CallbackURLs[0]);
    assert.match(joined, /\/auth\/callback/);
  });

  it('renews tokens within a shift: an hour for the ID token, 12 hours for the refresh token', () => {
    assert.equal(p.IdTokenValidity, 60);
    assert.equal(p.TokenValidityUnits.IdToken, 'minutes');
    assert.equal(p.RefreshTokenValidity, 720);
    assert.equal(p.TokenValidityUnits.RefreshToken, 'minutes');
  });

  it('offers only the pool itself when no company IdP is configured', () => {
    assert.deepEqual(p.SupportedIdentityProviders, ['COGNITO']);
    assert.equal(ofType(s.resources, 'AWS::Cognito::UserPoolIdentityProvider').length, 0);
  });
});

describe('supervisors and admins need an authenticator', () => {
  const [[poolId, pool]] = ofType(s.resources, 'AWS::Cognito::UserPool');
  const guardId = Object.entries(s.resources).find(([id, r]: [string, Json]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('RoleGuardFunction'))?.[0];

  it('offers TOTP as the pool’s optional second factor (operators at shared desks may have none)', () => {
    assert.equal(pool.Properties.MfaConfiguration, 'OPTIONAL');
    assert.deepEqual(pool.Properties.EnabledMfas, ['SOFTWARE_TOKEN_MFA']);
  });

  it('runs the role guard before every token is issued', () => {
    assert.ok(guardId, 'a role-guard function');
    assert.equal(refTarget(pool.Properties.LambdaConfig.PreTokenGeneration), guardId);
    const permission = ofType(s.resources, 'AWS::Lambda::Permission').find(([, p]) => refTarget(p.Properties.FunctionName) === guardId);
    assert.ok(permission, 'Cognito may invoke it');
    assert.equal(permission![1].Properties.Principal, 'cognito-idp.amazonaws.com');
  });

  it('lets the role guard read users of this pool, nothing else', () => {
    const role = refTarget(s.resources[guardId!].Properties.Role);
    const statements = ofType(s.resources, 'AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: Json) => refTarget(r) === role))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const cognito = statements.filter((st: Json) => String([st.Action].flat()[0]).startsWith('cognito-idp:'));
    assert.deepEqual(cognito.map((st: Json) => st.Action), ['cognito-idp:AdminGetUser']);
    assert.equal(refTarget(cognito[0].Resource), poolId);
    const other = statements.flatMap((st: Json) => [st.Action].flat()).filter((a: string) => !a.startsWith('cognito-idp:') && !a.startsWith('xray:'));
    assert.deepEqual(other, [], 'no table, secret or other access');
  });
});

describe('the first admin', () => {
  const users = ofType(s.resources, 'AWS::Cognito::UserPoolUser');
  const attachments = ofType(s.resources, 'AWS::Cognito::UserPoolUserToGroupAttachment');

  it('is created from the AdminEmail parameter, only when it is given', () => {
    const param = s.json.Parameters.AdminEmail;
    assert.equal(param.Default, '');
    assert.ok(new RegExp(param.AllowedPattern).test('admin@example.co.jp'));
    assert.ok(new RegExp(param.AllowedPattern).test(''));
    assert.ok(!new RegExp(param.AllowedPattern).test('not an address'));
    assert.equal(users.length, 1);
    const [[, user]] = users;
    assert.equal(user.Condition, 'HasFirstAdmin');
    assert.deepEqual(user.Properties.Username, { Ref: 'AdminEmail' });
    assert.deepEqual(user.Properties.DesiredDeliveryMediums, ['EMAIL']);
    const attrs = Object.fromEntries(user.Properties.UserAttributes.map((a: Json) => [a.Name, a.Value]));
    assert.deepEqual(attrs.email, { Ref: 'AdminEmail' });
    assert.deepEqual(attrs.name, { Ref: 'AdminName' });
  });

  it('joins the admin group', () => {
    assert.equal(attachments.length, 1);
    const [[, a]] = attachments;
    assert.equal(a.Properties.GroupName, 'admin');
    assert.equal(a.Condition, 'HasFirstAdmin');
    assert.ok([a.DependsOn].flat().some((d: string) => s.resources[d]?.Type === 'AWS::Cognito::UserPoolGroup'));
  });

  it('is kept when the parameter is emptied or the stack deleted', () => {
    for (const [, r] of [...users, ...attachments]) {
      assert.equal(r.DeletionPolicy, 'Retain');
      assert.equal(r.UpdateReplacePolicy, 'Retain');
    }
  });
});

describe('a company identity provider', () => {
  it('federates to a SAML IdP and offers it on the page client', () => {
    const f = synth({ federation: { kind: 'saml', name: 'Corp', metadataUrl: 'https://idp.example.co.jp/metadata.xml' } });
    const [[id, idp]] = ofType(f.resources, 'AWS::Cognito::UserPoolIdentityProvider');
    assert.equal(idp.Properties.ProviderType, 'SAML');
    assert.equal(idp.Properties.ProviderName, 'Corp');
    assert.equal(idp.Properties.ProviderDetails.MetadataURL, 'https://idp.example.co.jp/metadata.xml');
    assert.ok(idp.Properties.AttributeMapping.email);
    const [[, client]] = ofType(f.resources, 'AWS::Cognito::UserPoolClient');
    // A Ref to the provider: CloudFormation creates the provider before the client that names it.
    assert.deepEqual(client.Properties.SupportedIdentityProviders, ['COGNITO', { Ref: id }]);
  });

  it('federates to an OIDC IdP whose client secret stays in Secrets Manager', () => {
    const f = synth({
      federation: { kind: 'oidc', name: 'Entra', issuerUrl: 'https://login.example.com/tenant/v2.0', clientId: 'abc', clientSecretName: 'corp/oidc-client' },
    });
    const [[, idp]] = ofType(f.resources, 'AWS::Cognito::UserPoolIdentityProvider');
    assert.equal(idp.Properties.ProviderType, 'OIDC');
    assert.equal(idp.Properties.ProviderDetails.oidc_issuer, 'https://login.example.com/tenant/v2.0');
    assert.match(JSON.stringify(idp.Properties.ProviderDetails.client_secret), /resolve:secretsmanager:corp\/oidc-client/);
    assert.equal(refTarget(idp.Properties.UserPoolId), ofType(f.resources, 'AWS::Cognito::UserPool')[0][0]);
  });
});
