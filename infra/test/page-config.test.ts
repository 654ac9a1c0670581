/**
 * The page's config.json as the stack writes it, read by the page's own reader
 * (static-ui/src/config-contract.ts, the one definition of its keys): the deployed file must
 * parse, and the reader must refuse it when any key is renamed, so the stack and the page cannot
 * drift apart unnoticed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePageConfig } from '../../static-ui/src/config-contract';
import { defaultStack, Json, ofType, readAsset } from './helpers';

/** What each marker's target is once deployed, as an example of its real shape. */
function deployedValue(ref: Json, resources: Json): string {
  if (ref.Ref) {
    const type = resources[ref.Ref].Type;
    if (type === 'AWS::Cognito::UserPoolClient') return '1example23456789abcdefghij';
    if (type === 'AWS::Cognito::UserPoolDomain') return resources[ref.Ref].Properties.Domain;
    if (type === 'AWS::Cognito::UserPool') return 'ap-northeast-1_Example12';
  }
  const [id, attr] = ref['Fn::GetAtt'] ?? [];
  const type = resources[id]?.Type;
  if (type === 'AWS::ApiGatewayV2::Api' && attr === 'ApiEndpoint') return 'https://a1b2c3d4e5.execute-api.ap-northeast-1.amazonaws.com';
  if (type === 'AWS::Cognito::UserPool' && attr === 'ProviderURL') return 'https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_Example12';
  if (type === 'AWS::CloudFront::Distribution' && attr === 'DomainName') return 'd111111abcdef8.cloudfront.net';
  throw new Error(`config.json refers to ${JSON.stringify(ref)}, which this test has no deployed example for`);
}

function deployedConfig(): Json {
  const s = defaultStack();
  const [[, deployment]] = ofType(s.resources, 'Custom::CDKBucketDeployment');
  const keys: string[] = deployment.Properties.SourceObjectKeys;
  let text = readAsset(s.outdir, keys[keys.length - 1], 'config.json');
  for (const [marker, ref] of Object.entries(deployment.Properties.SourceMarkers[keys.length - 1] as Record<string, Json>)) {
    text = text.split(marker).join(deployedValue(ref, s.resources));
  }
  return JSON.parse(text);
}

/** Every key path of an object (`auth.clientId`). */
function keyPaths(value: Json, prefix = ''): string[] {
  return Object.entries(value).flatMap(([k, v]) => {
    const here = prefix ? `${prefix}.${k}` : k;
    return v && typeof v === 'object' && !Array.isArray(v) ? [here, ...keyPaths(v, here)] : [here];
  });
}

function renamed(value: Json, path: string[]): Json {
  const [head, ...rest] = path;
  const out = { ...value };
  if (rest.length === 0) {
    out[`${head}Renamed`] = out[head];
    delete out[head];
  } else {
    out[head] = renamed(out[head], rest);
  }
  return out;
}

describe("the page's config.json", () => {
  const config = deployedConfig();

  it('is read by the page as a Cognito sign-in, the API on its own origin, with the Twilio phone', () => {
    const parsed = parsePageConfig(config);
    assert.equal(parsed.apiUrl, '', 'the API on the page’s own origin');
    assert.deepEqual(parsed.auth, {
      kind: 'cognito',
      authority: 'https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_Example12',
      clientId: '1example23456789abcdefghij',
      redirectUri: 'https://d111111abcdef8.cloudfront.net/auth/callback',
      logoutUri: 'https://d111111abcdef8.cloudfront.net/',
      logoutEndpoint: `https://${config.auth.logoutEndpoint.split('//')[1].split('.')[0]}.auth.ap-northeast-1.amazoncognito.com/logout`,
      scope: 'openid email profile aws.cognito.signin.user.admin',
    });
    assert.deepEqual(parsed.phone, { kind: 'twilio', edge: 'tokyo' });
  });

  it('is refused, naming the key, when any one of its keys is renamed', () => {
    const paths = keyPaths(config);
    assert.ok(paths.length >= 11, `expected every key of the contract, got ${paths.join(', ')}`);
    for (const path of paths) {
      const leaf = path.split('.').at(-1)!;
      assert.throws(
        () => parsePageConfig(renamed(config, path.split('.'))),
        (e: Error) => e.message.startsWith('config.json: ') && e.message.includes(leaf),
        `renaming ${path} must be refused`,
      );
    }
  });
});
