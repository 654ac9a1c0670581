/**
 * The SAM template is a second way to deploy the same backend. These tests fail as soon as it
 * drifts from functions.json or from the synthesized CDK template: functions, routes,
 * authorization, environment, permissions, runtime settings and the table.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { deployedRoutes, routeAuthorizer, routeKey } from '../lib/function-catalog';
import {
  Json,
  actionsOf,
  allStrings,
  asArray,
  catalog,
  cdkFunctionIds,
  cdkRoleStatements,
  defaultStack,
  loadSam,
  ofType,
  pascalCase,
  refTarget,
  routeBindings,
  routesWithoutPermission,
  SAM_TEMPLATE,
  samFunctionIds,
  samFunctionProps,
  samStatements,
} from './helpers';

const sam = loadSam();
const cdk = defaultStack();
const cdkIds = cdkFunctionIds(cdk);
const samIds = samFunctionIds(sam);
const cdkIdOf = (name: string) => [...cdkIds].find(([, n]) => n === name)![0];
const samIdOf = (name: string) => [...samIds].find(([, n]) => n === name)![0];
const lookup = (ids: Map<string, string>) => (logicalId: string) => {
  const name = ids.get(logicalId);
  if (!name) throw new Error(`${logicalId} is not a known function`);
  return name;
};
/** The routes as `key -> function, authorization` so both templates compare as plain data. */
const comparable = (routes: ReturnType<typeof routeBindings>) =>
  Object.fromEntries(
    [...routes].sort(([a], [b]) => a.localeCompare(b)).map(([key, r]) => [key, `${r.functionName} ${r.authorizationType} ${r.payloadFormatVersion} ${r.integrationType}`]),
  );

describe('SAM template drift', () => {
  it('is a SAM template', () => {
    assert.equal(sam.Transform, 'AWS::Serverless-2016-10-31');
  });

  it('is exactly what sam/generate.py writes from functions.json', () => {
    const result = spawnSync('python3', [path.join(path.dirname(SAM_TEMPLATE), 'generate.py'), '--check'], { encoding: 'utf8' });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}${result.error ?? ''}`);
  });

  it('has the same functions as functions.json and the CDK app', () => {
    const names = catalog.functions.map((fn) => fn.name).sort();
    const triggers = catalog.triggers.map((t) => t.name);
    const scheduled = catalog.scheduled.map((job) => job.name);
    const live = Object.values(catalog.live.functions).map((fn) => fn.package);
    assert.deepEqual([...samIds.values()].sort(), [...names, ...triggers, ...scheduled, ...live].sort(), 'the functions, the user pool triggers, the scheduled jobs and the live channel');
    assert.deepEqual(Object.keys(cdk.stack.scheduled).sort(), [...scheduled].sort());
    assert.deepEqual([...cdkIds.values()].sort(), names);
    assert.deepEqual(Object.keys(cdk.stack.triggers).sort(), [...triggers].sort());
    for (const fn of catalog.functions) assert.equal(samIdOf(fn.name), `${pascalCase(fn.name)}Function`);
  });

  it('builds each function from its crate with cargo-lambda', () => {
    for (const fn of catalog.functions) {
      const resource = sam.Resources[samIdOf(fn.name)];
      assert.equal(resource.Metadata.BuildMethod, 'rust-cargolambda', fn.name);
      assert.equal(resource.Metadata.BuildProperties.Binary, fn.package, fn.name);
      assert.equal(resource.Properties.CodeUri, `../../${fn.crateDir}`, fn.name);
    }
  });

  it('has the same routes, targets and authorization as functions.json and the CDK template', () => {
    const samRoutes = routeBindings(sam.Resources, lookup(samIds));
    const cdkRoutes = routeBindings(cdk.resources, lookup(cdkIds));
    const fromCatalog = Object.fromEntries(
      catalog.functions
        .flatMap((fn) => deployedRoutes(catalog, fn).map((r) => [routeKey(r), `${fn.name} ${routeAuthorizer(fn, r) === 'jwt' ? 'JWT' : 'NONE'} 2.0 AWS_PROXY`]))
        .sort(([a], [b]) => a.localeCompare(b)),
    );
    assert.deepEqual(comparable(samRoutes), fromCatalog);
    assert.deepEqual(comparable(cdkRoutes), fromCatalog);
  });

  it('lets API Gateway invoke the function of every route, in both templates', () => {
    assert.deepEqual(routesWithoutPermission(sam.Resources), []);
    assert.deepEqual(routesWithoutPermission(cdk.resources), []);
  });

  it('creates the first admin from AdminEmail, kept on deletion, as CDK does', () => {
    for (const template of [sam, cdk.json]) {
      assert.equal(template.Parameters.AdminEmail.Default, '');
      const [[, user]] = ofType(template.Resources, 'AWS::Cognito::UserPoolUser');
      const [[, membership]] = ofType(template.Resources, 'AWS::Cognito::UserPoolUserToGroupAttachment');
      assert.deepEqual(user.Properties.Username, { Ref: 'AdminEmail' });
      assert.equal(membership.Properties.GroupName, 'admin');
      for (const r of [user, membership]) {
        assert.equal(r.Condition, 'HasFirstAdmin');
        assert.equal(r.DeletionPolicy, 'Retain');
      }
    }
  });

  it('runs the role guard before every token and gives the page client the same scopes and callback as CDK', () => {
    const trigger = (resources: Json) => {
      const [[, pool]] = ofType(resources, 'AWS::Cognito::UserPool');
      const target = refTarget(pool.Properties.LambdaConfig?.PreTokenGeneration);
      const permission = ofType(resources, 'AWS::Lambda::Permission').find(([, p]) => refTarget(p.Properties.FunctionName) === target);
      return { target: target?.replace(/[0-9A-F]{8}$/, ''), principal: permission?.[1].Properties.Principal };
    };
    assert.deepEqual(trigger(sam.Resources), { target: 'RoleGuardFunction', principal: 'cognito-idp.amazonaws.com' });
    assert.deepEqual(trigger(cdk.resources), { target: 'RoleGuardFunction', principal: 'cognito-idp.amazonaws.com' });
    const [[, samClient]] = ofType(sam.Resources, 'AWS::Cognito::UserPoolClient');
    const [[, cdkClient]] = ofType(cdk.resources, 'AWS::Cognito::UserPoolClient');
    assert.deepEqual([...samClient.Properties.AllowedOAuthScopes].sort(), [...cdkClient.Properties.AllowedOAuthScopes].sort());
    assert.equal(samClient.Properties.CallbackURLs.length, cdkClient.Properties.CallbackURLs.length);
    assert.match(JSON.stringify(samClient.Properties.CallbackURLs), /\/auth\/callback/);
    const policy = ofType(sam.Resources, 'AWS::IAM::Policy').find(([id]) => id.startsWith('RoleGuard'))![1];
    assert.deepEqual(policy.Properties.PolicyDocument.Statement.map((st: Json) => st.Action), [['cognito-idp:AdminGetUser']]);
  });

  it('uses one JWT authorizer on the same issuer and audience as CDK', () => {
    const jwt = (resources: Json) => ofType(resources, 'AWS::ApiGatewayV2::Authorizer').filter(([, a]) => a.Properties.AuthorizerType === 'JWT');
    const [[samAuthorizerId, samAuthorizer], ...moreSam] = jwt(sam.Resources);
    assert.equal(moreSam.length, 0);
    for (const [key, route] of routeBindings(sam.Resources, lookup(samIds))) {
      if (route.authorizationType === 'JWT') assert.equal(route.authorizerId, samAuthorizerId, key);
    }
    const [[, cdkAuthorizer]] = jwt(cdk.resources);
    assert.equal(samAuthorizer.Properties.AuthorizerType, cdkAuthorizer.Properties.AuthorizerType);
    assert.deepEqual(samAuthorizer.Properties.IdentitySource, cdkAuthorizer.Properties.IdentitySource);
    assert.equal(samAuthorizer.Properties.JwtConfiguration.Issuer['Fn::Sub'], 'https://cognito-idp.${AWS::Region}.amazonaws.com/${OperatorUserPool}');
    assert.equal(refTarget(samAuthorizer.Properties.JwtConfiguration.Audience[0]), 'OperatorPageClient');
  });

  it('runs every function on arm64, provided.al2023, with the same memory, timeout and tracing as CDK', () => {
    for (const fn of catalog.functions) {
      const samProps = samFunctionProps(sam, samIdOf(fn.name));
      const cdkProps = cdk.resources[cdkIdOf(fn.name)].Properties;
      assert.deepEqual(samProps.Architectures, ['arm64'], fn.name);
      assert.deepEqual(cdkProps.Architectures, ['arm64'], fn.name);
      assert.equal(samProps.Runtime, cdkProps.Runtime, fn.name);
      assert.equal(samProps.Handler, cdkProps.Handler, fn.name);
      assert.equal(samProps.MemorySize, cdkProps.MemorySize, fn.name);
      assert.equal(samProps.Timeout, cdkProps.Timeout, fn.name);
      assert.equal(samProps.Tracing, cdkProps.TracingConfig.Mode, fn.name);
    }
  });

  it('sets the same environment variables as CDK, with the same meaning', () => {
    for (const fn of catalog.functions) {
      const samEnv = samFunctionProps(sam, samIdOf(fn.name)).Environment.Variables;
      const cdkEnv = cdk.resources[cdkIdOf(fn.name)].Properties.Environment.Variables;
      assert.deepEqual(Object.keys(samEnv).sort(), Object.keys(cdkEnv).sort(), fn.name);
      assert.equal(samEnv.RUST_LOG, cdkEnv.RUST_LOG, fn.name);
      assert.equal(refTarget(samEnv.TABLE_NAME), 'OperatorConsoleTable', fn.name);
      if (fn.functionUrl) {
        assert.deepEqual(samEnv.PUBLIC_BASE_URL, { 'Fn::Sub': 'https://lambda-url.${AWS::Region}.on.aws' }, `${fn.name}: the region's function URL domain`);
        assert.equal(cdkEnv.PUBLIC_BASE_URL, 'https://lambda-url.ap-northeast-1.on.aws', fn.name);
      } else {
        assert.deepEqual(
          samEnv.PUBLIC_BASE_URL,
          { 'Fn::Sub': ['https://${Host}', { Host: { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': 'VoiceFunctionUrl.FunctionUrl' }] }] } }] },
          `${fn.name}: the voice function URL's origin`,
        );
        assert.match(JSON.stringify(cdkEnv.PUBLIC_BASE_URL), /"Fn::GetAtt":\["VoiceFunctionFunctionUrl[0-9A-F]{8}","FunctionUrl"\]/, fn.name);
      }
      if (samEnv.TWILIO_SECRET_ARN) assert.equal(refTarget(samEnv.TWILIO_SECRET_ARN), 'TwilioCredentialsSecret', fn.name);
    }
  });

  it('grants the same DynamoDB, Secrets Manager and S3 actions as CDK, on the same kinds of resource', () => {
    for (const fn of catalog.functions) {
      const samSt = samStatements(sam, samIdOf(fn.name));
      const cdkSt = cdkRoleStatements(cdk.resources, cdkIdOf(fn.name));
      assert.deepEqual(actionsOf(samSt, 'dynamodb:'), actionsOf(cdkSt, 'dynamodb:'), fn.name);
      assert.deepEqual(actionsOf(samSt, 'secretsmanager:'), actionsOf(cdkSt, 'secretsmanager:'), fn.name);
      assert.deepEqual(actionsOf(samSt, 's3:'), actionsOf(cdkSt, 's3:'), fn.name);
      const indexes = (statements: Json[]) =>
        statements
          .flatMap((st) => asArray(st.Resource))
          .map((r) => JSON.stringify(r))
          .map((r) => /\/index\/(GSI\d)/.exec(r)?.[1])
          .filter(Boolean)
          .sort();
      assert.deepEqual(indexes(samSt), indexes(cdkSt), fn.name);
      for (const statement of samSt) {
        for (const action of asArray<string>(statement.Action)) assert.ok(!action.includes('*'), `${fn.name}: ${action}`);
      }
    }
  });

  it('runs each scheduled function on its schedule, with the same grants, in both templates', () => {
    assert.ok(catalog.scheduled.some((job) => job.name === 'reconcile'), 'the reconciliation is scheduled');
    for (const job of catalog.scheduled) {
      const samId = `${pascalCase(job.name)}Function`;
      const props = samFunctionProps(sam, samId);
      const events = Object.values(props.Events ?? {}) as Json[];
      assert.deepEqual(
        events.map((e) => [e.Type, e.Properties.Schedule, e.Properties.RetryPolicy?.MaximumRetryAttempts]),
        [['Schedule', job.schedule, 0]],
        job.name,
      );
      assert.equal(refTarget(props.Environment.Variables.TWILIO_SECRET_ARN), 'TwilioCredentialsSecret', job.name);
      const fn = cdk.stack.scheduled[job.name];
      const cdkId = cdk.stack.getLogicalId(fn.node.defaultChild as never);
      const rules = ofType(cdk.resources, 'AWS::Events::Rule').filter(([, rule]) =>
        asArray(rule.Properties.Targets).some((t: Json) => JSON.stringify(t.Arn).includes(cdkId)),
      );
      assert.deepEqual(
        rules.map(([, rule]) => [rule.Properties.ScheduleExpression, rule.Properties.State, rule.Properties.Targets[0].RetryPolicy?.MaximumRetryAttempts]),
        [[job.schedule, 'ENABLED', 0]],
        job.name,
      );
      const samSt = samStatements(sam, samId);
      const cdkSt = cdkRoleStatements(cdk.resources, cdkId);
      assert.deepEqual(actionsOf(samSt, 'dynamodb:'), [...job.table.actions].sort(), job.name);
      assert.deepEqual(actionsOf(cdkSt, 'dynamodb:'), actionsOf(samSt, 'dynamodb:'), job.name);
      assert.deepEqual(actionsOf(cdkSt, 'secretsmanager:'), actionsOf(samSt, 'secretsmanager:'), job.name);
      assert.ok(!actionsOf(samSt, 'dynamodb:').includes('dynamodb:Scan'), job.name);
    }
  });

  it('defines the same table as CDK', () => {
    const [[, samTable]] = ofType(sam.Resources, 'AWS::DynamoDB::Table');
    const [[, cdkTable]] = ofType(cdk.resources, 'AWS::DynamoDB::Table');
    for (const key of ['BillingMode', 'AttributeDefinitions', 'KeySchema', 'GlobalSecondaryIndexes', 'TimeToLiveSpecification', 'PointInTimeRecoverySpecification', 'SSESpecification', 'StreamSpecification']) {
      assert.deepEqual(samTable.Properties[key], cdkTable.Properties[key], key);
    }
    assert.equal(samTable.DeletionPolicy, 'Retain');
    assert.deepEqual(samTable.Properties.DeletionProtectionEnabled, { 'Fn::If': ['ProtectData', true, false] });
  });

  it('allows the page’s origin by CORS (SAM serves the API on its own host), has the same stage throttling and Cognito groups as CDK', () => {
    const http = (resources: Json, type: string) => ofType(resources, type).filter(([, r]) => r.Properties.ProtocolType === 'HTTP' || r.Properties.StageName === '$default');
    const [[, samApi]] = http(sam.Resources, 'AWS::ApiGatewayV2::Api');
    const [[, cdkApi]] = http(cdk.resources, 'AWS::ApiGatewayV2::Api');
    // The CDK app serves the API on the page's own origin (no CORS); SAM, back end only, on the
    // API's own host, so the page hosted elsewhere needs the rule.
    assert.equal(cdkApi.Properties.CorsConfiguration, undefined);
    const cors = samApi.Properties.CorsConfiguration;
    assert.deepEqual(cors.AllowOrigins, [{ Ref: 'PageOrigin' }]);
    assert.deepEqual(cors.AllowMethods, catalog.apiMethods);
    assert.ok(cors.AllowHeaders.includes('authorization'));

    const [[, samStage]] = http(sam.Resources, 'AWS::ApiGatewayV2::Stage');
    const [[, cdkStage]] = http(cdk.resources, 'AWS::ApiGatewayV2::Stage');
    assert.equal(sam.Parameters.ApiRateLimit.Default, cdkStage.Properties.DefaultRouteSettings.ThrottlingRateLimit);
    assert.equal(sam.Parameters.ApiBurstLimit.Default, cdkStage.Properties.DefaultRouteSettings.ThrottlingBurstLimit);
    assert.deepEqual(samStage.Properties.RouteSettings, cdkStage.Properties.RouteSettings, 'the same route-level limits');
    assert.equal(samStage.Properties.StageName, '$default');
    assert.equal(samStage.Properties.AccessLogSettings.Format, cdkStage.Properties.AccessLogSettings.Format);

    const groups = (resources: Json) => ofType(resources, 'AWS::Cognito::UserPoolGroup').map(([, g]) => `${g.Properties.GroupName}:${g.Properties.Precedence}`).sort();
    assert.deepEqual(groups(sam.Resources), groups(cdk.resources));
  });

  it('creates the Twilio secret from the same generated placeholder as CDK', () => {
    const [[, samSecret]] = ofType(sam.Resources, 'AWS::SecretsManager::Secret');
    const [[, cdkSecret]] = ofType(cdk.resources, 'AWS::SecretsManager::Secret');
    assert.deepEqual(samSecret.Properties.GenerateSecretString, cdkSecret.Properties.GenerateSecretString);
    assert.equal(samSecret.Properties.SecretString, undefined);
  });

  it('serves Twilio\'s webhooks at the same function URL as CDK: auth type NONE, the same reserved concurrency, no other function', () => {
    for (const fn of catalog.functions) {
      const props = samFunctionProps(sam, samIdOf(fn.name));
      const cdkProps = cdk.resources[cdkIdOf(fn.name)].Properties;
      if (fn.functionUrl) {
        assert.deepEqual(props.FunctionUrlConfig, { AuthType: 'NONE', InvokeMode: 'BUFFERED' }, fn.name);
        assert.deepEqual(props.ReservedConcurrentExecutions, { Ref: 'WebhookConcurrency' }, fn.name);
        assert.equal(sam.Parameters.WebhookConcurrency.Default, cdkProps.ReservedConcurrentExecutions, fn.name);
        const [[, url]] = ofType(cdk.resources, 'AWS::Lambda::Url');
        assert.equal(url.Properties.AuthType, 'NONE');
        assert.equal(url.Properties.InvokeMode, 'BUFFERED');
      } else {
        assert.equal(props.FunctionUrlConfig, undefined, fn.name);
        assert.equal(props.ReservedConcurrentExecutions, undefined, fn.name);
      }
    }
  });

  it('outputs the same Twilio webhook URLs as CDK, at the voice function URL', () => {
    for (const name of ['TwilioVoiceUrl', 'TwilioStatusCallbackUrl', 'TwilioTwimlAppVoiceUrl', 'TwilioWebhookBaseUrl', 'UserPoolId', 'TwilioSecretName', 'ApiUrl', 'LiveUrl']) {
      assert.ok(sam.Outputs[name], `SAM output ${name}`);
      assert.ok(cdk.json.Outputs[name], `CDK output ${name}`);
    }
    // The path with Twilio's connection overrides (`#rc=…`), which both must tell the admin to paste.
    const tail = /(\/twilio\/voice\/\w+(#[\w=&,]+)?)$/;
    const suffix = (value: Json) => tail.exec(allStrings(value).at(-1) ?? '')?.[1];
    for (const name of ['TwilioVoiceUrl', 'TwilioStatusCallbackUrl', 'TwilioTwimlAppVoiceUrl']) {
      // SAM: the function URL (which ends with '/') and the path; CDK: its origin and the path.
      const sub = String(sam.Outputs[name].Value['Fn::Sub']);
      assert.ok(sub.startsWith('${VoiceFunctionUrl.FunctionUrl}twilio/'), `${name}: ${sub}`);
      const samPath = tail.exec(`/${sub.slice('${VoiceFunctionUrl.FunctionUrl}'.length)}`)?.[1];
      const cdkPath = suffix(cdk.json.Outputs[name].Value);
      assert.ok(samPath, name);
      assert.equal(samPath, cdkPath, name);
      assert.match(JSON.stringify(cdk.json.Outputs[name].Value), /VoiceFunctionFunctionUrl/, name);
    }
  });

  it('counts and alarms on the same log lines as CDK, from every HTTP function', () => {
    const filters = (resources: Json, logGroupOf: (fn: string) => string | undefined) =>
      catalog.functions.flatMap((fn) =>
        ofType(resources, 'AWS::Logs::MetricFilter')
          .map(([, f]) => f.Properties)
          .filter((f) => refTarget(f.LogGroupName) === logGroupOf(fn.name))
          .map((f) => `${fn.name} ${f.FilterPattern} ${f.MetricTransformations.map((m: Json) => `${m.MetricNamespace}/${m.MetricName}=${m.MetricValue}`).join(' ')}`),
      ).sort();
    const samFilters = filters(sam.Resources, (fn) => refTarget(samFunctionProps(sam, samIdOf(fn)).LoggingConfig?.LogGroup));
    const cdkFilters = filters(cdk.resources, (fn) => refTarget(cdk.resources[cdkIdOf(fn)].Properties.LoggingConfig?.LogGroup));
    assert.equal(samFilters.length, catalog.functions.length * catalog.logAlarms.length);
    assert.deepEqual(samFilters, cdkFilters);
    const alarmOf = (resources: Json) => (metric: string) => {
      const found = ofType(resources, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties).filter((a) => a.Namespace === 'OperatorConsole' && a.MetricName === metric);
      assert.equal(found.length, 1, metric);
      const { Statistic, Period, Threshold, ComparisonOperator, TreatMissingData } = found[0];
      return { Statistic, Period, Threshold, ComparisonOperator, TreatMissingData };
    };
    for (const la of catalog.logAlarms) assert.deepEqual(alarmOf(sam.Resources)(la.metric), alarmOf(cdk.resources)(la.metric));
  });
});
