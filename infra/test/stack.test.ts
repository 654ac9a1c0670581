/**
 * Assertions on the synthesized CDK template: what a reviewer would otherwise check by reading
 * it. Each test names the property it protects.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { deployedRoutes, routeKey } from '../lib/function-catalog';
import {
  Json,
  actionsOf,
  allStrings,
  asArray,
  catalog,
  cdkFunctionIds,
  cdkRoleStatements,
  defaultStack,
  ofType,
  readAsset,
  refTarget,
  routeBindings,
  synth,
  tempDir,
} from './helpers';

const s = defaultStack();
const fnIds = cdkFunctionIds(s);
const idOf = (name: string): string => [...fnIds].find(([, n]) => n === name)![0];
const nameOf = (logicalId: string): string => {
  const name = fnIds.get(logicalId);
  if (!name) throw new Error(`${logicalId} is not one of the catalog's functions`);
  return name;
};
/** The one resource of a type, leaving out the live channel's (its API, authorizer, …). */
const logicalIdOfType = (type: string): string => {
  const found = ofType(s.resources, type).filter(([id]) => !id.startsWith('LiveChannel'));
  assert.equal(found.length, 1, `exactly one ${type}`);
  return found[0][0];
};

describe('functions and routes', () => {
  it('creates one Lambda per catalog entry', () => {
    assert.deepEqual([...fnIds.values()].sort(), catalog.functions.map((fn) => fn.name).sort());
  });

  it('routes exactly the catalog routes, each to its own function with payload format 2.0', () => {
    const routes = routeBindings(s.resources, nameOf);
    const expected = catalog.functions.flatMap((fn) => deployedRoutes(catalog, fn).map((r) => [routeKey(r), fn.name]));
    assert.deepEqual([...routes.keys()].sort(), expected.map(([key]) => key).sort());
    for (const [key, name] of expected) {
      const route = routes.get(key)!;
      assert.equal(route.functionName, name, key);
      assert.equal(route.payloadFormatVersion, '2.0', key);
      assert.equal(route.integrationType, 'AWS_PROXY', key);
    }
  });

  it('puts the Cognito JWT authorizer on every /api route but a recording\'s media, and serves no /twilio route', () => {
    const authorizerId = logicalIdOfType('AWS::ApiGatewayV2::Authorizer');
    for (const [key, route] of routeBindings(s.resources, nameOf)) {
      if (key === 'GET /api/media/recordings/{token}') {
        assert.equal(route.authorizationType, 'NONE', key);
        assert.equal(route.authorizerId, undefined, key);
      } else {
        assert.match(key, / \/api\//, `${key}: Twilio calls its webhooks at the voice function URL, not on the API`);
        assert.equal(route.authorizationType, 'JWT', key);
        assert.equal(route.authorizerId, authorizerId, key);
      }
    }
  });

  it('has no authorized ANY or OPTIONS route, and no CORS rule: the page calls the API on its own origin', () => {
    for (const [key, route] of routeBindings(s.resources, nameOf)) {
      if (route.authorizationType !== 'NONE') assert.match(key, /^(GET|POST|PUT|PATCH|DELETE) /, key);
      assert.doesNotMatch(key, /^OPTIONS /, key);
    }
    const api = s.resources[logicalIdOfType('AWS::ApiGatewayV2::Api')].Properties;
    assert.equal(api.CorsConfiguration, undefined, 'no cross-origin caller');
  });

  it('checks tokens of the page client issued by this user pool', () => {
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: logicalIdOfType('AWS::Cognito::UserPoolClient') }],
        Issuer: { 'Fn::Join': ['', ['https://cognito-idp.ap-northeast-1.amazonaws.com/', { Ref: logicalIdOfType('AWS::Cognito::UserPool') }]] },
      },
    });
  });

  it('runs every function on arm64 with provided.al2023, X-Ray tracing, 128-256 MB and its catalog timeout', () => {
    for (const fn of catalog.functions) {
      const props = s.resources[idOf(fn.name)].Properties;
      assert.deepEqual(props.Architectures, ['arm64'], fn.name);
      assert.equal(props.Runtime, 'provided.al2023', fn.name);
      assert.equal(props.Handler, 'bootstrap', fn.name);
      assert.deepEqual(props.TracingConfig, { Mode: 'Active' }, fn.name);
      assert.equal(props.MemorySize, fn.memoryMb ?? catalog.defaults.memoryMb, fn.name);
      assert.ok(props.MemorySize >= 128 && props.MemorySize <= 256, fn.name);
      assert.equal(props.Timeout, fn.timeoutSeconds ?? catalog.defaults.timeoutSeconds, fn.name);
    }
  });

  it('sends each function log to its own log group with a retention', () => {
    for (const fn of catalog.functions) {
      const logGroupId = refTarget(s.resources[idOf(fn.name)].Properties.LoggingConfig?.LogGroup);
      assert.ok(logGroupId, `${fn.name} has a log group`);
      assert.equal(s.resources[logGroupId].Properties.RetentionInDays, 30, fn.name);
    }
  });

  it('throttles the default stage and serves it at the API root', () => {
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it("serves Twilio's webhooks at the voice function's own function URL: auth type NONE, invocable by anyone through the URL only", () => {
    const voiceId = idOf('voice');
    assert.deepEqual(
      catalog.functions.filter((fn) => fn.functionUrl).map((fn) => fn.name),
      ['voice'],
    );
    const urls = ofType(s.resources, 'AWS::Lambda::Url');
    assert.equal(urls.length, 1, 'one function URL');
    const [[, url]] = urls;
    assert.deepEqual(url.Properties, { AuthType: 'NONE', InvokeMode: 'BUFFERED', TargetFunctionArn: { 'Fn::GetAtt': [voiceId, 'Arn'] } }, 'no CORS: Twilio is no browser');
    // Lambda wants both for a public function URL: InvokeFunctionUrl for auth type NONE, and
    // InvokeFunction only through a function URL. Nobody may invoke any function otherwise.
    const open = ofType(s.resources, 'AWS::Lambda::Permission').filter(([, p]) => p.Properties.Principal === '*');
    assert.deepEqual(
      open.map(([, p]) => p.Properties).sort((a, b) => a.Action.localeCompare(b.Action)),
      [
        { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [voiceId, 'Arn'] }, InvokedViaFunctionUrl: true, Principal: '*' },
        { Action: 'lambda:InvokeFunctionUrl', FunctionName: { 'Fn::GetAtt': [voiceId, 'Arn'] }, FunctionUrlAuthType: 'NONE', Principal: '*' },
      ],
    );
    assert.equal(
      ofType(s.resources, 'AWS::Lambda::Permission').filter(([, p]) => refTarget(p.Properties.FunctionName) === voiceId && p.Properties.Principal === 'apigateway.amazonaws.com').length,
      0,
      'API Gateway no longer invokes it',
    );
  });

  it("caps the webhooks' function with its reserved concurrency, which no other function has (overridable for a small account)", () => {
    const voice = catalog.functions.find((fn) => fn.name === 'voice')!;
    assert.equal(voice.functionUrl?.reservedConcurrency, 100);
    for (const fn of catalog.functions) {
      const reserved = s.resources[idOf(fn.name)].Properties.ReservedConcurrentExecutions;
      assert.equal(reserved, fn.name === 'voice' ? 100 : undefined, fn.name);
    }
    const small = synth({ webhookConcurrency: 20 });
    const [[, smallVoice]] = ofType(small.resources, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('VoiceFunction'));
    assert.equal(smallVoice.Properties.ReservedConcurrentExecutions, 20);
  });

  it('limits no route on its own now that no route is Twilio\'s: every route has the stage\'s limits', () => {
    const [[, stage]] = ofType(s.resources, 'AWS::ApiGatewayV2::Stage').filter(([id]) => !id.startsWith('LiveChannel'));
    assert.equal(stage.Properties.RouteSettings, undefined);
    assert.deepEqual(catalog.functions.filter((fn) => fn.throttle).map((fn) => fn.name), []);
  });

  it('is served by the distribution at /api/*, uncached, with every viewer header but Host; Twilio\'s fallback TwiML is a static file there', () => {
    const dist = s.resources[logicalIdOfType('AWS::CloudFront::Distribution')].Properties.DistributionConfig;
    const apiOrigin = dist.Origins.find((o: Json) => o.CustomOriginConfig);
    assert.ok(apiOrigin, 'an origin for the API');
    assert.equal(apiOrigin.CustomOriginConfig.OriginProtocolPolicy, 'https-only');
    assert.match(JSON.stringify(apiOrigin.DomainName), new RegExp(logicalIdOfType('AWS::ApiGatewayV2::Api')));
    const behaviour = (pattern: string) => dist.CacheBehaviors.find((b: Json) => b.PathPattern === pattern);
    assert.deepEqual(dist.CacheBehaviors.map((b: Json) => b.PathPattern), ['/twilio/fallback.xml', '/api/*', '/live'], 'no /twilio/* to the API: the webhooks are at their function URL');
    for (const pattern of ['/api/*']) {
      const b = behaviour(pattern);
      assert.equal(b.TargetOriginId, apiOrigin.Id, pattern);
      assert.deepEqual([...b.AllowedMethods].sort(), ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'], pattern);
      assert.equal(b.CachePolicyId, '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', `${pattern}: CachingDisabled`);
      assert.equal(b.OriginRequestPolicyId, 'b689b0a8-53d0-40ab-baf2-68738e2966ac', `${pattern}: AllViewerExceptHostHeader`);
      assert.equal(b.FunctionAssociations, undefined, `${pattern}: no page-route rewrite`);
    }
    const fallback = behaviour('/twilio/fallback.xml');
    assert.notEqual(fallback.TargetOriginId, apiOrigin.Id, 'the fallback is answered from the bucket when the webhooks fail');
    assert.deepEqual([...fallback.AllowedMethods].sort(), ['GET', 'HEAD']);
  });

  it('serves a custom domain with its certificate when one is given', () => {
    const custom = synth({ domain: { name: 'console.example.co.jp', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0b1e2f3a-4c5d-6e7f-8a9b-0c1d2e3f4a5b' } });
    const dist = custom.resources[ofType(custom.resources, 'AWS::CloudFront::Distribution')[0][0]].Properties.DistributionConfig;
    assert.deepEqual(dist.Aliases, ['console.example.co.jp']);
    assert.equal(dist.ViewerCertificate.AcmCertificateArn, 'arn:aws:acm:us-east-1:123456789012:certificate/0b1e2f3a-4c5d-6e7f-8a9b-0c1d2e3f4a5b');
    const [[, voice]] = ofType(custom.resources, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('VoiceFunction'));
    assert.equal(voice.Properties.Environment.Variables.PUBLIC_BASE_URL, 'https://lambda-url.ap-northeast-1.on.aws', 'Twilio still calls the function URL');
    assert.doesNotMatch(JSON.stringify(custom.json.Outputs.TwilioVoiceUrl.Value), /console\.example\.co\.jp/);
    assert.equal(custom.json.Outputs.TwilioFallbackUrl.Value, 'https://console.example.co.jp/twilio/fallback.xml');
    const [[, bucket]] = ofType(custom.resources, 'AWS::S3::Bucket');
    assert.deepEqual(bucket.Properties.CorsConfiguration.CorsRules[0].AllowedOrigins, ['https://console.example.co.jp'], 'music is PUT from the custom domain only');
  });
});

/** `https://<voice function URL's host>`: the origin Twilio calls the webhooks at. */
const webhookOrigin = (): Json => ({
  'Fn::Join': ['', ['https://', { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [logicalIdOfType('AWS::Lambda::Url'), 'FunctionUrl'] }] }] }]],
});

describe('environment and secrets', () => {
  it('gives every function exactly TABLE_NAME, PUBLIC_BASE_URL, RUST_LOG, TWILIO_SECRET_ARN where it talks to Twilio, USER_POOL_ID where it manages users and PAGE_BUCKET where it presigns music uploads', () => {
    const tableId = logicalIdOfType('AWS::DynamoDB::Table');
    const secretId = logicalIdOfType('AWS::SecretsManager::Secret');
    for (const fn of catalog.functions) {
      const env = s.resources[idOf(fn.name)].Properties.Environment.Variables;
      const expected = [
        'PUBLIC_BASE_URL',
        'RUST_LOG',
        'TABLE_NAME',
        ...(fn.secrets.includes('twilio') ? ['TWILIO_SECRET_ARN'] : []),
        ...(fn.userPool ? ['USER_POOL_ID'] : []),
        ...(fn.pageBucket ? ['PAGE_BUCKET'] : []),
      ];
      assert.deepEqual(Object.keys(env).sort(), expected.sort(), fn.name);
      assert.deepEqual(env.TABLE_NAME, { Ref: tableId }, fn.name);
      assert.equal(env.RUST_LOG, 'info', fn.name);
      assert.deepEqual(
        env.PUBLIC_BASE_URL,
        fn.name === 'voice' ? 'https://lambda-url.ap-northeast-1.on.aws' : webhookOrigin(),
        fn.name === 'voice'
          ? "voice: the region's function URL domain (its own URL is read from each request: naming it here would be a cycle)"
          : `${fn.name}: PUBLIC_BASE_URL is the voice function URL's origin, where Twilio calls the webhooks it is handed`,
      );
      if (env.TWILIO_SECRET_ARN) assert.deepEqual(env.TWILIO_SECRET_ARN, { Ref: secretId }, fn.name);
      if (env.PAGE_BUCKET) assert.deepEqual(env.PAGE_BUCKET, { Ref: logicalIdOfType('AWS::S3::Bucket') }, fn.name);
    }
  });

  it('puts no secret value or Twilio credential in any environment or anywhere in the template', () => {
    const twilioSid = /\b(AC|SK|AP|PN|CA)[0-9a-f]{32}\b/;
    const secretish = /(AUTH_TOKEN|API_KEY_SECRET|ACCOUNT_SID|API_KEY_SID|PASSWORD|SECRET(?!_ARN$))/i;
    for (const [id, fn] of ofType(s.resources, 'AWS::Lambda::Function')) {
      const env = fn.Properties.Environment?.Variables ?? {};
      for (const [key, value] of Object.entries(env)) {
        assert.doesNotMatch(key, secretish, `${id}: ${key}`);
        for (const text of allStrings(value)) assert.doesNotMatch(text, twilioSid, `${id}: ${key}`);
      }
    }
    for (const text of allStrings(s.json)) {
      assert.doesNotMatch(text, twilioSid);
    }
  });

  it('creates the Twilio secret from a generated placeholder, never a literal value', () => {
    const secret = s.resources[logicalIdOfType('AWS::SecretsManager::Secret')];
    assert.equal(secret.Properties.SecretString, undefined);
    const generated = secret.Properties.GenerateSecretString;
    const keys = [...Object.keys(JSON.parse(generated.SecretStringTemplate)), generated.GenerateStringKey].sort();
    assert.deepEqual(keys, [...catalog.secrets.twilio.keys].sort());
    assert.equal(generated.GenerateStringKey, 'auth_token', 'a random auth_token means no one can sign webhooks before setup');
    assert.equal(secret.Properties.Name, 'OperatorConsole/twilio');
    assert.equal(secret.DeletionPolicy, 'Retain');
  });
});

describe('least privilege', () => {
  const allStatements: Json[] = ofType(s.resources, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);

  it('has no wildcard DynamoDB action anywhere, and no "*" action at all', () => {
    for (const statement of allStatements) {
      for (const action of asArray<string>(statement.Action)) {
        assert.notEqual(action, '*');
        if (action.startsWith('dynamodb:')) assert.ok(!action.includes('*'), `wildcard action ${action}`);
      }
    }
  });

  it("gives the functions' roles no wildcard action of any service", () => {
    for (const fn of catalog.functions) {
      for (const statement of cdkRoleStatements(s.resources, idOf(fn.name))) {
        for (const action of asArray<string>(statement.Action)) assert.ok(!action.includes('*'), `${fn.name}: ${action}`);
      }
    }
  });

  it('never grants Scan: request paths use GetItem, Query and small transactions', () => {
    for (const statement of allStatements) {
      assert.ok(!asArray(statement.Action).includes('dynamodb:Scan'));
    }
  });

  it('grants each function exactly its catalog DynamoDB actions, on the table and its listed indexes only', () => {
    const tableId = logicalIdOfType('AWS::DynamoDB::Table');
    for (const fn of catalog.functions) {
      const statements = cdkRoleStatements(s.resources, idOf(fn.name));
      assert.deepEqual(actionsOf(statements, 'dynamodb:'), [...fn.table.actions].sort(), fn.name);
      for (const statement of statements.filter((st) => asArray<string>(st.Action).some((a) => a.startsWith('dynamodb:')))) {
        for (const resource of asArray(statement.Resource)) {
          assert.equal(refTarget(resource), tableId, `${fn.name}: resource is the table`);
          const suffix = allStrings(resource).join('');
          if (suffix.includes('/index/')) {
            assert.deepEqual(asArray(statement.Action), ['dynamodb:Query'], `${fn.name}: only Query on indexes`);
            assert.ok(fn.table.indexes.some((index) => suffix.endsWith(`/index/${index}`)), `${fn.name}: ${suffix}`);
          }
        }
      }
      const indexResources = statements.flatMap((st) => asArray(st.Resource)).filter((r) => allStrings(r).join('').includes('/index/'));
      assert.equal(indexResources.length, fn.table.indexes.length, `${fn.name}: one index resource per listed index`);
    }
  });

  it('lets only the settings function touch the page bucket: PutObject under music/ and nothing else', () => {
    const bucketId = logicalIdOfType('AWS::S3::Bucket');
    assert.deepEqual(
      catalog.functions.filter((fn) => fn.pageBucket).map((fn) => fn.name),
      ['settings'],
    );
    for (const fn of catalog.functions) {
      const statements = cdkRoleStatements(s.resources, idOf(fn.name));
      const s3Statements = statements.filter((st) => asArray<string>(st.Action).some((a) => a.startsWith('s3:')));
      if (fn.name !== 'settings') {
        assert.deepEqual(s3Statements, [], fn.name);
        continue;
      }
      assert.equal(s3Statements.length, 1);
      assert.deepEqual(asArray(s3Statements[0].Action), ['s3:PutObject']);
      const [resource] = asArray(s3Statements[0].Resource);
      assert.equal(refTarget(resource), bucketId, 'the page bucket');
      assert.ok(allStrings(resource).join('').endsWith('/music/*'), `only music/: ${JSON.stringify(resource)}`);
    }
  });

  it('lets only the Twilio-facing functions read the secret, and nothing else in Secrets Manager', () => {
    const secretId = logicalIdOfType('AWS::SecretsManager::Secret');
    for (const fn of catalog.functions) {
      const statements = cdkRoleStatements(s.resources, idOf(fn.name));
      const secretActions = actionsOf(statements, 'secretsmanager:');
      if (fn.secrets.includes('twilio')) {
        assert.deepEqual(secretActions, ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], fn.name);
        const resources = statements.filter((st) => asArray<string>(st.Action).some((a) => a.startsWith('secretsmanager:'))).flatMap((st) => asArray(st.Resource));
        assert.deepEqual(resources.map(refTarget), [secretId], fn.name);
      } else {
        assert.deepEqual(secretActions, [], fn.name);
      }
    }
  });
});

describe('table', () => {
  const table = () => s.resources[logicalIdOfType('AWS::DynamoDB::Table')];

  it('uses PK/SK with GSI1 and GSI2 (string keys, projection ALL), on demand', () => {
    s.template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: ['GSI1', 'GSI2'].map((index) => ({
        IndexName: index,
        KeySchema: [
          { AttributeName: `${index}PK`, KeyType: 'HASH' },
          { AttributeName: `${index}SK`, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    });
    for (const attribute of table().Properties.AttributeDefinitions) assert.equal(attribute.AttributeType, 'S');
  });

  it('has point-in-time recovery, encryption at rest and TTL on expires_at', () => {
    const props = table().Properties;
    assert.deepEqual(props.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
    assert.equal(props.SSESpecification.SSEEnabled, true);
    assert.deepEqual(props.TimeToLiveSpecification, { AttributeName: 'expires_at', Enabled: true });
  });

  it('is protected from deletion and retained by default', () => {
    assert.equal(table().Properties.DeletionProtectionEnabled, true);
    assert.equal(table().DeletionPolicy, 'Retain');
    assert.equal(table().UpdateReplacePolicy, 'Retain');
  });

  it('can drop protection for a dev stack (deletionProtection=false)', () => {
    const dev = synth({ deletionProtection: false });
    const [[, devTable]] = ofType(dev.resources, 'AWS::DynamoDB::Table');
    assert.equal(devTable.Properties.DeletionProtectionEnabled, false);
    assert.equal(devTable.DeletionPolicy, 'Delete');
    const [[, pool]] = ofType(dev.resources, 'AWS::Cognito::UserPool');
    assert.equal(pool.Properties.DeletionProtection, 'INACTIVE');
  });
});

describe('sign-in', () => {
  it('has a user pool without self sign-up, protected and retained', () => {
    const pool = s.resources[logicalIdOfType('AWS::Cognito::UserPool')];
    assert.equal(pool.Properties.AdminCreateUserConfig.AllowAdminCreateUserOnly, true);
    assert.equal(pool.Properties.DeletionProtection, 'ACTIVE');
    assert.equal(pool.DeletionPolicy, 'Retain');
  });

  it('has the groups operator, supervisor and admin', () => {
    const groups = ofType(s.resources, 'AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName);
    assert.deepEqual(groups.sort(), ['admin', 'operator', 'supervisor']);
  });

  it('has a hosted UI domain and a public page client using the authorization-code flow on the CloudFront domain', () => {
    s.template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'operatorconsole-123456789012' });
    const client = s.resources[logicalIdOfType('AWS::Cognito::UserPoolClient')].Properties;
    assert.equal(client.GenerateSecret, false);
    assert.deepEqual(client.AllowedOAuthFlows, ['code']);
    assert.equal(client.AllowedOAuthFlowsUserPoolClient, true);
    assert.ok(client.AllowedOAuthScopes.includes('openid'));
    const distributionId = logicalIdOfType('AWS::CloudFront::Distribution');
    assert.ok(client.CallbackURLs.length > 0);
    for (const url of [...client.CallbackURLs, ...client.LogoutURLs]) {
      assert.equal(refTarget(url), distributionId, 'callback on the CloudFront domain');
      assert.match(allStrings(url).join(''), /^https:\/\//);
    }
  });
});

describe('page hosting', () => {
  it('keeps the bucket private and encrypted, reachable only through CloudFront OAC', () => {
    s.template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    s.template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const origin = s.resources[logicalIdOfType('AWS::CloudFront::Distribution')].Properties.DistributionConfig.Origins[0];
    assert.ok(origin.OriginAccessControlId, 'origin uses OAC');
  });

  it('serves HTTPS only, with the security headers policy and the page-route rewrite', () => {
    const config = s.resources[logicalIdOfType('AWS::CloudFront::Distribution')].Properties.DistributionConfig;
    assert.equal(config.DefaultCacheBehavior.ViewerProtocolPolicy, 'https-only');
    assert.equal(refTarget(config.DefaultCacheBehavior.ResponseHeadersPolicyId), logicalIdOfType('AWS::CloudFront::ResponseHeadersPolicy'));
    const association = config.DefaultCacheBehavior.FunctionAssociations[0];
    assert.equal(association.EventType, 'viewer-request');
    assert.equal(refTarget(association.FunctionARN), logicalIdOfType('AWS::CloudFront::Function'));
    assert.equal(config.DefaultRootObject, 'index.html');
  });

  it('rewrites page routes to /index.html but leaves files (config.json, fallback.xml, assets) alone', () => {
    const code: string = s.resources[logicalIdOfType('AWS::CloudFront::Function')].Properties.FunctionCode;
    const handler = new Function(`${code}; return handler;`)() as (e: Json) => Json;
    const uriFor = (uri: string) => handler({ request: { uri } }).uri;
    assert.equal(uriFor('/'), '/index.html');
    assert.equal(uriFor('/supervisor'), '/index.html');
    assert.equal(uriFor('/admin/lines'), '/index.html');
    assert.equal(uriFor('/config.json'), '/config.json');
    assert.equal(uriFor('/twilio/fallback.xml'), '/twilio/fallback.xml');
    assert.equal(uriFor('/assets/index-3f2a.js'), '/assets/index-3f2a.js');
  });

  it('sends a CSP allowing its own origin (the API), Cognito and the Twilio Voice SDK, plus HSTS and frame denial', () => {
    const config = s.resources[logicalIdOfType('AWS::CloudFront::ResponseHeadersPolicy')].Properties.ResponseHeadersPolicyConfig;
    const csp = allStrings(config.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy).join('');
    const directive = (name: string) => csp.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `)) ?? '';
    assert.match(directive('default-src'), /'self'/);
    assert.doesNotMatch(directive('script-src'), /unsafe-inline|unsafe-eval/);
    for (const source of ["'self'", 'wss://*.twilio.com', 'https://*.twilio.com', '.auth.ap-northeast-1.amazoncognito.com', 'https://cognito-idp.ap-northeast-1.']) {
      assert.ok(directive('connect-src').includes(source), `connect-src has ${source}`);
    }
    assert.ok(!directive('connect-src').includes('execute-api'), 'the API is on the page’s own origin: no API host to allow');
    assert.match(directive('media-src'), /blob:/);
    assert.match(directive('frame-ancestors'), /'none'/);
    assert.equal(config.SecurityHeadersConfig.StrictTransportSecurity.AccessControlMaxAgeSec >= 31536000, true);
    assert.equal(config.SecurityHeadersConfig.FrameOptions.FrameOption, 'DENY');
    assert.equal(config.SecurityHeadersConfig.ContentTypeOptions.Override, true);
  });

  it('deploys config.json and the fallback TwiML even when static-ui/dist is missing', () => {
    const noPage = synth({ staticUiDist: path.join(tempDir('no-dist-'), 'dist') });
    const [[, deployment]] = ofType(noPage.resources, 'Custom::CDKBucketDeployment');
    const keys: string[] = deployment.Properties.SourceObjectKeys;
    assert.equal(keys.length, 2);
    assert.match(readAsset(noPage.outdir, keys[0], 'twilio/fallback.xml'), /<Hangup\/>/);
    assert.ok(readAsset(noPage.outdir, keys[1], 'config.json').includes('"apiUrl"'));
    const warnings = noPage.stack.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    assert.ok(warnings.some((w) => w.includes('no index.html')), 'warns that the page is not built');
  });

  it('deploys the built page first when static-ui/dist exists, so the generated config.json wins', () => {
    const dist = tempDir('dist-');
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>console</title>');
    fs.writeFileSync(path.join(dist, 'config.json'), '{"apiUrl":"http://localhost:3000"}');
    const withPage = synth({ staticUiDist: dist });
    const [[, deployment]] = ofType(withPage.resources, 'Custom::CDKBucketDeployment');
    const keys: string[] = deployment.Properties.SourceObjectKeys;
    assert.equal(keys.length, 3);
    assert.match(readAsset(withPage.outdir, keys[0], 'index.html'), /console/);
    assert.ok(readAsset(withPage.outdir, keys[2], 'config.json').includes('"logoutEndpoint"'));
    assert.deepEqual(deployment.Properties.DistributionPaths, ['/*']);
    assert.equal(deployment.Properties.Prune, true);
  });

  it('keeps the uploaded music on a deploy: music/* is excluded from the deployment and its prune', () => {
    const [[, deployment]] = ofType(s.resources, 'Custom::CDKBucketDeployment');
    assert.equal(deployment.Properties.Prune, true);
    assert.deepEqual(deployment.Properties.Exclude, ['music/*']);
  });

  it("accepts the admin page's presigned music PUT: CORS for PUT with content-type from the page's origin, and the bucket in the CSP's connect-src", () => {
    const [[, bucket]] = ofType(s.resources, 'AWS::S3::Bucket');
    assert.deepEqual(bucket.Properties.CorsConfiguration.CorsRules, [
      { AllowedHeaders: ['content-type'], AllowedMethods: ['PUT'], AllowedOrigins: ['https://*.cloudfront.net'], MaxAge: 3000 },
    ]);
    const config = s.resources[logicalIdOfType('AWS::CloudFront::ResponseHeadersPolicy')].Properties.ResponseHeadersPolicyConfig;
    const csp = JSON.stringify(config.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy);
    assert.ok(csp.includes('RegionalDomainName'), `connect-src names the bucket's regional host: ${csp}`);
  });

  it('writes config.json at deploy time: the API, the user pool as OIDC issuer, the page client, the hosted UI logout and the Twilio edge', () => {
    const [[, deployment]] = ofType(s.resources, 'Custom::CDKBucketDeployment');
    const keys: string[] = deployment.Properties.SourceObjectKeys;
    const config = JSON.parse(readAsset(s.outdir, keys[keys.length - 1], 'config.json'));
    const markers = deployment.Properties.SourceMarkers[keys.length - 1];
    const target = (value: string): string | undefined => {
      const marker = /<<marker:[^>]+>>/.exec(value)?.[0];
      const ref = marker ? markers[marker] : undefined;
      return ref ? (ref.Ref ?? ref['Fn::GetAtt']?.join('.')) : undefined;
    };
    assert.equal(config.apiUrl, '', 'the API is on the page’s own origin');
    assert.equal(config.auth.kind, 'cognito');
    assert.equal(target(config.auth.authority), `${logicalIdOfType('AWS::Cognito::UserPool')}.ProviderURL`);
    assert.equal(target(config.auth.clientId), logicalIdOfType('AWS::Cognito::UserPoolClient'));
    assert.equal(target(config.auth.logoutEndpoint), logicalIdOfType('AWS::Cognito::UserPoolDomain'));
    assert.match(config.auth.logoutEndpoint, /^https:\/\/.+\.auth\.ap-northeast-1\.amazoncognito\.com\/logout$/);
    assert.equal(target(config.auth.redirectUri), `${logicalIdOfType('AWS::CloudFront::Distribution')}.DomainName`);
    assert.match(config.auth.redirectUri, /\/auth\/callback$/);
    assert.deepEqual(config.phone, { kind: 'twilio', edge: 'tokyo' });
    assert.ok(!JSON.stringify(config).match(/secret|token/i), 'no credentials in config.json');
  });
});

describe('alarms', () => {
  const alarms = ofType(s.resources, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  const topicId = logicalIdOfType('AWS::SNS::Topic');
  const metricNames = (alarm: Json): string[] =>
    alarm.MetricName ? [alarm.MetricName] : (alarm.Metrics ?? []).map((m: Json) => m.MetricStat?.Metric?.MetricName).filter(Boolean);
  const dimensionTargets = (alarm: Json): string[] =>
    [alarm.Dimensions ?? [], ...(alarm.Metrics ?? []).map((m: Json) => m.MetricStat?.Metric?.Dimensions ?? [])]
      .flat()
      .map((d: Json) => refTarget(d.Value))
      .filter(Boolean) as string[];

  it('notifies the alarm topic from every alarm', () => {
    assert.ok(alarms.length > 0);
    for (const alarm of alarms) {
      assert.deepEqual(alarm.AlarmActions.map(refTarget), [topicId]);
    }
  });

  it('watches the HTTP API for 5xx and for throttling (4xx rate)', () => {
    const apiId = logicalIdOfType('AWS::ApiGatewayV2::Api');
    const onApi = alarms.filter((a) => dimensionTargets(a).includes(apiId));
    assert.ok(onApi.some((a) => metricNames(a).includes('5xx')), '5xx alarm');
    assert.ok(onApi.some((a) => metricNames(a).includes('4xx')), '4xx (throttling) alarm');
  });

  it("watches Twilio's webhooks at the function URL for 5xx and for a refused share (a wrong auth token, or a flood)", () => {
    const voiceId = idOf('voice');
    const onUrl = alarms.filter((a) => dimensionTargets(a).includes(voiceId) && metricNames(a).some((m) => m.startsWith('Url')));
    const fiveXx = onUrl.find((a) => metricNames(a).includes('Url5xxCount'));
    assert.ok(fiveXx, '5xx alarm');
    assert.equal(fiveXx.Namespace, 'AWS/Lambda');
    assert.equal(fiveXx.Threshold, 1);
    const refused = onUrl.find((a) => metricNames(a).includes('Url4xxCount'));
    assert.ok(refused, 'refused-share alarm');
    assert.deepEqual(metricNames(refused).sort(), ['Url4xxCount', 'UrlRequestCount']);
    assert.equal(refused.Threshold, 10);
    assert.match(JSON.stringify(refused.Metrics), /IF\(requests >= 20, 100 \* refused \/ requests, 0\)/);
  });

  it('watches every function for errors and throttles', () => {
    for (const fn of catalog.functions) {
      const id = idOf(fn.name);
      const onFn = alarms.filter((a) => dimensionTargets(a).includes(id));
      assert.ok(onFn.some((a) => metricNames(a).includes('Errors')), `${fn.name} errors`);
      assert.ok(onFn.some((a) => metricNames(a).includes('Throttles')), `${fn.name} throttles`);
    }
  });

  it("counts each catalog log alarm's lines in every HTTP function's log group and alarms on one", () => {
    assert.ok(catalog.logAlarms.some((la) => la.pattern.includes('dependency_rejected')), 'dependency_rejected is alarmed');
    const filters = ofType(s.resources, 'AWS::Logs::MetricFilter').map(([, f]) => f.Properties);
    for (const la of catalog.logAlarms) {
      for (const fn of catalog.functions) {
        const logGroupId = refTarget(s.resources[idOf(fn.name)].Properties.LoggingConfig?.LogGroup);
        const counted = filters.filter((f) => refTarget(f.LogGroupName) === logGroupId && f.FilterPattern === la.pattern);
        assert.equal(counted.length, 1, `${fn.name}: one ${la.metric} filter on its log group`);
        assert.deepEqual(counted[0].MetricTransformations, [{ MetricNamespace: 'OperatorConsole', MetricName: la.metric, MetricValue: '1' }]);
      }
      const onMetric = alarms.filter((a) => a.Namespace === 'OperatorConsole' && a.MetricName === la.metric);
      assert.equal(onMetric.length, 1, `one ${la.metric} alarm`);
      assert.equal(onMetric[0].Statistic, 'Sum');
      assert.equal(onMetric[0].Threshold, 1);
    }
  });

  it('watches the table for throttled requests and system errors', () => {
    const tableId = logicalIdOfType('AWS::DynamoDB::Table');
    const onTable = alarms.filter((a) => dimensionTargets(a).includes(tableId));
    assert.ok(onTable.some((a) => metricNames(a).includes('ThrottledRequests')));
    assert.ok(onTable.some((a) => metricNames(a).includes('SystemErrors')));
    for (const alarm of onTable) assert.ok((alarm.Metrics ?? []).filter((m: Json) => m.MetricStat).length <= 10, 'alarm math uses at most 10 metrics');
  });

  it('subscribes an e-mail address only when one is given', () => {
    assert.equal(ofType(s.resources, 'AWS::SNS::Subscription').length, 0);
    const withEmail = synth({ alarmEmail: 'oncall@example.co.jp' });
    withEmail.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.co.jp' });
  });
});

describe('outputs', () => {
  const value = (name: string): Json => {
    assert.ok(s.json.Outputs[name], `output ${name}`);
    return s.json.Outputs[name].Value;
  };
  const cloudFrontDomain = () => ({ 'Fn::GetAtt': [logicalIdOfType('AWS::CloudFront::Distribution'), 'DomainName'] });
  /** A webhook's URL: the voice function URL's origin and the path. */
  const webhook = (path: string) => {
    const [, parts] = webhookOrigin()['Fn::Join'];
    return { 'Fn::Join': ['', [...parts, path]] };
  };

  it('gives the admin the Twilio Console URLs: voice and status callback at the function URL, the fallback on the page\'s origin, the TwiML App', () => {
    assert.deepEqual(value('TwilioVoiceUrl'), webhook('/twilio/voice/incoming'));
    assert.deepEqual(value('TwilioStatusCallbackUrl'), webhook('/twilio/voice/status#rc=3&rp=ct,rt,5xx'));
    assert.deepEqual(value('TwilioTwimlAppVoiceUrl'), webhook('/twilio/voice/outbound'));
    assert.deepEqual(value('TwilioWebhookBaseUrl'), webhookOrigin(), 'what infra/deploy provisions Twilio with');
    assert.deepEqual(value('TwilioFallbackUrl'), { 'Fn::Join': ['', ['https://', cloudFrontDomain(), '/twilio/fallback.xml']] });
    assert.match(s.json.Outputs.TwilioFallbackUrl.Description, /GET/);
    assert.deepEqual(value('ApiUrl'), { 'Fn::Join': ['', ['https://', cloudFrontDomain()]] }, "the page's API on its own origin");
  });

  it('gives the page URL, user pool id and secret name', () => {
    assert.deepEqual(value('PageUrl'), { 'Fn::Join': ['', ['https://', cloudFrontDomain(), '/']] });
    assert.deepEqual(value('UserPoolId'), { Ref: logicalIdOfType('AWS::Cognito::UserPool') });
    assert.equal(value('TwilioSecretName'), 'OperatorConsole/twilio');
  });
});

describe('crates that do not exist yet', () => {
  it('synthesizes with a placeholder manifest and a warning when bundling is skipped', () => {
    const emptyRepo = tempDir('no-crates-');
    const result = synth({ repoRoot: emptyRepo });
    assert.equal(Object.keys(result.stack.functions).length, catalog.functions.length);
    const warnings = result.stack.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    for (const fn of catalog.functions) {
      assert.ok(warnings.some((w) => w.includes(`${fn.crateDir}/Cargo.toml does not exist`)), fn.name);
    }
  });

  it('refuses to synthesize for a deploy (bundling on), naming the missing crate', () => {
    const emptyRepo = tempDir('no-crates-');
    assert.throws(() => synth({ repoRoot: emptyRepo, bundling: true }), /functions\/voice\/Cargo\.toml does not exist/);
  });
});
