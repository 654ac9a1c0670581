/**
 * Shared test fixtures: synthesizing the stack in-process the way `cdk synth` does (same
 * cdk.json feature flags, fixed account and region, bundling skipped), reading the SAM template,
 * and small accessors over CloudFormation JSON that both templates share.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as YAML from 'yaml';
import { INFRA_ROOT, loadCatalog, pascalCase } from '../lib/function-catalog';
import { OperatorConsoleStack, OperatorConsoleStackProps } from '../lib/operator-console-stack';

export const catalog = loadCatalog();
export const ENV = { account: '123456789012', region: 'ap-northeast-1' };

export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
export type Resources = Record<string, Json>;

/** The feature flags of cdk.json, so the tests synthesize what the CLI synthesizes. */
function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(INFRA_ROOT, 'cdk.json'), 'utf8')).context ?? {};
}

export interface Synth {
  readonly stack: OperatorConsoleStack;
  readonly template: Template;
  readonly json: Json;
  readonly resources: Resources;
  /** Cloud assembly folder (holds the staged assets, e.g. the generated config.json). */
  readonly outdir: string;
}

export interface SynthOptions extends OperatorConsoleStackProps {
  /** Leave bundling on (as `cdk deploy` would). Default false. */
  readonly bundling?: boolean;
}

/** Builds a fresh app and stack. Bundling is skipped unless asked for. */
export function synth(options: SynthOptions = {}): Synth {
  const { bundling, ...props } = options;
  const context: Record<string, unknown> = { ...cdkJsonContext() };
  if (!bundling) context[cxapi.BUNDLING_STACKS] = [];
  // Keep warnings (missing crates, no page build) in the metadata the tests read, instead of
  // printing a validation report to stderr for every synth.
  context['@aws-cdk/core:annotationsInValidationReport'] = false;
  const app = new App({ context });
  const stack = new OperatorConsoleStack(app, 'OperatorConsole', { env: ENV, ...props });
  const template = Template.fromStack(stack);
  const json = template.toJSON();
  return { stack, template, json, resources: json.Resources, outdir: app.synth().directory };
}

let defaultSynth: Synth | undefined;
/** The stack as `cdk synth` builds it by default, synthesized once per test file. */
export function defaultStack(): Synth {
  defaultSynth ??= synth();
  return defaultSynth;
}

/** An empty temporary folder, removed when the process exits. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function ofType(resources: Resources, type: string): [string, Json][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

/** The routes of HTTP APIs (the live channel's WebSocket routes are tested in live-channel.test.ts). */
export function httpRoutes(resources: Resources): [string, Json][] {
  const websocket = new Set(
    ofType(resources, 'AWS::ApiGatewayV2::Api')
      .filter(([, api]) => api.Properties.ProtocolType === 'WEBSOCKET')
      .map(([id]) => id),
  );
  return ofType(resources, 'AWS::ApiGatewayV2::Route').filter(([, r]) => !websocket.has(refTarget(r.Properties.ApiId) ?? ''));
}

/** `{Ref: X}` / `{Fn::GetAtt: [X, ...]}` / `!Sub integrations/${X}` -> `X`. */
export function refTarget(value: Json): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  if (Array.isArray(value['Fn::GetAtt'])) return value['Fn::GetAtt'][0];
  if (typeof value['Fn::GetAtt'] === 'string') return value['Fn::GetAtt'].split('.')[0];
  if (typeof value['Fn::Sub'] === 'string') return /\$\{([A-Za-z0-9]+)[}.]/.exec(value['Fn::Sub'])?.[1];
  if (Array.isArray(value['Fn::Join'])) {
    for (const part of value['Fn::Join'][1]) {
      const target = refTarget(part);
      if (target) return target;
    }
  }
  return undefined;
}

/** Every string inside a JSON value (for scanning templates for leaked secrets). */
export function allStrings(value: Json, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) value.forEach((v) => allStrings(v, into));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => allStrings(v, into));
  return into;
}

/** The file `name` of a staged asset, found by the asset's object key (`<hash>.zip`). */
export function readAsset(outdir: string, objectKey: string, name: string): string {
  return fs.readFileSync(path.join(outdir, `asset.${objectKey.replace(/\.zip$/, '')}`, name), 'utf8');
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** A route as both templates describe it: which function answers and with which authorization. */
export interface RouteBinding {
  readonly functionName: string;
  readonly authorizationType: string;
  readonly authorizerId?: string;
  readonly payloadFormatVersion: string;
  readonly integrationType: string;
}

/**
 * Route key -> binding, read from AWS::ApiGatewayV2::Route/Integration resources.
 * `functionOf` maps a Lambda logical id to the catalog name.
 */
export function routeBindings(resources: Resources, functionOf: (logicalId: string) => string): Map<string, RouteBinding> {
  const routes = new Map<string, RouteBinding>();
  for (const [id, route] of httpRoutes(resources)) {
    const props = route.Properties;
    const integrationId = refTarget(props.Target);
    if (!integrationId || !resources[integrationId]) throw new Error(`route ${id} has no integration target`);
    const integration = resources[integrationId].Properties;
    const fnId = refTarget(integration.IntegrationUri);
    if (!fnId) throw new Error(`integration ${integrationId} does not point at a function`);
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
export function cdkFunctionIds(s: Synth): Map<string, string> {
  const ids = new Map<string, string>();
  for (const [name, fn] of Object.entries(s.stack.functions)) {
    ids.set(s.stack.getLogicalId(fn.node.defaultChild as never), name);
  }
  return ids;
}

/** IAM statements attached to a CDK function's role (inline policies only). */
export function cdkRoleStatements(resources: Resources, functionLogicalId: string): Json[] {
  const roleId = refTarget(resources[functionLogicalId].Properties.Role);
  const statements: Json[] = [];
  for (const [, policy] of ofType(resources, 'AWS::IAM::Policy')) {
    if (asArray(policy.Properties.Roles).some((r: Json) => refTarget(r) === roleId)) {
      statements.push(...policy.Properties.PolicyDocument.Statement);
    }
  }
  return statements;
}

export function actionsOf(statements: Json[], prefix: string): string[] {
  return [...new Set(statements.flatMap((s) => asArray<string>(s.Action)).filter((a) => a.startsWith(prefix)))].sort();
}

// --- SAM -------------------------------------------------------------------------------------

export const SAM_TEMPLATE = path.join(INFRA_ROOT, 'sam', 'template.yaml');

/** CloudFormation short-form tags (`!Ref`, `!Sub`, ...) as their long-form JSON. */
const cfnTags: YAML.Tags = [
  ...['Ref', 'Condition'].map((name) => ({
    tag: `!${name}`,
    resolve: (value: string) => ({ [name]: value }),
  })),
  ...['Sub', 'GetAtt', 'ImportValue', 'Base64', 'GetAZs'].map((name) => ({
    tag: `!${name}`,
    resolve: (value: string) => ({ [`Fn::${name}`]: value }),
  })),
  ...['Sub', 'GetAtt', 'Join', 'Select', 'Split', 'If', 'Equals', 'Not', 'And', 'Or', 'FindInMap', 'Cidr'].map((name) => ({
    tag: `!${name}`,
    collection: 'seq' as const,
    resolve: (value: YAML.YAMLSeq) => ({ [`Fn::${name}`]: value.toJSON() }),
  })),
];

export function loadSam(file: string = SAM_TEMPLATE): Json {
  return YAML.parse(fs.readFileSync(file, 'utf8'), { customTags: cfnTags });
}

/** A SAM function's effective properties after Globals.Function is applied. */
export function samFunctionProps(sam: Json, logicalId: string): Json {
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
export function samFunctionIds(sam: Json): Map<string, string> {
  const ids = new Map<string, string>();
  for (const [id, r] of ofType(sam.Resources, 'AWS::Serverless::Function')) {
    ids.set(id, r.Metadata?.BuildProperties?.Binary);
  }
  return ids;
}

export function samStatements(sam: Json, logicalId: string): Json[] {
  return asArray(samFunctionProps(sam, logicalId).Policies).flatMap((p: Json) => asArray(p.Statement));
}

export { pascalCase };

/**
 * Routes whose function API Gateway may not invoke: for each route, the source ARN API Gateway
 * invokes with (`arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<route path>`)
 * must match the SourceArn of a Lambda permission on that route's function (ArnLike: `*` is any
 * run of characters). Intrinsics are rendered with the API's id as `API`.
 */
export function routesWithoutPermission(resources: Resources, env = { region: 'ap-northeast-1', account: '123456789012' }): string[] {
  const render = (v: Json): string => {
    if (typeof v === 'string') return v;
    if (v.Ref) return v.Ref.startsWith('AWS::') ? ({ 'AWS::Partition': 'aws', 'AWS::Region': env.region, 'AWS::AccountId': env.account } as Json)[v.Ref] : 'API';
    if (v['Fn::Join']) return v['Fn::Join'][1].map(render).join(v['Fn::Join'][0]);
    if (v['Fn::Sub']) {
      return String(v['Fn::Sub']).replace(/\$\{([^}]+)\}/g, (_, name: string) =>
        ({ 'AWS::Partition': 'aws', 'AWS::Region': env.region, 'AWS::AccountId': env.account } as Json)[name] ?? 'API',
      );
    }
    throw new Error(`cannot render ${JSON.stringify(v)}`);
  };
  const arnLike = (pattern: string, value: string) =>
    new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(value);
  const missing: string[] = [];
  for (const [id, route] of httpRoutes(resources)) {
    const integration = resources[refTarget(route.Properties.Target)!].Properties;
    const fnId = refTarget(integration.IntegrationUri);
    const [method, routePath] = route.Properties.RouteKey.split(' ');
    const source = `arn:aws:execute-api:${env.region}:${env.account}:API/$default/${method}/${routePath.replace(/^\//, '')}`;
    const ok = ofType(resources, 'AWS::Lambda::Permission').some(
      ([, p]) => refTarget(p.Properties.FunctionName) === fnId && arnLike(render(p.Properties.SourceArn), source),
    );
    if (!ok) missing.push(`${route.Properties.RouteKey} (${id})`);
  }
  return missing;
}
