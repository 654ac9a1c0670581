// The rehearsal's CloudFormation: creates a template's resources, in CloudFormation's order,
// as AWS would, with the services the product talks to answered by a local AWS-compatible
// server (moto): the DynamoDB table, the Secrets Manager secret, the Cognito user pool with its
// groups, client and users. Resources that only exist on AWS's side (the API, the functions and
// their function URLs, the distribution, the bucket's content) are given their names and
// attributes here and are run by the rehearsal's gateway, Lambda runtime and CDN. What is not rehearsed (alarms, log
// groups, the SNS topic…) is listed, never silently dropped.

import { randomBytes, randomInt } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, relative, resolve as resolvePath } from 'node:path';
import {
  CognitoIdentityProviderClient,
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { creationOrder, isCreated, pseudoParameters, resolve } from './template.mjs';

const lower = (n) => Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[randomInt(36)]).join('');
const upper = (n) => Array.from({ length: n }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[randomInt(36)]).join('');

/** AWS SDK clients for the local AWS-compatible server. */
export function awsClients(endpoint, region) {
  const config = { endpoint, region, credentials: { accessKeyId: 'rehearsal', secretAccessKey: 'rehearsal' } };
  return {
    dynamodb: new DynamoDBClient(config),
    secrets: new SecretsManagerClient(config),
    cognito: new CognitoIdentityProviderClient(config),
  };
}

/**
 * Creates the stack. `template` is plain CloudFormation (SAM already translated); `assets`
 * describes how to find the code and files the template names (see `assetResolvers`).
 */
export async function provision({ template, stackName, region, accountId, parameters = {}, aws, assets, workDir }) {
  const ctx = {
    pseudo: pseudoParameters({ region, accountId, stackName }),
    refs: new Map(),
    attrs: new Map(),
    conditions: template.Conditions ?? {},
  };
  for (const [name, p] of Object.entries(template.Parameters ?? {})) {
    const value = parameters[name] ?? p.Default;
    if (value === undefined) throw new Error(`parameter ${name} has no default: give it to the rehearsal`);
    ctx.refs.set(name, value);
  }
  const stack = {
    stackName,
    region,
    accountId,
    ctx,
    tables: [],
    secrets: [],
    userPools: new Map(),
    functions: new Map(),
    roles: new Map(),
    permissions: [],
    functionUrls: [],
    eventSourceMappings: [],
    apis: new Map(),
    buckets: new Map(),
    cdn: { functions: new Map(), headerPolicies: new Map(), distributions: [] },
    notRehearsed: [],
    outputs: {},
  };
  for (const id of creationOrder(template)) {
    const resource = template.Resources[id];
    if (!isCreated(resource, ctx)) continue;
    const props = resolve(resource.Properties ?? {}, ctx, `Resources.${id}.Properties`);
    const handler = HANDLERS[resource.Type];
    const made = handler
      ? await handler({ id, resource, props, stack, aws, assets, workDir })
      : notRehearsed({ id, resource, stack });
    ctx.refs.set(id, made.ref);
    ctx.attrs.set(id, made.attrs ?? {});
  }
  for (const [name, o] of Object.entries(template.Outputs ?? {})) {
    if (o.Condition && !resolve({ Condition: o.Condition }, ctx)) continue;
    stack.outputs[name] = resolve(o.Value, ctx, `Outputs.${name}`);
  }
  return stack;
}

function arn(stack, service, rest, region = stack.region) {
  return `arn:aws:${service}:${region}:${stack.accountId}:${rest}`;
}

function generatedName(stack, id, max = 64) {
  return `${stack.stackName}-${id}-${upper(12)}`.slice(0, max);
}

function notRehearsed({ id, resource, stack }) {
  stack.notRehearsed.push(`${id} (${resource.Type})`);
  const attrs = new Proxy(
    {},
    {
      get: (_, attr) => (typeof attr === 'string' ? arn(stack, 'rehearsal', `${id}/${attr}`) : undefined),
      has: () => true,
    },
  );
  return { ref: `${id}-${lower(8)}`, attrs };
}

const HANDLERS = {
  async 'AWS::DynamoDB::Table'({ id, props, stack, aws }) {
    const name = props.TableName ?? generatedName(stack, id, 255);
    // CloudFormation turns a stream on when the template names its view type.
    const stream = props.StreamSpecification ? { StreamEnabled: true, StreamViewType: props.StreamSpecification.StreamViewType } : undefined;
    const created = await aws.dynamodb.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: props.KeySchema,
        AttributeDefinitions: props.AttributeDefinitions,
        BillingMode: props.BillingMode ?? 'PROVISIONED',
        ProvisionedThroughput: props.ProvisionedThroughput,
        GlobalSecondaryIndexes: props.GlobalSecondaryIndexes,
        LocalSecondaryIndexes: props.LocalSecondaryIndexes,
        StreamSpecification: stream,
      }),
    );
    if (props.TimeToLiveSpecification?.Enabled) {
      await aws.dynamodb.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: props.TimeToLiveSpecification }));
    }
    const tableArn = arn(stack, 'dynamodb', `table/${name}`);
    const streamArn = created.TableDescription?.LatestStreamArn;
    if (stream && !streamArn) throw new Error(`${id}: the table was created without the stream its template asks for`);
    stack.tables.push({ id, name, arn: tableArn, streamArn, streamViewType: stream?.StreamViewType });
    const attrs = { Arn: tableArn };
    if (streamArn) attrs.StreamArn = streamArn;
    return { ref: name, attrs };
  },

  async 'AWS::SecretsManager::Secret'({ id, props, stack, aws }) {
    const name = props.Name ?? generatedName(stack, id, 256);
    let value = props.SecretString;
    const g = props.GenerateSecretString;
    if (value === undefined && g) {
      const generated = generatePassword(g);
      value = g.GenerateStringKey
        ? JSON.stringify({ ...JSON.parse(g.SecretStringTemplate ?? '{}'), [g.GenerateStringKey]: generated })
        : generated;
    }
    const out = await aws.secrets.send(new CreateSecretCommand({ Name: name, Description: props.Description, SecretString: value ?? '' }));
    stack.secrets.push({ id, name, arn: out.ARN });
    return { ref: out.ARN, attrs: { Id: out.ARN } };
  },

  async 'AWS::Cognito::UserPool'({ id, props, stack, aws }) {
    const out = await aws.cognito.send(
      new CreateUserPoolCommand({
        PoolName: props.UserPoolName ?? generatedName(stack, id, 128),
        Policies: props.Policies,
        AutoVerifiedAttributes: props.AutoVerifiedAttributes,
        UsernameAttributes: props.UsernameAttributes,
        AliasAttributes: props.AliasAttributes,
        UsernameConfiguration: props.UsernameConfiguration,
        MfaConfiguration: props.MfaConfiguration,
        Schema: props.Schema,
        AdminCreateUserConfig: props.AdminCreateUserConfig,
        AccountRecoverySetting: props.AccountRecoverySetting,
        LambdaConfig: props.LambdaConfig,
        DeletionProtection: props.DeletionProtection,
      }),
    );
    const pool = out.UserPool;
    const providerUrl = `cognito-idp.${stack.region}.amazonaws.com/${pool.Id}`;
    stack.userPools.set(id, { id: pool.Id, props, clients: [], domains: [], groups: [], users: [] });
    return {
      ref: pool.Id,
      attrs: { Arn: pool.Arn ?? arn(stack, 'cognito-idp', `userpool/${pool.Id}`), ProviderName: providerUrl, ProviderURL: `https://${providerUrl}`, UserPoolId: pool.Id },
    };
  },

  async 'AWS::Cognito::UserPoolClient'({ id, props, stack, aws }) {
    const out = await aws.cognito.send(new CreateUserPoolClientCommand({ ...props, ClientName: props.ClientName ?? id }));
    const client = out.UserPoolClient;
    poolOf(stack, props.UserPoolId).clients.push({ id, clientId: client.ClientId, props });
    return { ref: client.ClientId, attrs: { ClientId: client.ClientId, Name: client.ClientName } };
  },

  async 'AWS::Cognito::UserPoolDomain'({ props, stack }) {
    const host = props.CustomDomainConfig ? props.Domain : `${props.Domain}.auth.${stack.region}.amazoncognito.com`;
    poolOf(stack, props.UserPoolId).domains.push(host);
    return { ref: props.Domain, attrs: { CloudFrontDistribution: `${lower(13)}.cloudfront.net` } };
  },

  async 'AWS::Cognito::UserPoolGroup'({ props, stack, aws }) {
    await aws.cognito.send(new CreateGroupCommand(props));
    poolOf(stack, props.UserPoolId).groups.push(props.GroupName);
    return { ref: props.GroupName };
  },

  async 'AWS::Cognito::UserPoolUser'({ props, stack, aws }) {
    const out = await aws.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: props.UserPoolId,
        Username: props.Username,
        UserAttributes: props.UserAttributes,
        DesiredDeliveryMediums: props.DesiredDeliveryMediums,
        MessageAction: props.MessageAction,
        ForceAliasCreation: props.ForceAliasCreation,
      }),
    );
    poolOf(stack, props.UserPoolId).users.push(props.Username);
    return { ref: out.User?.Username ?? props.Username };
  },

  async 'AWS::Cognito::UserPoolUserToGroupAttachment'({ id, props, aws }) {
    await aws.cognito.send(new AdminAddUserToGroupCommand(props));
    return { ref: id };
  },

  async 'AWS::IAM::Role'({ id, props, stack }) {
    const name = props.RoleName ?? generatedName(stack, id);
    const role = { name, arn: `arn:aws:iam::${stack.accountId}:role/${name}`, statements: [] };
    for (const p of props.Policies ?? []) role.statements.push(...statementsOf(p.PolicyDocument));
    role.managed = props.ManagedPolicyArns ?? [];
    stack.roles.set(id, role);
    stack.roles.set(role.arn, role);
    stack.roles.set(name, role);
    return { ref: name, attrs: { Arn: role.arn, RoleId: upper(21) } };
  },

  async 'AWS::IAM::Policy'({ id, props, stack }) {
    for (const r of props.Roles ?? []) {
      const role = stack.roles.get(r);
      if (!role) throw new Error(`${id}: role ${r} is not in the stack`);
      role.statements.push(...statementsOf(props.PolicyDocument));
    }
    return { ref: id };
  },

  async 'AWS::Lambda::Function'({ id, resource, props, stack, assets }) {
    const name = props.FunctionName ?? generatedName(stack, id);
    const code = assets.functionCode(id, resource, props);
    const fnArn = arn(stack, 'lambda', `function:${name}`);
    const role = stack.roles.get(props.Role);
    stack.functions.set(id, {
      id,
      name,
      arn: fnArn,
      code,
      runtime: props.Runtime,
      handler: props.Handler,
      memoryMb: props.MemorySize ?? 128,
      timeoutSeconds: props.Timeout ?? 3,
      environment: props.Environment?.Variables ?? {},
      architectures: props.Architectures ?? ['x86_64'],
      role,
      reservedConcurrency: props.ReservedConcurrentExecutions === undefined ? undefined : Number(props.ReservedConcurrentExecutions),
    });
    return { ref: name, attrs: { Arn: fnArn } };
  },

  async 'AWS::Lambda::Url'({ id, props, stack }) {
    const target = String(props.TargetFunctionArn);
    const fn = [...stack.functions.values()].find((f) => f.arn === target || f.name === target);
    if (!fn) throw new Error(`${id}: its target ${target} is no function of the stack`);
    if (props.Qualifier) throw new Error(`${id}: a function URL on an alias (${props.Qualifier}) is not rehearsed`);
    const urlId = lower(32);
    const domain = `${urlId}.lambda-url.${stack.region}.on.aws`;
    stack.functionUrls.push({ id, urlId, domain, fn, authType: props.AuthType, invokeMode: props.InvokeMode ?? 'BUFFERED', cors: props.Cors });
    return { ref: fn.arn, attrs: { FunctionUrl: `https://${domain}/`, FunctionArn: fn.arn } };
  },

  async 'AWS::Lambda::Permission'({ id, props, stack }) {
    stack.permissions.push({ id, ...props });
    return { ref: id };
  },

  async 'AWS::ApiGatewayV2::Api'({ id, props, stack }) {
    const apiId = lower(10);
    const scheme = props.ProtocolType === 'WEBSOCKET' ? 'wss' : 'https';
    const endpoint = `${scheme}://${apiId}.execute-api.${stack.region}.amazonaws.com`;
    stack.apis.set(apiId, { id, apiId, endpoint, props, routes: [], integrations: new Map(), authorizers: new Map(), stages: [], routeResponses: [] });
    return { ref: apiId, attrs: { ApiEndpoint: endpoint, ApiId: apiId } };
  },

  async 'AWS::ApiGatewayV2::Integration'({ id, props, stack }) {
    const integrationId = lower(7);
    apiOf(stack, props.ApiId).integrations.set(integrationId, { id, ...props });
    return { ref: integrationId };
  },

  async 'AWS::ApiGatewayV2::Authorizer'({ id, props, stack }) {
    const authorizerId = lower(6);
    apiOf(stack, props.ApiId).authorizers.set(authorizerId, { id, ...props });
    return { ref: authorizerId, attrs: { AuthorizerId: authorizerId } };
  },

  async 'AWS::ApiGatewayV2::Route'({ id, props, stack }) {
    const routeId = lower(7);
    apiOf(stack, props.ApiId).routes.push({ id, routeId, ...props });
    return { ref: routeId };
  },

  async 'AWS::ApiGatewayV2::RouteResponse'({ id, props, stack }) {
    apiOf(stack, props.ApiId).routeResponses.push({ id, ...props });
    return { ref: lower(7) };
  },

  async 'AWS::Lambda::EventSourceMapping'({ id, props, stack }) {
    const uuid = randomBytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    stack.eventSourceMappings.push({ id, uuid, ...props });
    return { ref: uuid, attrs: { Id: uuid, EventSourceMappingArn: arn(stack, 'lambda', `event-source-mapping:${uuid}`) } };
  },

  async 'AWS::ApiGatewayV2::Stage'({ id, props, stack }) {
    apiOf(stack, props.ApiId).stages.push({ id, ...props });
    return { ref: props.StageName };
  },

  async 'AWS::S3::Bucket'({ id, props, stack, workDir }) {
    const name = props.BucketName ?? `${stack.stackName}-${id}-${lower(12)}`.toLowerCase().slice(0, 63);
    const root = join(workDir, 's3', name);
    mkdirSync(root, { recursive: true });
    stack.buckets.set(name, { id, name, root, metadata: new Map() });
    return {
      ref: name,
      attrs: {
        Arn: `arn:aws:s3:::${name}`,
        DomainName: `${name}.s3.amazonaws.com`,
        RegionalDomainName: `${name}.s3.${stack.region}.amazonaws.com`,
        WebsiteURL: `http://${name}.s3-website-${stack.region}.amazonaws.com`,
      },
    };
  },

  async 'Custom::CDKBucketDeployment'({ id, props, stack, assets }) {
    const bucket = stack.buckets.get(props.DestinationBucketName);
    if (!bucket) throw new Error(`${id}: destination bucket ${props.DestinationBucketName} is not in the stack`);
    const prefix = props.DestinationBucketKeyPrefix ?? '';
    const target = join(bucket.root, prefix);
    mkdirSync(target, { recursive: true });
    const keys = props.SourceObjectKeys ?? [];
    keys.forEach((key, i) => {
      const source = assets.bucketAsset(key);
      const markers = props.SourceMarkers?.[i] ?? {};
      for (const file of walk(source)) {
        const dest = join(target, relative(source, file));
        mkdirSync(dirname(dest), { recursive: true });
        if (Object.keys(markers).length === 0) {
          cpSync(file, dest);
        } else {
          let text = readFileSync(file, 'utf8');
          for (const [marker, value] of Object.entries(markers)) text = text.split(marker).join(String(value));
          writeFileSync(dest, text);
        }
      }
    });
    const cacheControl = props.SystemMetadata?.['cache-control'];
    for (const file of walk(target)) bucket.metadata.set(relative(bucket.root, file), { cacheControl });
    return { ref: id };
  },

  async 'AWS::CloudFront::Function'({ id, props, stack }) {
    const fnArn = `arn:aws:cloudfront::${stack.accountId}:function/${props.Name ?? id}`;
    stack.cdn.functions.set(fnArn, { id, code: props.FunctionCode, runtime: props.FunctionConfig?.Runtime });
    return { ref: fnArn, attrs: { FunctionARN: fnArn, FunctionMetadata: { FunctionARN: fnArn } } };
  },

  async 'AWS::CloudFront::ResponseHeadersPolicy'({ id, props, stack }) {
    const policyId = randomBytes(16).toString('hex');
    stack.cdn.headerPolicies.set(policyId, { id, ...props.ResponseHeadersPolicyConfig });
    return { ref: policyId, attrs: { Id: policyId, LastModifiedTime: new Date().toISOString() } };
  },

  async 'AWS::CloudFront::Distribution'({ id, props, stack }) {
    const domain = `d${lower(13)}.cloudfront.net`;
    stack.cdn.distributions.push({ id, domain, config: props.DistributionConfig });
    return { ref: upper(14), attrs: { DomainName: domain, Id: upper(14) } };
  },

  async 'AWS::Logs::LogGroup'({ id, props, stack }) {
    const name = props.LogGroupName ?? generatedName(stack, id, 512);
    return { ref: name, attrs: { Arn: arn(stack, 'logs', `log-group:${name}:*`) } };
  },
};

function poolOf(stack, poolId) {
  for (const pool of stack.userPools.values()) if (pool.id === poolId) return pool;
  throw new Error(`user pool ${poolId} is not in the stack`);
}

function apiOf(stack, apiId) {
  const api = stack.apis.get(apiId);
  if (!api) throw new Error(`API ${apiId} is not in the stack`);
  return api;
}

function statementsOf(doc) {
  return [doc?.Statement ?? []].flat();
}

function generatePassword(g) {
  let alphabet = '';
  if (!g.ExcludeUppercase) alphabet += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  if (!g.ExcludeLowercase) alphabet += 'abcdefghijklmnopqrstuvwxyz';
  if (!g.ExcludeNumbers) alphabet += '0123456789';
  if (!g.ExcludePunctuation) alphabet += '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
  if (g.IncludeSpace) alphabet += ' ';
  for (const c of g.ExcludeCharacters ?? '') alphabet = alphabet.split(c).join('');
  return Array.from({ length: g.PasswordLength ?? 32 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/**
 * How the CDK app's code and files are found: the asset manifest cdk.out wrote (asset hash →
 * folder or zip), and for a function the crate its asset was made from (bundling is skipped:
 * the rehearsal runs a native debug build of that crate's binary, `target/debug/<package>`).
 */
export function cdkAssets({ cdkOut, stackName, targetDir, workDir }) {
  const manifest = JSON.parse(readFileSync(join(cdkOut, `${stackName}.assets.json`), 'utf8'));
  return {
    bucketAsset(key) {
      const hash = key.replace(/\.zip$/, '');
      const file = manifest.files?.[hash];
      if (!file) throw new Error(`asset ${key} is not in ${stackName}.assets.json`);
      const path = resolvePath(cdkOut, file.source.path);
      if (statSync(path).isDirectory()) return path;
      const out = join(workDir, 'assets', hash);
      if (!existsSync(out)) {
        mkdirSync(out, { recursive: true });
        const r = spawnSync('python3', ['-m', 'zipfile', '-e', path, out], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`could not unpack ${path}: ${r.stderr}`);
      }
      return out;
    },
    functionCode(id, resource, props) {
      if (!String(props.Runtime ?? '').startsWith('provided')) {
        return { kind: 'none', reason: `${id} is a ${props.Runtime} handler of CDK's own (its work is done by the rehearsal's provisioning)` };
      }
      const assetPath = resource.Metadata?.['aws:asset:path'];
      if (!assetPath) return { kind: 'none', reason: `${id} names no asset` };
      const path = resolvePath(cdkOut, assetPath);
      // The binary the stack names (a crate may build several: functions/live builds two).
      return codeFromPath(path, targetDir, `${id} (${assetPath})`, resource.Metadata?.['cargo-lambda:binary']);
    },
  };
}

/** Code of a function whose asset is a crate folder or a folder holding `bootstrap`. */
export function codeFromPath(path, targetDir, what, binary) {
  if (existsSync(join(path, 'bootstrap'))) return { kind: 'bootstrap', command: join(path, 'bootstrap'), source: path };
  const manifest = join(path, 'Cargo.toml');
  if (existsSync(manifest)) {
    const pkg = /^\s*name\s*=\s*"([^"]+)"/m.exec(readFileSync(manifest, 'utf8'))?.[1];
    const name = binary ?? pkg;
    if (!name) throw new Error(`${what}: ${manifest} names no package`);
    return { kind: 'crate', command: join(targetDir, 'debug', name), crate: path, package: pkg, source: path };
  }
  if (/^\//.test(path) && /placeholder/.test(path)) return { kind: 'none', reason: `${what}: a placeholder crate` };
  throw new Error(`${what}: neither a bootstrap nor a Cargo.toml at ${path}`);
}
