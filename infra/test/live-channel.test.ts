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
import {
  Json,
  actionsOf,
  allStrings,
  asArray,
  catalog,
  cdkRoleStatements,
  defaultStack,
  loadSam,
  ofType,
  pascalCase,
  refTarget,
  samFunctionProps,
  samStatements,
  synth,
} from './helpers';

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

  it('lets the page open its own wss:// origin: the custom domain exactly, else the distribution’s cloudfront.net name', () => {
    const cspOf = (resources: Json) => {
      const [[, policy]] = ofType(resources, 'AWS::CloudFront::ResponseHeadersPolicy');
      const csp = allStrings(policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy).join('');
      return csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('connect-src '))!.split(' ');
    };
    const custom = cspOf(synth({ domain: { name: 'console.example.jp', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' } }).resources);
    assert.ok(custom.includes('wss://console.example.jp'), custom.join(' '));
    assert.ok(!custom.some((source) => source.includes('cloudfront.net')), 'a custom domain needs no cloudfront.net source');
    const generated = cspOf(s.resources);
    assert.ok(generated.includes('wss://*.cloudfront.net'), generated.join(' '));
    assert.ok(!generated.some((source) => /^wss:\/\/\*$|^wss:$|execute-api/.test(source)), 'no wss: wildcard and no execute-api host');
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

/**
 * The channel as one template deploys it, read the same way from the CDK template and the SAM
 * template, so the two can be compared with each other and with the catalog's `live` entry.
 */
function channelOf(resources: Json, statementsOf: (functionId: string) => Json[], envOf: (functionId: string) => Json, functionIdOf: (role: keyof typeof LIVE_FUNCTIONS) => string) {
  const [[apiId, api], ...otherApis] = ofType(resources, 'AWS::ApiGatewayV2::Api').filter(([, a]) => a.Properties.ProtocolType === 'WEBSOCKET');
  assert.equal(otherApis.length, 0, 'one WebSocket API');
  const mine = (type: string) => ofType(resources, type).filter(([, r]) => refTarget(r.Properties.ApiId) === apiId);
  const roleOf = (functionId: string | undefined) =>
    (Object.keys(LIVE_FUNCTIONS) as (keyof typeof LIVE_FUNCTIONS)[]).find((role) => functionIdOf(role) === functionId) ?? `not a live function: ${functionId}`;
  const [[authorizerId, authorizer], ...otherAuthorizers] = mine('AWS::ApiGatewayV2::Authorizer');
  assert.equal(otherAuthorizers.length, 0, 'one authorizer');
  const responses = new Set(mine('AWS::ApiGatewayV2::RouteResponse').map(([, r]) => refTarget(r.Properties.RouteId)));
  const routes = Object.fromEntries(
    mine('AWS::ApiGatewayV2::Route').map(([id, r]) => {
      const integration = resources[refTarget(r.Properties.Target)!].Properties;
      return [
        r.Properties.RouteKey,
        {
          authorization: r.Properties.AuthorizationType,
          authorizer: r.Properties.AuthorizerId === undefined ? null : refTarget(r.Properties.AuthorizerId) === authorizerId,
          returnResponse: responses.has(id),
          integration: `${integration.IntegrationType} ${roleOf(refTarget(integration.IntegrationUri))}`,
        },
      ];
    }),
  );
  const [[, stage], ...otherStages] = mine('AWS::ApiGatewayV2::Stage');
  assert.equal(otherStages.length, 0, 'one stage');
  const [[, mapping], ...otherMappings] = ofType(resources, 'AWS::Lambda::EventSourceMapping');
  assert.equal(otherMappings.length, 0, 'one event source mapping');
  const [[tableId, table]] = ofType(resources, 'AWS::DynamoDB::Table');
  const manage = (role: keyof typeof LIVE_FUNCTIONS) =>
    statementsOf(functionIdOf(role))
      .filter((st: Json) => asArray<string>(st.Action).some((a) => a.startsWith('execute-api:')))
      .map((st: Json) => ({ actions: asArray<string>(st.Action), resource: allStrings(st.Resource).join(''), api: refsIn(st.Resource).includes(apiId) }));
  // The stream is read with the push function's role, on the stream only (ListStreams has no resource).
  const streamRead = new Set(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams']);
  const streamStatements = statementsOf(functionIdOf('push')).filter((st: Json) => asArray<string>(st.Action).some((a) => streamRead.has(a)));
  const onStream = streamStatements.every((st: Json) =>
    asArray<string>(st.Action).every((a) => !streamRead.has(a) || a === 'dynamodb:ListStreams' || JSON.stringify(st.Resource).includes('StreamArn')),
  );
  const tableActions = (role: keyof typeof LIVE_FUNCTIONS) => actionsOf(statementsOf(functionIdOf(role)), 'dynamodb:').filter((a) => !streamRead.has(a));
  const env = (role: keyof typeof LIVE_FUNCTIONS) =>
    Object.entries(envOf(functionIdOf(role)))
      .filter(([, v]: [string, Json]) => !(v && typeof v === 'object' && v.Ref === 'AWS::NoValue'))
      .map(([k]) => k)
      .sort();
  return {
    api: { protocol: api.Properties.ProtocolType, selection: api.Properties.RouteSelectionExpression },
    routes,
    authorizer: {
      type: authorizer.Properties.AuthorizerType,
      identitySource: authorizer.Properties.IdentitySource,
      function: roleOf(refTarget(authorizer.Properties.AuthorizerUri)),
    },
    stage: {
      name: stage.Properties.StageName,
      autoDeploy: stage.Properties.AutoDeploy,
      rate: stage.Properties.DefaultRouteSettings?.ThrottlingRateLimit,
      burst: stage.Properties.DefaultRouteSettings?.ThrottlingBurstLimit,
    },
    stream: {
      viewType: table.Properties.StreamSpecification?.StreamViewType,
      fromTable: refTarget(mapping.Properties.EventSourceArn) === tableId && allStrings(mapping.Properties.EventSourceArn).concat(JSON.stringify(mapping.Properties.EventSourceArn)).some((t) => t.includes('StreamArn')),
      function: roleOf(refTarget(mapping.Properties.FunctionName)),
      startingPosition: mapping.Properties.StartingPosition,
      batchSize: mapping.Properties.BatchSize,
      window: mapping.Properties.MaximumBatchingWindowInSeconds,
      bisect: mapping.Properties.BisectBatchOnFunctionError,
      responseTypes: mapping.Properties.FunctionResponseTypes,
      retries: mapping.Properties.MaximumRetryAttempts,
      maxAge: mapping.Properties.MaximumRecordAgeInSeconds,
      filters: mapping.Properties.FilterCriteria.Filters.map((f: Json) => JSON.parse(f.Pattern)),
    },
    manageConnections: { push: manage('push'), routes: manage('routes'), authorizer: manage('authorizer'), apiId },
    table: { routes: tableActions('routes'), push: tableActions('push'), authorizer: tableActions('authorizer') },
    streamRead: { actions: actionsOf(streamStatements, 'dynamodb:'), onStream },
    env: { authorizer: env('authorizer'), push: env('push').filter((k) => k === 'LIVE_ENDPOINT' || k === 'TABLE_NAME') },
  };
}

/** Every `Ref` / `Fn::GetAtt` target inside a value. */
function refsIn(value: Json, into: string[] = []): string[] {
  const target = refTarget(value);
  if (target) into.push(target);
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, into));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => refsIn(v, into));
  return into;
}

describe('the live channel in both templates', () => {
  const sam = loadSam();
  const cdk = channelOf(
    s.resources,
    (id) => cdkRoleStatements(s.resources, id),
    (id) => s.resources[id].Properties.Environment?.Variables ?? {},
    idOf,
  );
  const samChannel = channelOf(
    sam.Resources,
    (id) => samStatements(sam, id),
    (id) => samFunctionProps(sam, id).Environment.Variables,
    (role) => `${pascalCase(LIVE_FUNCTIONS[role].name)}Function`,
  );
  const live = catalog.live;

  for (const [name, channel] of [['CDK', cdk], ['SAM', samChannel]] as const) {
    it(`${name}: routes $connect (authorized), $disconnect, subscribe and $default to the routes function, by the action of each message`, () => {
      assert.deepEqual(channel.api, { protocol: 'WEBSOCKET', selection: '$request.body.action' });
      assert.deepEqual(
        channel.routes,
        Object.fromEntries(
          live.routes.map((r) => [
            r.key,
            { authorization: r.authorizer ? 'CUSTOM' : 'NONE', authorizer: r.authorizer ? true : null, returnResponse: r.returnResponse, integration: 'AWS_PROXY routes' },
          ]),
        ),
      );
      assert.deepEqual(Object.keys(channel.routes).sort(), ['$connect', '$default', '$disconnect', 'subscribe']);
    });

    it(`${name}: checks the token with a REQUEST authorizer reading Sec-WebSocket-Protocol, which touches no table`, () => {
      assert.deepEqual(channel.authorizer, { type: 'REQUEST', identitySource: ['route.request.header.Sec-WebSocket-Protocol'], function: 'authorizer' });
      assert.deepEqual(channel.env.authorizer, ['JWT_AUDIENCE', 'JWT_ISSUER', 'RUST_LOG']);
      assert.deepEqual(channel.table.authorizer, []);
    });

    it(`${name}: is the throttled stage ${live.stage}`, () => {
      assert.deepEqual(channel.stage, { name: live.stage, autoDeploy: true, rate: live.throttle.rateLimit, burst: live.throttle.burstLimit });
    });

    it(`${name}: feeds the table's stream (both images) to the push function, filtered to the watched key prefixes`, () => {
      assert.deepEqual(channel.stream, {
        viewType: 'NEW_AND_OLD_IMAGES',
        fromTable: true,
        function: 'push',
        startingPosition: 'LATEST',
        batchSize: live.stream.batchSize,
        window: live.stream.maximumBatchingWindowSeconds,
        bisect: true,
        responseTypes: ['ReportBatchItemFailures'],
        retries: live.stream.retryAttempts,
        maxAge: live.stream.maximumRecordAgeSeconds,
        filters: WATCHED_KEY_PREFIXES.map((prefix) => ({ dynamodb: { Keys: { PK: { S: [{ prefix }] } } } })),
      });
    });

    it(`${name}: lets only the push function post, to the @connections of this API's stage only`, () => {
      const { push, routes, authorizer, apiId: liveApi } = channel.manageConnections;
      assert.deepEqual(routes, []);
      assert.deepEqual(authorizer, []);
      assert.equal(push.length, 1, JSON.stringify(push));
      assert.deepEqual(push[0].actions, ['execute-api:ManageConnections']);
      assert.match(push[0].resource, new RegExp(`/${live.stage}/POST/@connections/\\*$`));
      assert.equal(push[0].api, true, `the resource names this WebSocket API (${liveApi}), not every API`);
      assert.deepEqual(channel.env.push, ['LIVE_ENDPOINT', 'TABLE_NAME']);
    });

    it(`${name}: grants the routes and push functions the catalog's table actions`, () => {
      assert.deepEqual(channel.table.routes, [...LIVE_FUNCTIONS.routes.table.actions].sort());
      assert.deepEqual(channel.table.push, [...LIVE_FUNCTIONS.push.table.actions].sort());
      assert.deepEqual(channel.streamRead, {
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
        onStream: true,
      });
    });
  }

  it('is the same channel in both', () => {
    const comparable = (c: typeof cdk) => ({ ...c, manageConnections: { ...c.manageConnections, push: c.manageConnections.push.map((p) => p.actions), apiId: undefined } });
    assert.deepEqual(comparable(samChannel), comparable(cdk));
  });

  it('names the binary each CDK function runs in its template metadata (one crate builds two)', () => {
    for (const role of Object.keys(LIVE_FUNCTIONS) as (keyof typeof LIVE_FUNCTIONS)[]) {
      assert.equal(s.resources[idOf(role)].Metadata['cargo-lambda:binary'], LIVE_FUNCTIONS[role].package, role);
    }
    for (const fn of catalog.functions) {
      const id = s.stack.getLogicalId(s.stack.functions[fn.name].node.defaultChild as never);
      assert.equal(s.resources[id].Metadata['cargo-lambda:binary'], fn.package, fn.name);
    }
  });

  it('builds the functions from the catalog’s crates and binaries in SAM', () => {
    for (const fn of Object.values(LIVE_FUNCTIONS)) {
      const resource = sam.Resources[`${pascalCase(fn.name)}Function`];
      assert.equal(resource.Metadata.BuildProperties.Binary, fn.package, fn.name);
      assert.equal(resource.Properties.CodeUri, `../../${fn.crateDir}`, fn.name);
      assert.equal(resource.Properties.MemorySize, fn.memoryMb, fn.name);
      assert.equal(resource.Properties.Timeout, fn.timeoutSeconds, fn.name);
    }
  });
});
