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
Object.defineProperty(exports, "__esModule", { value: true });
exports.pascalCase = exports.SAM_TEMPLATE = exports.ENV = exports.catalog = void 0;
exports.synth = synth;
exports.defaultStack = defaultStack;
exports.tempDir = tempDir;
exports.ofType = ofType;
exports.refTarget = refTarget;
exports.allStrings = allStrings;
exports.readAsset = readAsset;
exports.asArray = asArray;
exports.routeBindings = routeBindings;
exports.cdkFunctionIds = cdkFunctionIds;
exports.cdkRoleStatements = cdkRoleStatements;
exports.actionsOf = actionsOf;
exports.loadSam = loadSam;
exports.samFunctionProps = samFunctionProps;
exports.samFunctionIds = samFunctionIds;
exports.samStatements = samStatements;
/**
 * Shared test fixtures: synthesizing the stack in-process the way `cdk synth` does (same
 * cdk.json feature flags, fixed account and region, bundling skipped), reading the SAM template,
 * and small accessors over CloudFormation JSON that both templates share.
 */
const fs = __importStar(require("node:fs"));
const os = __importStar(require("node:os"));
const path = __importStar(require("node:path"));
const aws_cdk_lib_1 = require("aws-cdk-lib");
const assertions_1 = require("aws-cdk-lib/assertions");
const cxapi = __importStar(require("aws-cdk-lib/cx-api"));
const YAML = __importStar(require("yaml"));
const function_catalog_1 = require("../lib/function-catalog");
Object.defineProperty(exports, "pascalCase", { enumerable: true, get: function () { return function_catalog_1.pascalCase; } });
const operator_console_stack_1 = require("../lib/operator-console-stack");
exports.catalog = (0, function_catalog_1.loadCatalog)();
exports.ENV = { account: '123456789012', region: 'ap-northeast-1' };
/** The feature flags of cdk.json, so the tests synthesize what the CLI synthesizes. */
function cdkJsonContext() {
    return JSON.parse(fs.readFileSync(path.join(function_catalog_1.INFRA_ROOT, 'cdk.json'), 'utf8')).context ?? {};
}
/** Builds a fresh app and stack. Bundling is skipped unless asked for. */
function synth(options = {}) {
    const { bundling, ...props } = options;
    const context = { ...cdkJsonContext() };
    if (!bundling)
        context[cxapi.BUNDLING_STACKS] = [];
    // Keep warnings (missing crates, no page build) in the metadata the tests read, instead of
    // printing a validation report to stderr for every synth.
    context['@aws-cdk/core:annotationsInValidationReport'] = false;
    const app = new aws_cdk_lib_1.App({ context });
    const stack = new operator_console_stack_1.OperatorConsoleStack(app, 'OperatorConsole', { env: exports.ENV, ...props });
    const template = assertions_1.Template.fromStack(stack);
    const json = template.toJSON();
    return { stack, template, json, resources: json.Resources, outdir: app.synth().directory };
}
let defaultSynth;
/** The stack as `cdk synth` builds it by default, synthesized once per test file. */
function defaultStack() {
    defaultSynth ??= synth();
    return defaultSynth;
}
/** An empty temporary folder, removed when the process exits. */
function tempDir(prefix) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
}
function ofType(resources, type) {
    return Object.entries(resources).filter(([, r]) => r.Type === type);
}
/** `{Ref: X}` / `{Fn::GetAtt: [X, ...]}` / `!Sub integrations/${X}` -> `X`. */
function refTarget(value) {
    if (value === null || typeof value !== 'object')
        return undefined;
    if (typeof value.Ref === 'string')
        return value.Ref;
    if (Array.isArray(value['Fn::GetAtt']))
        return value['Fn::GetAtt'][0];
    if (typeof value['Fn::GetAtt'] === 'string')
        return value['Fn::GetAtt'].split('.')[0];
    if (typeof value['Fn::Sub'] === 'string')
        return /\$\{([A-Za-z0-9]+)[}.]/.exec(value['Fn::Sub'])?.[1];
    if (Array.isArray(value['Fn::Join'])) {
        for (const part of value['Fn::Join'][1]) {
            const target = refTarget(part);
            if (target)
                return target;
        }
    }
    return undefined;
}
/** Every string inside a JSON value (for scanning templates for leaked secrets). */
function allStrings(value, into = []) {
    if (typeof value === 'string')
        into.push(value);
    else if (Array.isArray(value))
        value.forEach((v) => allStrings(v, into));
    else if (value && typeof value === 'object')
        Object.values(value).forEach((v) => allStrings(v, into));
    return into;
}
/** The file `name` of a staged asset, found by the asset's object key (`<hash>.zip`). */
function readAsset(outdir, objectKey, name) {
    return fs.readFileSync(path.join(outdir, `asset.${objectKey.replace(/\.zip$/, '')}`, name), 'utf8');
}
function asArray(value) {
    if (value === undefined)
        return [];
    return Array.isArray(value) ? value : [value];
}
/**
 * Route key -> binding, read from AWS::ApiGatewayV2::Route/Integration resources.
 * `functionOf` maps a Lambda logical id to the catalog name.
 */
function routeBindings(resources, functionOf) {
    const routes = new Map();
    for (const [id, route] of ofType(resources, 'AWS::ApiGatewayV2::Route')) {
        const props = route.Properties;
        const integrationId = refTarget(props.Target);
        if (!integrationId || !resources[integrationId])
            throw new Error(`route ${id} has no integration target`);
        const integration = resources[integrationId].Properties;
        const fnId = refTarget(integration.IntegrationUri);
        if (!fnId)
            throw new Error(`integration ${integrationId} does not point at a function`);
        routes.set(props.RouteKey, {
            functionName: functionOf(fnId),
            authorizationType: props.AuthorizationType ?? 'NONE',
            authorizerId: refTarget(props.AuthorizerId),
            payloadFormatVersion: integration.PayloadFormatVersion,
            integrationType: integration.IntegrationType,
        });
    }
    return routes;
}
/** Lambda logical id -> catalog name for the synthesized CDK stack. */
function cdkFunctionIds(s) {
    const ids = new Map();
    for (const [name, fn] of Object.entries(s.stack.functions)) {
        ids.set(s.stack.getLogicalId(fn.node.defaultChild), name);
    }
    return ids;
}
/** IAM statements attached to a CDK function's role (inline policies only). */
function cdkRoleStatements(resources, functionLogicalId) {
    const roleId = refTarget(resources[functionLogicalId].Properties.Role);
    const statements = [];
    for (const [, policy] of ofType(resources, 'AWS::IAM::Policy')) {
        if (asArray(policy.Properties.Roles).some((r) => refTarget(r) === roleId)) {
            statements.push(...policy.Properties.PolicyDocument.Statement);
        }
    }
    return statements;
}
function actionsOf(statements, prefix) {
    return [...new Set(statements.flatMap((s) => asArray(s.Action)).filter((a) => a.startsWith(prefix)))].sort();
}
// --- SAM -------------------------------------------------------------------------------------
exports.SAM_TEMPLATE = path.join(function_catalog_1.INFRA_ROOT, 'sam', 'template.yaml');
/** CloudFormation short-form tags (`!Ref`, `!Sub`, ...) as their long-form JSON. */
const cfnTags = [
    ...['Ref', 'Condition'].map((name) => ({
        tag: `!${name}`,
        resolve: (value) => ({ [name]: value }),
    })),
    ...['Sub', 'GetAtt', 'ImportValue', 'Base64', 'GetAZs'].map((name) => ({
        tag: `!${name}`,
        resolve: (value) => ({ [`Fn::${name}`]: value }),
    })),
    ...['Sub', 'GetAtt', 'Join', 'Select', 'Split', 'If', 'Equals', 'Not', 'And', 'Or', 'FindInMap', 'Cidr'].map((name) => ({
        tag: `!${name}`,
        collection: 'seq',
        resolve: (value) => ({ [`Fn::${name}`]: value.toJSON() }),
    })),
];
function loadSam(file = exports.SAM_TEMPLATE) {
    return YAML.parse(fs.readFileSync(file, 'utf8'), { customTags: cfnTags });
}
/** A SAM function's effective properties after Globals.Function is applied. */
function samFunctionProps(sam, logicalId) {
    const globals = sam.Globals?.Function ?? {};
    const own = sam.Resources[logicalId].Properties;
    return {
        ...globals,
        ...own,
        Environment: {
            Variables: { ...(globals.Environment?.Variables ?? {}), ...(own.Environment?.Variables ?? {}) },
        },
    };
}
/** SAM Lambda logical id -> catalog name (from the cargo-lambda binary it builds). */
function samFunctionIds(sam) {
    const ids = new Map();
    for (const [id, r] of ofType(sam.Resources, 'AWS::Serverless::Function')) {
        ids.set(id, r.Metadata?.BuildProperties?.Binary);
    }
    return ids;
}
function samStatements(sam, logicalId) {
    return asArray(samFunctionProps(sam, logicalId).Policies).flatMap((p) => asArray(p.Statement));
}
//# sourceMappingURL=helpers.js.map