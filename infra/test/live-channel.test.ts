/**
 * The live channel in the synthesized template: the WebSocket API and its routes, the token
 * read from the subprotocol header by a Lambda REQUEST authorizer, the `live` stage served at
 * `/live` on the page's origin, the table's stream read with bisection and partial batch
 * failures, and PostToConnection granted on this stage's connections only.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { LIVE_FUNCTIONS, LIVE_IDENTITY_SOURCE, WATCHED_KEY_PREFIXES } from '../lib/live-channel';
import { Json, actionsOf, allStrings, asArray, cdkRoleStatements, defaultStack, ofType, refTarget, synth } from './helpers';

const s = defaultStack();
const live = s.stack.live;
const idOf = (fn: keyof typeof LIVE_FUNCTIONS): string => s.stack.getLogicalId(live.functions[fn]!.node.defaultChild as never);
const apiId = s.stack.getLogicalId(live.api.node.defaultChild as never);
/** Resources of a type that belong to the WebSocket API. */
const ofLive = (type: string): [string, Json][] => ofType(s.resources, type).filter(([, r]) => refTarget(r.Properties.ApiId) === apiId);

describe('the live channel', () => {
  it('is a WebSocket API routing on the action of each message, with the four routes', () => {
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
    const routes = ofLive('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey).sort();
    assert.deepEqual(routes, ['$connect', '$default', '$disconnect', 'subscribe']);
  });

  it('guards $connect alone with a REQUEST authorizer reading the subprotocol header, never the query string', () => {
    const [[authorizerId, authorizer], ...more] = ofLive('AWS::ApiGatewayV2::Authorizer');
    assert.equal(more.length, 0);
    assert.equal(authorizer.Properties.AuthorizerType, 'REQUEST');
    assert.deepEqual(authorizer.Properties.IdentitySource, [LIVE_IDENTITY_SOURCE]);
    for (const [, route] of ofLive('AWS::ApiGatewayV2::Route')) {
      const guarded = refTarget(route.Properties.AuthorizerId) === authorizerId;
      assert.equal(guarded, route.Properties.RouteKey === '$connect', route.Properties.RouteKey);
    }
    assert.ok(!allStrings(authorizer).some((t: string) => t.includes('querystring')));
    const env = s.resources[idOf('authorizer')].Properties.Environment.Variables;
    assert.deepEqual(Object.keys(env).sort(), ['JWT_AUDIENCE', 'JWT_ISSUER', 'RUST_LOG']);
  });

  it('answers subscribe and $default through route responses', () => {
    const withResponse = ofLive('AWS::ApiGatewayV2::RouteResponse').map(([, r]) => refTarget(r.Properties.RouteId));
    const keyOf = (id: string | undefined) => s.resources[id!].Properties.RouteKey;
    assert.deepEqual(withResponse.map(keyOf).sort(), ['$default', 'subscribe']);
  });

  it('is the stage `live`, served at /live on the page origin without caching', () => {
    const stages = ofLive('AWS::ApiGatewayV2::Stage').map(([, r]) => [r.Properties.StageName, r.Properties.AutoDeploy]);
    assert.deepEqual(stages, [['live', true]]);
    const dist = ofType(s.resources, 'AWS::CloudFront::Distribution')[0][1].Properties.DistributionConfig;
    const behavior = dist.CacheBehaviors.find((b: Json) => b.PathPattern === '/live');
    assert.ok(behavior, 'a /live behavior');
    assert.equal(behavior.ViewerProtocolPolicy, 'https-only');
    assert.equal(behavior.CachePolicyId, '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', 'CachingDisabled');
    const origin = dist.Origins.find((o: Json) => o.Id === behavior.TargetOriginId);
    assert.ok(allStrings(origin.DomainName).some((t: string) => t.includes('.execute-api.')), 'the WebSocket API is the origin');
  });

  it('names the page’s own wss:// origin in the CSP when the domain is known', () => {
    const custom = synth({ domain: { name: 'console.example.jp', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' } });
    const [[, policy]] = ofType(custom.resources, 'AWS::CloudFront::ResponseHeadersPolicy');
    const csp = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy;
    assert.match(allStrings(csp).join(''), /connect-src 'self' wss:\/\/console\.example\.jp /);
  });

  it('streams the table with both images to the push function, with bisection, partial failures and key filters', () => {
    s.template.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } });
    const [[, mapping]] = ofType(s.resources, 'AWS::Lambda::EventSourceMapping');
    assert.equal(refTarget(mapping.Properties.FunctionName), idOf('push'));
    assert.equal(mapping.Properties.BisectBatchOnFunctionError, true);
    assert.deepEqual(mapping.Properties.FunctionResponseTypes, ['ReportBatchItemFailures']);
    assert.equal(mapping.Properties.StartingPosition, 'LATEST');
    const prefixes = mapping.Properties.FilterCriteria.Filters.map((f: Json) => JSON.parse(f.Pattern).dynamodb.Keys.PK.S[0].prefix);
    assert.deepEqual(prefixes, WATCHED_KEY_PREFIXES);
  });

  it('lets the push function post to this stage’s connections only, and the authorizer touch no table', () => {
    const push = cdkRoleStatements(s.resources, idOf('push'));
    const manage = push.filter((st: Json) => asArray<string>(st.Action).includes('execute-api:ManageConnections'));
    assert.equal(manage.length, 1);
    const resource = allStrings(manage[0].Resource).join('');
    assert.match(resource, /\/live\/POST\/@connections\/\*$/);
    assert.ok(!resource.includes(':*:*'), 'scoped to the API');
    assert.deepEqual(actionsOf(cdkRoleStatements(s.resources, idOf('authorizer')), 'dynamodb:'), []);
    assert.deepEqual(actionsOf(cdkRoleStatements(s.resources, idOf('routes')), 'dynamodb:'), [
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
    ]);
    s.template.hasOutput('LiveUrl', { Value: Match.anyValue() });
  });
});
