"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * Assertions on the synthesized CDK template: what a reviewer would otherwise check by reading
 * it. Each test names the property it protects.
 */
const strict_1 = __importDefault(require("node:assert/strict"));
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
const node_test_1 = require("node:test");
const assertions_1 = require("aws-cdk-lib/assertions");
const function_catalog_1 = require("../lib/function-catalog");
const helpers_1 = require("./helpers");
const s = (0, helpers_1.defaultStack)();
const fnIds = (0, helpers_1.cdkFunctionIds)(s);
const idOf = (name) => [...fnIds].find(([, n]) => n === name)[0];
const nameOf = (logicalId) => {
    const name = fnIds.get(logicalId);
    if (!name)
        throw new Error(`${logicalId} is not one of the catalog's functions`);
    return name;
};
const logicalIdOfType = (type) => {
    const found = (0, helpers_1.ofType)(s.resources, type);
    strict_1.default.equal(found.length, 1, `exactly one ${type}`);
    return found[0][0];
};
(0, node_test_1.describe)('functions and routes', () => {
    (0, node_test_1.it)('creates one Lambda per catalog entry', () => {
        strict_1.default.deepEqual([...fnIds.values()].sort(), helpers_1.catalog.functions.map((fn) => fn.name).sort());
    });
    (0, node_test_1.it)('routes exactly the catalog routes, each to its own function with payload format 2.0', () => {
        const routes = (0, helpers_1.routeBindings)(s.resources, nameOf);
        const expected = helpers_1.catalog.functions.flatMap((fn) => fn.routes.map((r) => [(0, function_catalog_1.routeKey)(r), fn.name]));
        strict_1.default.deepEqual([...routes.keys()].sort(), expected.map(([key]) => key).sort());
        for (const [key, name] of expected) {
            const route = routes.get(key);
            strict_1.default.equal(route.functionName, name, key);
            strict_1.default.equal(route.payloadFormatVersion, '2.0', key);
            strict_1.default.equal(route.integrationType, 'AWS_PROXY', key);
        }
    });
    (0, node_test_1.it)('puts the Cognito JWT authorizer on every /api route and none on /twilio routes', () => {
        const authorizerId = logicalIdOfType('AWS::ApiGatewayV2::Authorizer');
        for (const [key, route] of (0, helpers_1.routeBindings)(s.resources, nameOf)) {
            if (key.includes(' /api/')) {
                strict_1.default.equal(route.authorizationType, 'JWT', key);
                strict_1.default.equal(route.authorizerId, authorizerId, key);
            }
            else {
                strict_1.default.match(key, / \/twilio\//);
                strict_1.default.equal(route.authorizationType, 'NONE', key);
                strict_1.default.equal(route.authorizerId, undefined, key);
            }
        }
    });
    (0, node_test_1.it)('checks tokens of the page client issued by this user pool', () => {
        s.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
            AuthorizerType: 'JWT',
            IdentitySource: ['$request.header.Authorization'],
            JwtConfiguration: {
                Audience: [{ Ref: logicalIdOfType('AWS::Cognito::UserPoolClient') }],
                Issuer: { 'Fn::Join': ['', ['https://cognito-idp.ap-northeast-1.amazonaws.com/', { Ref: logicalIdOfType('AWS::Cognito::UserPool') }]] },
            },
        });
    });
    (0, node_test_1.it)('runs every function on arm64 with provided.al2023, X-Ray tracing, 128-256 MB and its catalog timeout', () => {
        for (const fn of helpers_1.catalog.functions) {
            const props = s.resources[idOf(fn.name)].Properties;
            strict_1.default.deepEqual(props.Architectures, ['arm64'], fn.name);
            strict_1.default.equal(props.Runtime, 'provided.al2023', fn.name);
            strict_1.default.equal(props.Handler, 'bootstrap', fn.name);
            strict_1.default.deepEqual(props.TracingConfig, { Mode: 'Active' }, fn.name);
            strict_1.default.equal(props.MemorySize, fn.memoryMb ?? helpers_1.catalog.defaults.memoryMb, fn.name);
            strict_1.default.ok(props.MemorySize >= 128 && props.MemorySize <= 256, fn.name);
            strict_1.default.equal(props.Timeout, fn.timeoutSeconds ?? helpers_1.catalog.defaults.timeoutSeconds, fn.name);
        }
    });
    (0, node_test_1.it)('sends each function log to its own log group with a retention', () => {
        for (const fn of helpers_1.catalog.functions) {
            const logGroupId = (0, helpers_1.refTarget)(s.resources[idOf(fn.name)].Properties.LoggingConfig?.LogGroup);
            strict_1.default.ok(logGroupId, `${fn.name} has a log group`);
            strict_1.default.equal(s.resources[logGroupId].Properties.RetentionInDays, 30, fn.name);
        }
    });
    (0, node_test_1.it)('throttles the default stage and serves it at the API root', () => {
        s.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
            StageName: '$default',
            AutoDeploy: true,
            DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
            AccessLogSettings: assertions_1.Match.objectLike({ DestinationArn: assertions_1.Match.anyValue() }),
        });
    });
    (0, node_test_1.it)('allows CORS from the page origin on CloudFront only', () => {
        const api = s.resources[logicalIdOfType('AWS::ApiGatewayV2::Api')].Properties;
        strict_1.default.deepEqual(api.CorsConfiguration.AllowOrigins, [
            { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalIdOfType('AWS::CloudFront::Distribution'), 'DomainName'] }]] },
        ]);
        strict_1.default.ok(!(0, helpers_1.allStrings)(api.CorsConfiguration).includes('*'), 'no wildcard in CORS');
    });
});
(0, node_test_1.describe)('environment and secrets', () => {
    (0, node_test_1.it)('gives every function exactly TABLE_NAME, PUBLIC_BASE_URL, RUST_LOG, and TWILIO_SECRET_ARN where it talks to Twilio', () => {
        const tableId = logicalIdOfType('AWS::DynamoDB::Table');
        const secretId = logicalIdOfType('AWS::SecretsManager::Secret');
        const apiId = logicalIdOfType('AWS::ApiGatewayV2::Api');
        for (const fn of helpers_1.catalog.functions) {
            const env = s.resources[idOf(fn.name)].Properties.Environment.Variables;
            const expected = ['PUBLIC_BASE_URL', 'RUST_LOG', 'TABLE_NAME', ...(fn.secrets.includes('twilio') ? ['TWILIO_SECRET_ARN'] : [])];
            strict_1.default.deepEqual(Object.keys(env).sort(), expected.sort(), fn.name);
            strict_1.default.deepEqual(env.TABLE_NAME, { Ref: tableId }, fn.name);
            strict_1.default.equal(env.RUST_LOG, 'info', fn.name);
            strict_1.default.deepEqual(env.PUBLIC_BASE_URL, { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] }, `${fn.name}: PUBLIC_BASE_URL is the API's URL`);
            if (env.TWILIO_SECRET_ARN)
                strict_1.default.deepEqual(env.TWILIO_SECRET_ARN, { Ref: secretId }, fn.name);
        }
    });
    (0, node_test_1.it)('puts no secret value or Twilio credential in any environment or anywhere in the template', () => {
        const twilioSid = /\b(AC|SK|AP|PN|CA)[0-9a-f]{32}\b/;
        const secretish = /(AUTH_TOKEN|API_KEY_SECRET|ACCOUNT_SID|API_KEY_SID|PASSWORD|SECRET(?!_ARN$))/i;
        for (const [id, fn] of (0, helpers_1.ofType)(s.resources, 'AWS::Lambda::Function')) {
            const env = fn.Properties.Environment?.Variables ?? {};
            for (const [key, value] of Object.entries(env)) {
                strict_1.default.doesNotMatch(key, secretish, `${id}: ${key}`);
                for (const text of (0, helpers_1.allStrings)(value))
                    strict_1.default.doesNotMatch(text, twilioSid, `${id}: ${key}`);
            }
        }
        for (const text of (0, helpers_1.allStrings)(s.json)) {
            strict_1.default.doesNotMatch(text, twilioSid);
        }
    });
    (0, node_test_1.it)('creates the Twilio secret from a generated placeholder, never a literal value', () => {
        const secret = s.resources[logicalIdOfType('AWS::SecretsManager::Secret')];
        strict_1.default.equal(secret.Properties.SecretString, undefined);
        const generated = secret.Properties.GenerateSecretString;
        const keys = [...Object.keys(JSON.parse(generated.SecretStringTemplate)), generated.GenerateStringKey].sort();
        strict_1.default.deepEqual(keys, [...helpers_1.catalog.secrets.twilio.keys].sort());
        strict_1.default.equal(generated.GenerateStringKey, 'auth_token', 'a random auth_token means no one can sign webhooks before setup');
        strict_1.default.equal(secret.Properties.Name, 'OperatorConsole/twilio');
        strict_1.default.equal(secret.DeletionPolicy, 'Retain');
    });
});
(0, node_test_1.describe)('least privilege', () => {
    const allStatements = (0, helpers_1.ofType)(s.resources, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    (0, node_test_1.it)('has no wildcard DynamoDB action anywhere, and no "*" action at all', () => {
        for (const statement of allStatements) {
            for (const action of (0, helpers_1.asArray)(statement.Action)) {
                strict_1.default.notEqual(action, '*');
                if (action.startsWith('dynamodb:'))
                    strict_1.default.ok(!action.includes('*'), `wildcard action ${action}`);
            }
        }
    });
    (0, node_test_1.it)("gives the functions' roles no wildcard action of any service", () => {
        for (const fn of helpers_1.catalog.functions) {
            for (const statement of (0, helpers_1.cdkRoleStatements)(s.resources, idOf(fn.name))) {
                for (const action of (0, helpers_1.asArray)(statement.Action))
                    strict_1.default.ok(!action.includes('*'), `${fn.name}: ${action}`);
            }
        }
    });
    (0, node_test_1.it)('never grants Scan: request paths use GetItem, Query and small transactions', () => {
        for (const statement of allStatements) {
            strict_1.default.ok(!(0, helpers_1.asArray)(statement.Action).includes('dynamodb:Scan'));
        }
    });
    (0, node_test_1.it)('grants each function exactly its catalog DynamoDB actions, on the table and its listed indexes only', () => {
        const tableId = logicalIdOfType('AWS::DynamoDB::Table');
        for (const fn of helpers_1.catalog.functions) {
            const statements = (0, helpers_1.cdkRoleStatements)(s.resources, idOf(fn.name));
            strict_1.default.deepEqual((0, helpers_1.actionsOf)(statements, 'dynamodb:'), [...fn.table.actions].sort(), fn.name);
            for (const statement of statements.filter((st) => (0, helpers_1.asArray)(st.Action).some((a) => a.startsWith('dynamodb:')))) {
                for (const resource of (0, helpers_1.asArray)(statement.Resource)) {
                    strict_1.default.equal((0, helpers_1.refTarget)(resource), tableId, `${fn.name}: resource is the table`);
                    const suffix = (0, helpers_1.allStrings)(resource).join('');
                    if (suffix.includes('/index/')) {
                        strict_1.default.deepEqual((0, helpers_1.asArray)(statement.Action), ['dynamodb:Query'], `${fn.name}: only Query on indexes`);
                        strict_1.default.ok(fn.table.indexes.some((index) => suffix.endsWith(`/index/${index}`)), `${fn.name}: ${suffix}`);
                    }
                }
            }
            const indexResources = statements.flatMap((st) => (0, helpers_1.asArray)(st.Resource)).filter((r) => (0, helpers_1.allStrings)(r).join('').includes('/index/'));
            strict_1.default.equal(indexResources.length, fn.table.indexes.length, `${fn.name}: one index resource per listed index`);
        }
    });
    (0, node_test_1.it)('lets only the Twilio-facing functions read the secret, and nothing else in Secrets Manager', () => {
        const secretId = logicalIdOfType('AWS::SecretsManager::Secret');
        for (const fn of helpers_1.catalog.functions) {
            const statements = (0, helpers_1.cdkRoleStatements)(s.resources, idOf(fn.name));
            const secretActions = (0, helpers_1.actionsOf)(statements, 'secretsmanager:');
            if (fn.secrets.includes('twilio')) {
                strict_1.default.deepEqual(secretActions, ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], fn.name);
                const resources = statements.filter((st) => (0, helpers_1.asArray)(st.Action).some((a) => a.startsWith('secretsmanager:'))).flatMap((st) => (0, helpers_1.asArray)(st.Resource));
                strict_1.default.deepEqual(resources.map(helpers_1.refTarget), [secretId], fn.name);
            }
            else {
                strict_1.default.deepEqual(secretActions, [], fn.name);
            }
        }
    });
});
(0, node_test_1.describe)('table', () => {
    const table = () => s.resources[logicalIdOfType('AWS::DynamoDB::Table')];
    (0, node_test_1.it)('uses PK/SK with GSI1 and GSI2 (string keys, projection ALL), on demand', () => {
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
        for (const attribute of table().Properties.AttributeDefinitions)
            strict_1.default.equal(attribute.AttributeType, 'S');
    });
    (0, node_test_1.it)('has point-in-time recovery, encryption at rest and TTL on expires_at', () => {
        const props = table().Properties;
        strict_1.default.deepEqual(props.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
        strict_1.default.equal(props.SSESpecification.SSEEnabled, true);
        strict_1.default.deepEqual(props.TimeToLiveSpecification, { AttributeName: 'expires_at', Enabled: true });
    });
    (0, node_test_1.it)('is protected from deletion and retained by default', () => {
        strict_1.default.equal(table().Properties.DeletionProtectionEnabled, true);
        strict_1.default.equal(table().DeletionPolicy, 'Retain');
        strict_1.default.equal(table().UpdateReplacePolicy, 'Retain');
    });
    (0, node_test_1.it)('can drop protection for a dev stack (deletionProtection=false)', () => {
        const dev = (0, helpers_1.synth)({ deletionProtection: false });
        const [[, devTable]] = (0, helpers_1.ofType)(dev.resources, 'AWS::DynamoDB::Table');
        strict_1.default.equal(devTable.Properties.DeletionProtectionEnabled, false);
        strict_1.default.equal(devTable.DeletionPolicy, 'Delete');
        const [[, pool]] = (0, helpers_1.ofType)(dev.resources, 'AWS::Cognito::UserPool');
        strict_1.default.equal(pool.Properties.DeletionProtection, 'INACTIVE');
    });
});
(0, node_test_1.describe)('sign-in', () => {
    (0, node_test_1.it)('has a user pool without self sign-up, protected and retained', () => {
        const pool = s.resources[logicalIdOfType('AWS::Cognito::UserPool')];
        strict_1.default.equal(pool.Properties.AdminCreateUserConfig.AllowAdminCreateUserOnly, true);
        strict_1.default.equal(pool.Properties.DeletionProtection, 'ACTIVE');
        strict_1.default.equal(pool.DeletionPolicy, 'Retain');
    });
    (0, node_test_1.it)('has the groups operator, supervisor and admin', () => {
        const groups = (0, helpers_1.ofType)(s.resources, 'AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName);
        strict_1.default.deepEqual(groups.sort(), ['admin', 'operator', 'supervisor']);
    });
    (0, node_test_1.it)('has a hosted UI domain and a public page client using the authorization-code flow on the CloudFront domain', () => {
        s.template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'operatorconsole-123456789012' });
        const client = s.resources[logicalIdOfType('AWS::Cognito::UserPoolClient')].Properties;
        strict_1.default.equal(client.GenerateSecret, false);
        strict_1.default.deepEqual(client.AllowedOAuthFlows, ['code']);
        strict_1.default.equal(client.AllowedOAuthFlowsUserPoolClient, true);
        strict_1.default.ok(client.AllowedOAuthScopes.includes('openid'));
        const distributionId = logicalIdOfType('AWS::CloudFront::Distribution');
        strict_1.default.ok(client.CallbackURLs.length > 0);
        for (const url of [...client.CallbackURLs, ...client.LogoutURLs]) {
            strict_1.default.equal((0, helpers_1.refTarget)(url), distributionId, 'callback on the CloudFront domain');
            strict_1.default.match((0, helpers_1.allStrings)(url).join(''), /^https:\/\//);
        }
    });
});
(0, node_test_1.describe)('page hosting', () => {
    (0, node_test_1.it)('keeps the bucket private and encrypted, reachable only through CloudFront OAC', () => {
        s.template.hasResourceProperties('AWS::S3::Bucket', {
            PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
            BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        });
        s.template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
        const origin = s.resources[logicalIdOfType('AWS::CloudFront::Distribution')].Properties.DistributionConfig.Origins[0];
        strict_1.default.ok(origin.OriginAccessControlId, 'origin uses OAC');
    });
    (0, node_test_1.it)('serves HTTPS only, with the security headers policy and the page-route rewrite', () => {
        const config = s.resources[logicalIdOfType('AWS::CloudFront::Distribution')].Properties.DistributionConfig;
        strict_1.default.equal(config.DefaultCacheBehavior.ViewerProtocolPolicy, 'https-only');
        strict_1.default.equal((0, helpers_1.refTarget)(config.DefaultCacheBehavior.ResponseHeadersPolicyId), logicalIdOfType('AWS::CloudFront::ResponseHeadersPolicy'));
        const association = config.DefaultCacheBehavior.FunctionAssociations[0];
        strict_1.default.equal(association.EventType, 'viewer-request');
        strict_1.default.equal((0, helpers_1.refTarget)(association.FunctionARN), logicalIdOfType('AWS::CloudFront::Function'));
        strict_1.default.equal(config.DefaultRootObject, 'index.html');
    });
    (0, node_test_1.it)('rewrites page routes to /index.html but leaves files (config.json, fallback.xml, assets) alone', () => {
        const code = s.resources[logicalIdOfType('AWS::CloudFront::Function')].Properties.FunctionCode;
        const handler = new Function(`${code}; return handler;`)();
        const uriFor = (uri) => handler({ request: { uri } }).uri;
        strict_1.default.equal(uriFor('/'), '/index.html');
        strict_1.default.equal(uriFor('/supervisor'), '/index.html');
        strict_1.default.equal(uriFor('/admin/lines'), '/index.html');
        strict_1.default.equal(uriFor('/config.json'), '/config.json');
        strict_1.default.equal(uriFor('/twilio/fallback.xml'), '/twilio/fallback.xml');
        strict_1.default.equal(uriFor('/assets/index-3f2a.js'), '/assets/index-3f2a.js');
    });
    (0, node_test_1.it)('sends a CSP allowing the API, Cognito and the Twilio Voice SDK, plus HSTS and frame denial', () => {
        const config = s.resources[logicalIdOfType('AWS::CloudFront::ResponseHeadersPolicy')].Properties.ResponseHeadersPolicyConfig;
        const csp = (0, helpers_1.allStrings)(config.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy).join('');
        const directive = (name) => csp.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `)) ?? '';
        strict_1.default.match(directive('default-src'), /'self'/);
        strict_1.default.doesNotMatch(directive('script-src'), /unsafe-inline|unsafe-eval/);
        for (const source of ['wss://*.twilio.com', 'https://*.twilio.com', 'https://*.execute-api.ap-northeast-1.', '.auth.ap-northeast-1.amazoncognito.com']) {
            strict_1.default.ok(directive('connect-src').includes(source), `connect-src has ${source}`);
        }
        strict_1.default.match(directive('media-src'), /blob:/);
        strict_1.default.match(directive('frame-ancestors'), /'none'/);
        strict_1.default.equal(config.SecurityHeadersConfig.StrictTransportSecurity.AccessControlMaxAgeSec >= 31536000, true);
        strict_1.default.equal(config.SecurityHeadersConfig.FrameOptions.FrameOption, 'DENY');
        strict_1.default.equal(config.SecurityHeadersConfig.ContentTypeOptions.Override, true);
    });
    (0, node_test_1.it)('deploys config.json and the fallback TwiML even when static-ui/dist is missing', () => {
        const noPage = (0, helpers_1.synth)({ staticUiDist: path.join((0, helpers_1.tempDir)('no-dist-'), 'dist') });
        const [[, deployment]] = (0, helpers_1.ofType)(noPage.resources, 'Custom::CDKBucketDeployment');
        const keys = deployment.Properties.SourceObjectKeys;
        strict_1.default.equal(keys.length, 2);
        strict_1.default.match((0, helpers_1.readAsset)(noPage.outdir, keys[0], 'twilio/fallback.xml'), /<Hangup\/>/);
        strict_1.default.ok((0, helpers_1.readAsset)(noPage.outdir, keys[1], 'config.json').includes('apiUrl'));
        const warnings = noPage.stack.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
        strict_1.default.ok(warnings.some((w) => w.includes('no index.html')), 'warns that the page is not built');
    });
    (0, node_test_1.it)('deploys the built page first when static-ui/dist exists, so the generated config.json wins', () => {
        const dist = (0, helpers_1.tempDir)('dist-');
        fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>console</title>');
        fs.writeFileSync(path.join(dist, 'config.json'), '{"apiUrl":"http://localhost:3000"}');
        const withPage = (0, helpers_1.synth)({ staticUiDist: dist });
        const [[, deployment]] = (0, helpers_1.ofType)(withPage.resources, 'Custom::CDKBucketDeployment');
        const keys = deployment.Properties.SourceObjectKeys;
        strict_1.default.equal(keys.length, 3);
        strict_1.default.match((0, helpers_1.readAsset)(withPage.outdir, keys[0], 'index.html'), /console/);
        strict_1.default.ok((0, helpers_1.readAsset)(withPage.outdir, keys[2], 'config.json').includes('cognitoDomain'));
        strict_1.default.deepEqual(deployment.Properties.DistributionPaths, ['/*']);
        strict_1.default.equal(deployment.Properties.Prune, true);
    });
    (0, node_test_1.it)('writes config.json at deploy time with the API URL, user pool, client, hosted UI domain and region', () => {
        const [[, deployment]] = (0, helpers_1.ofType)(s.resources, 'Custom::CDKBucketDeployment');
        const keys = deployment.Properties.SourceObjectKeys;
        const config = JSON.parse((0, helpers_1.readAsset)(s.outdir, keys[keys.length - 1], 'config.json'));
        const markers = deployment.Properties.SourceMarkers[keys.length - 1];
        const resolve = (value) => (0, helpers_1.refTarget)(markers[value]);
        strict_1.default.equal(config.region, 'ap-northeast-1');
        strict_1.default.equal(resolve(config.apiUrl), logicalIdOfType('AWS::ApiGatewayV2::Api'));
        strict_1.default.equal(resolve(config.userPoolId), logicalIdOfType('AWS::Cognito::UserPool'));
        strict_1.default.equal(resolve(config.userPoolClientId), logicalIdOfType('AWS::Cognito::UserPoolClient'));
        const domainMarker = /<<marker:[^>]+>>/.exec(config.cognitoDomain)[0];
        strict_1.default.equal(resolve(domainMarker), logicalIdOfType('AWS::Cognito::UserPoolDomain'));
        strict_1.default.match(config.cognitoDomain, /^https:\/\/.+\.auth\.ap-northeast-1\.amazoncognito\.com$/);
        strict_1.default.equal(config.twilioEdge, 'tokyo');
        strict_1.default.ok(!JSON.stringify(config).match(/secret|token/i), 'no credentials in config.json');
    });
});
(0, node_test_1.describe)('alarms', () => {
    const alarms = (0, helpers_1.ofType)(s.resources, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const topicId = logicalIdOfType('AWS::SNS::Topic');
    const metricNames = (alarm) => alarm.MetricName ? [alarm.MetricName] : (alarm.Metrics ?? []).map((m) => m.MetricStat?.Metric?.MetricName).filter(Boolean);
    const dimensionTargets = (alarm) => [alarm.Dimensions ?? [], ...(alarm.Metrics ?? []).map((m) => m.MetricStat?.Metric?.Dimensions ?? [])]
        .flat()
        .map((d) => (0, helpers_1.refTarget)(d.Value))
        .filter(Boolean);
    (0, node_test_1.it)('notifies the alarm topic from every alarm', () => {
        strict_1.default.ok(alarms.length > 0);
        for (const alarm of alarms) {
            strict_1.default.deepEqual(alarm.AlarmActions.map(helpers_1.refTarget), [topicId]);
        }
    });
    (0, node_test_1.it)('watches the HTTP API for 5xx and for throttling (4xx rate)', () => {
        const apiId = logicalIdOfType('AWS::ApiGatewayV2::Api');
        const onApi = alarms.filter((a) => dimensionTargets(a).includes(apiId));
        strict_1.default.ok(onApi.some((a) => metricNames(a).includes('5xx')), '5xx alarm');
        strict_1.default.ok(onApi.some((a) => metricNames(a).includes('4xx')), '4xx (throttling) alarm');
    });
    (0, node_test_1.it)('watches every function for errors and throttles', () => {
        for (const fn of helpers_1.catalog.functions) {
            const id = idOf(fn.name);
            const onFn = alarms.filter((a) => dimensionTargets(a).includes(id));
            strict_1.default.ok(onFn.some((a) => metricNames(a).includes('Errors')), `${fn.name} errors`);
            strict_1.default.ok(onFn.some((a) => metricNames(a).includes('Throttles')), `${fn.name} throttles`);
        }
    });
    (0, node_test_1.it)('watches the table for throttled requests and system errors', () => {
        const tableId = logicalIdOfType('AWS::DynamoDB::Table');
        const onTable = alarms.filter((a) => dimensionTargets(a).includes(tableId));
        strict_1.default.ok(onTable.some((a) => metricNames(a).includes('ThrottledRequests')));
        strict_1.default.ok(onTable.some((a) => metricNames(a).includes('SystemErrors')));
        for (const alarm of onTable)
            strict_1.default.ok((alarm.Metrics ?? []).filter((m) => m.MetricStat).length <= 10, 'alarm math uses at most 10 metrics');
    });
    (0, node_test_1.it)('subscribes an e-mail address only when one is given', () => {
        strict_1.default.equal((0, helpers_1.ofType)(s.resources, 'AWS::SNS::Subscription').length, 0);
        const withEmail = (0, helpers_1.synth)({ alarmEmail: 'oncall@example.co.jp' });
        withEmail.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.co.jp' });
    });
});
(0, node_test_1.describe)('outputs', () => {
    const value = (name) => {
        strict_1.default.ok(s.json.Outputs[name], `output ${name}`);
        return s.json.Outputs[name].Value;
    };
    const apiUrl = () => ({ 'Fn::GetAtt': [logicalIdOfType('AWS::ApiGatewayV2::Api'), 'ApiEndpoint'] });
    const cloudFrontDomain = () => ({ 'Fn::GetAtt': [logicalIdOfType('AWS::CloudFront::Distribution'), 'DomainName'] });
    (0, node_test_1.it)('gives the admin the Twilio Console URLs: voice, fallback, status callback, TwiML App', () => {
        strict_1.default.deepEqual(value('TwilioVoiceUrl'), { 'Fn::Join': ['', [apiUrl(), '/twilio/voice/incoming']] });
        strict_1.default.deepEqual(value('TwilioStatusCallbackUrl'), { 'Fn::Join': ['', [apiUrl(), '/twilio/voice/status']] });
        strict_1.default.deepEqual(value('TwilioTwimlAppVoiceUrl'), { 'Fn::Join': ['', [apiUrl(), '/twilio/voice/outbound']] });
        strict_1.default.deepEqual(value('TwilioFallbackUrl'), { 'Fn::Join': ['', ['https://', cloudFrontDomain(), '/twilio/fallback.xml']] });
        strict_1.default.match(s.json.Outputs.TwilioFallbackUrl.Description, /GET/);
    });
    (0, node_test_1.it)('gives the page URL, user pool id and secret name', () => {
        strict_1.default.deepEqual(value('PageUrl'), { 'Fn::Join': ['', ['https://', cloudFrontDomain(), '/']] });
        strict_1.default.deepEqual(value('UserPoolId'), { Ref: logicalIdOfType('AWS::Cognito::UserPool') });
        strict_1.default.equal(value('TwilioSecretName'), 'OperatorConsole/twilio');
    });
});
(0, node_test_1.describe)('crates that do not exist yet', () => {
    (0, node_test_1.it)('synthesizes with a placeholder manifest and a warning when bundling is skipped', () => {
        const emptyRepo = (0, helpers_1.tempDir)('no-crates-');
        const result = (0, helpers_1.synth)({ repoRoot: emptyRepo });
        strict_1.default.equal(Object.keys(result.stack.functions).length, helpers_1.catalog.functions.length);
        const warnings = result.stack.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
        for (const fn of helpers_1.catalog.functions) {
            strict_1.default.ok(warnings.some((w) => w.includes(`${fn.crateDir}/Cargo.toml does not exist`)), fn.name);
        }
    });
    (0, node_test_1.it)('refuses to synthesize for a deploy (bundling on), naming the missing crate', () => {
        const emptyRepo = (0, helpers_1.tempDir)('no-crates-');
        strict_1.default.throws(() => (0, helpers_1.synth)({ repoRoot: emptyRepo, bundling: true }), /functions\/voice\/Cargo\.toml does not exist/);
    });
});
//# sourceMappingURL=stack.test.js.map