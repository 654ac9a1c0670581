"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The SAM template is a second way to deploy the same backend. These tests fail as soon as it
 * drifts from functions.json or from the synthesized CDK template: functions, routes,
 * authorization, environment, permissions, runtime settings and the table.
 */
const strict_1 = __importDefault(require("node:assert/strict"));
const node_test_1 = require("node:test");
const function_catalog_1 = require("../lib/function-catalog");
const helpers_1 = require("./helpers");
const sam = (0, helpers_1.loadSam)();
const cdk = (0, helpers_1.defaultStack)();
const cdkIds = (0, helpers_1.cdkFunctionIds)(cdk);
const samIds = (0, helpers_1.samFunctionIds)(sam);
const cdkIdOf = (name) => [...cdkIds].find(([, n]) => n === name)[0];
const samIdOf = (name) => [...samIds].find(([, n]) => n === name)[0];
const lookup = (ids) => (logicalId) => {
    const name = ids.get(logicalId);
    if (!name)
        throw new Error(`${logicalId} is not a known function`);
    return name;
};
/** The routes as `key -> function, authorization` so both templates compare as plain data. */
const comparable = (routes) => Object.fromEntries([...routes].sort(([a], [b]) => a.localeCompare(b)).map(([key, r]) => [key, `${r.functionName} ${r.authorizationType} ${r.payloadFormatVersion} ${r.integrationType}`]));
(0, node_test_1.describe)('SAM template drift', () => {
    (0, node_test_1.it)('is a SAM template', () => {
        strict_1.default.equal(sam.Transform, 'AWS::Serverless-2016-10-31');
    });
    (0, node_test_1.it)('has the same functions as functions.json and the CDK app', () => {
        const names = helpers_1.catalog.functions.map((fn) => fn.name).sort();
        strict_1.default.deepEqual([...samIds.values()].sort(), names);
        strict_1.default.deepEqual([...cdkIds.values()].sort(), names);
        for (const fn of helpers_1.catalog.functions)
            strict_1.default.equal(samIdOf(fn.name), `${(0, helpers_1.pascalCase)(fn.name)}Function`);
    });
    (0, node_test_1.it)('builds each function from its crate with cargo-lambda', () => {
        for (const fn of helpers_1.catalog.functions) {
            const resource = sam.Resources[samIdOf(fn.name)];
            strict_1.default.equal(resource.Metadata.BuildMethod, 'rust-cargolambda', fn.name);
            strict_1.default.equal(resource.Metadata.BuildProperties.Binary, fn.package, fn.name);
            strict_1.default.equal(resource.Properties.CodeUri, `../../${fn.crateDir}`, fn.name);
        }
    });
    (0, node_test_1.it)('has the same routes, targets and authorization as functions.json and the CDK template', () => {
        const samRoutes = (0, helpers_1.routeBindings)(sam.Resources, lookup(samIds));
        const cdkRoutes = (0, helpers_1.routeBindings)(cdk.resources, lookup(cdkIds));
        const fromCatalog = Object.fromEntries(helpers_1.catalog.functions
            .flatMap((fn) => fn.routes.map((r) => [(0, function_catalog_1.routeKey)(r), `${fn.name} ${fn.authorizer === 'jwt' ? 'JWT' : 'NONE'} 2.0 AWS_PROXY`]))
            .sort(([a], [b]) => a.localeCompare(b)));
        strict_1.default.deepEqual(comparable(samRoutes), fromCatalog);
        strict_1.default.deepEqual(comparable(cdkRoutes), fromCatalog);
    });
    (0, node_test_1.it)('uses one JWT authorizer on the same issuer and audience as CDK', () => {
        const [[samAuthorizerId, samAuthorizer]] = (0, helpers_1.ofType)(sam.Resources, 'AWS::ApiGatewayV2::Authorizer');
        for (const [key, route] of (0, helpers_1.routeBindings)(sam.Resources, lookup(samIds))) {
            if (route.authorizationType === 'JWT')
                strict_1.default.equal(route.authorizerId, samAuthorizerId, key);
        }
        const [[, cdkAuthorizer]] = (0, helpers_1.ofType)(cdk.resources, 'AWS::ApiGatewayV2::Authorizer');
        strict_1.default.equal(samAuthorizer.Properties.AuthorizerType, cdkAuthorizer.Properties.AuthorizerType);
        strict_1.default.deepEqual(samAuthorizer.Properties.IdentitySource, cdkAuthorizer.Properties.IdentitySource);
        strict_1.default.equal(samAuthorizer.Properties.JwtConfiguration.Issuer['Fn::Sub'], 'https://cognito-idp.${AWS::Region}.amazonaws.com/${OperatorUserPool}');
        strict_1.default.equal((0, helpers_1.refTarget)(samAuthorizer.Properties.JwtConfiguration.Audience[0]), 'OperatorPageClient');
    });
    (0, node_test_1.it)('runs every function on arm64, provided.al2023, with the same memory, timeout and tracing as CDK', () => {
        for (const fn of helpers_1.catalog.functions) {
            const samProps = (0, helpers_1.samFunctionProps)(sam, samIdOf(fn.name));
            const cdkProps = cdk.resources[cdkIdOf(fn.name)].Properties;
            strict_1.default.deepEqual(samProps.Architectures, ['arm64'], fn.name);
            strict_1.default.deepEqual(cdkProps.Architectures, ['arm64'], fn.name);
            strict_1.default.equal(samProps.Runtime, cdkProps.Runtime, fn.name);
            strict_1.default.equal(samProps.Handler, cdkProps.Handler, fn.name);
            strict_1.default.equal(samProps.MemorySize, cdkProps.MemorySize, fn.name);
            strict_1.default.equal(samProps.Timeout, cdkProps.Timeout, fn.name);
            strict_1.default.equal(samProps.Tracing, cdkProps.TracingConfig.Mode, fn.name);
        }
    });
    (0, node_test_1.it)('sets the same environment variables as CDK, with the same meaning', () => {
        for (const fn of helpers_1.catalog.functions) {
            const samEnv = (0, helpers_1.samFunctionProps)(sam, samIdOf(fn.name)).Environment.Variables;
            const cdkEnv = cdk.resources[cdkIdOf(fn.name)].Properties.Environment.Variables;
            strict_1.default.deepEqual(Object.keys(samEnv).sort(), Object.keys(cdkEnv).sort(), fn.name);
            strict_1.default.equal(samEnv.RUST_LOG, cdkEnv.RUST_LOG, fn.name);
            strict_1.default.equal((0, helpers_1.refTarget)(samEnv.TABLE_NAME), 'OperatorConsoleTable', fn.name);
            strict_1.default.equal((0, helpers_1.refTarget)(samEnv.PUBLIC_BASE_URL), 'OperatorApi', fn.name);
            if (samEnv.TWILIO_SECRET_ARN)
                strict_1.default.equal((0, helpers_1.refTarget)(samEnv.TWILIO_SECRET_ARN), 'TwilioCredentialsSecret', fn.name);
        }
    });
    (0, node_test_1.it)('grants the same DynamoDB and Secrets Manager actions as CDK, on the same kinds of resource', () => {
        for (const fn of helpers_1.catalog.functions) {
            const samSt = (0, helpers_1.samStatements)(sam, samIdOf(fn.name));
            const cdkSt = (0, helpers_1.cdkRoleStatements)(cdk.resources, cdkIdOf(fn.name));
            strict_1.default.deepEqual((0, helpers_1.actionsOf)(samSt, 'dynamodb:'), (0, helpers_1.actionsOf)(cdkSt, 'dynamodb:'), fn.name);
            strict_1.default.deepEqual((0, helpers_1.actionsOf)(samSt, 'secretsmanager:'), (0, helpers_1.actionsOf)(cdkSt, 'secretsmanager:'), fn.name);
            const indexes = (statements) => statements
                .flatMap((st) => (0, helpers_1.asArray)(st.Resource))
                .map((r) => JSON.stringify(r))
                .map((r) => /\/index\/(GSI\d)/.exec(r)?.[1])
                .filter(Boolean)
                .sort();
            strict_1.default.deepEqual(indexes(samSt), indexes(cdkSt), fn.name);
            for (const statement of samSt) {
                for (const action of (0, helpers_1.asArray)(statement.Action))
                    strict_1.default.ok(!action.includes('*'), `${fn.name}: ${action}`);
            }
        }
    });
    (0, node_test_1.it)('defines the same table as CDK', () => {
        const [[, samTable]] = (0, helpers_1.ofType)(sam.Resources, 'AWS::DynamoDB::Table');
        const [[, cdkTable]] = (0, helpers_1.ofType)(cdk.resources, 'AWS::DynamoDB::Table');
        for (const key of ['BillingMode', 'AttributeDefinitions', 'KeySchema', 'GlobalSecondaryIndexes', 'TimeToLiveSpecification', 'PointInTimeRecoverySpecification', 'SSESpecification']) {
            strict_1.default.deepEqual(samTable.Properties[key], cdkTable.Properties[key], key);
        }
        strict_1.default.equal(samTable.DeletionPolicy, 'Retain');
        strict_1.default.deepEqual(samTable.Properties.DeletionProtectionEnabled, { 'Fn::If': ['ProtectData', true, false] });
    });
    (0, node_test_1.it)('has the same CORS rule, stage throttling and Cognito groups as CDK', () => {
        const [[, samApi]] = (0, helpers_1.ofType)(sam.Resources, 'AWS::ApiGatewayV2::Api');
        const [[, cdkApi]] = (0, helpers_1.ofType)(cdk.resources, 'AWS::ApiGatewayV2::Api');
        const withoutOrigins = ({ AllowOrigins, ...rest }) => rest; // eslint-disable-line @typescript-eslint/no-unused-vars
        strict_1.default.deepEqual(withoutOrigins(samApi.Properties.CorsConfiguration), withoutOrigins(cdkApi.Properties.CorsConfiguration));
        strict_1.default.deepEqual(samApi.Properties.CorsConfiguration.AllowOrigins, [{ Ref: 'PageOrigin' }]);
        const [[, samStage]] = (0, helpers_1.ofType)(sam.Resources, 'AWS::ApiGatewayV2::Stage');
        const [[, cdkStage]] = (0, helpers_1.ofType)(cdk.resources, 'AWS::ApiGatewayV2::Stage');
        strict_1.default.equal(sam.Parameters.ApiRateLimit.Default, cdkStage.Properties.DefaultRouteSettings.ThrottlingRateLimit);
        strict_1.default.equal(sam.Parameters.ApiBurstLimit.Default, cdkStage.Properties.DefaultRouteSettings.ThrottlingBurstLimit);
        strict_1.default.equal(samStage.Properties.StageName, '$default');
        strict_1.default.equal(samStage.Properties.AccessLogSettings.Format, cdkStage.Properties.AccessLogSettings.Format);
        const groups = (resources) => (0, helpers_1.ofType)(resources, 'AWS::Cognito::UserPoolGroup').map(([, g]) => `${g.Properties.GroupName}:${g.Properties.Precedence}`).sort();
        strict_1.default.deepEqual(groups(sam.Resources), groups(cdk.resources));
    });
    (0, node_test_1.it)('creates the Twilio secret from the same generated placeholder as CDK', () => {
        const [[, samSecret]] = (0, helpers_1.ofType)(sam.Resources, 'AWS::SecretsManager::Secret');
        const [[, cdkSecret]] = (0, helpers_1.ofType)(cdk.resources, 'AWS::SecretsManager::Secret');
        strict_1.default.deepEqual(samSecret.Properties.GenerateSecretString, cdkSecret.Properties.GenerateSecretString);
        strict_1.default.equal(samSecret.Properties.SecretString, undefined);
    });
    (0, node_test_1.it)('outputs the same Twilio webhook URLs as CDK', () => {
        for (const name of ['TwilioVoiceUrl', 'TwilioStatusCallbackUrl', 'TwilioTwimlAppVoiceUrl', 'UserPoolId', 'TwilioSecretName', 'ApiUrl']) {
            strict_1.default.ok(sam.Outputs[name], `SAM output ${name}`);
            strict_1.default.ok(cdk.json.Outputs[name], `CDK output ${name}`);
        }
        const suffix = (value) => /(\/twilio\/voice\/\w+)$/.exec((0, helpers_1.allStrings)(value).at(-1) ?? '')?.[1];
        for (const name of ['TwilioVoiceUrl', 'TwilioStatusCallbackUrl', 'TwilioTwimlAppVoiceUrl']) {
            const samPath = /(\/twilio\/voice\/\w+)$/.exec(sam.Outputs[name].Value['Fn::Sub'])?.[1];
            const cdkPath = suffix(cdk.json.Outputs[name].Value);
            strict_1.default.ok(samPath, name);
            strict_1.default.equal(samPath, cdkPath, name);
        }
    });
});
//# sourceMappingURL=sam.test.js.map