// The functions' IAM, enforced: every AWS request a function sends passes through this proxy on
// its way to the local AWS-compatible server, which lets it through only when the function's
// role (as the template writes it) allows that action on that resource. Each function signs
// with credentials of its own, so the proxy knows whose request it is. A refusal is answered as
// AWS answers it (AccessDeniedException), which the function must survive and report.

import { createServer, request as httpRequest } from 'node:http';
import { arnLike } from './template.mjs';

const SERVICES = {
  DynamoDB_20120810: 'dynamodb',
  DynamoDBStreams_20120810: 'dynamodbstreams',
  secretsmanager: 'secretsmanager',
  AWSCognitoIdentityProviderService: 'cognito-idp',
};

function matches(patterns, value) {
  return [patterns].flat().some((p) => arnLike(p, value));
}

/** Actions and resources one request needs, from its target and body. */
export function requestNeeds(target, body, stack) {
  const [prefix, operation] = String(target).split('.');
  const service = SERVICES[prefix];
  if (!service) return [{ action: `unknown:${target}`, resource: '*' }];
  const table = (name, index) => `arn:aws:dynamodb:${stack.region}:${stack.accountId}:table/${name}${index ? `/index/${index}` : ''}`;
  if (service === 'dynamodb') {
    if (operation === 'TransactWriteItems') {
      const kinds = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' };
      return (body.TransactItems ?? []).flatMap((item) =>
        Object.entries(item).map(([kind, op]) => ({ action: `dynamodb:${kinds[kind]}`, resource: table(op.TableName) })),
      );
    }
    if (operation === 'TransactGetItems') {
      return (body.TransactItems ?? []).map((item) => ({ action: 'dynamodb:GetItem', resource: table(item.Get.TableName) }));
    }
    if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
      return Object.keys(body.RequestItems ?? {}).map((name) => ({ action: `dynamodb:${operation}`, resource: table(name) }));
    }
    return [{ action: `dynamodb:${operation}`, resource: table(body.TableName, body.IndexName) }];
  }
  if (service === 'dynamodbstreams') {
    // Streams are authorised as DynamoDB actions on the stream's ARN (ListStreams on none); a
    // shard iterator names its stream before its first `|`.
    if (operation === 'ListStreams') return [{ action: 'dynamodb:ListStreams', resource: '*' }];
    const stream = body.StreamArn ?? String(body.ShardIterator ?? '').split('|')[0];
    return [{ action: `dynamodb:${operation}`, resource: stream }];
  }
  if (service === 'secretsmanager') {
    const id = body.SecretId ?? '';
    const secret = stack.secrets.find((s) => s.arn === id || s.name === id);
    return [{ action: `secretsmanager:${operation}`, resource: secret?.arn ?? id }];
  }
  const pool = body.UserPoolId ?? '';
  return [{ action: `cognito-idp:${operation}`, resource: `arn:aws:cognito-idp:${stack.region}:${stack.accountId}:userpool/${pool}` }];
}

/** Whether a role's statements allow `action` on `resource` (an explicit Deny wins). */
export function allowed(role, action, resource) {
  let allow = false;
  for (const s of role?.statements ?? []) {
    const hit = matches(s.Action ?? [], action) && matches(s.Resource ?? [], resource);
    if (!hit) continue;
    if (s.Effect === 'Deny') return false;
    if (s.Effect === 'Allow') allow = true;
  }
  return allow;
}

export class IamProxy {
  constructor({ stack, upstreamPort, log }) {
    this.stack = stack;
    this.upstreamPort = upstreamPort;
    this.log = log;
    this.principals = new Map();
    this.denied = [];
    this.requests = 0;
  }

  /** The function whose credentials signed a request (its `Authorization` header), if any. */
  principalOf(authorization) {
    const key = /Credential=([^/]+)\//.exec(authorization ?? '')?.[1];
    return this.principals.get(key);
  }

  /**
   * Whether `fn` may do `action` on `resource`; a refusal is recorded as the proxy records its
   * own. For the services the rehearsal plays itself (the WebSocket API's @connections).
   */
  authorize(fn, action, resource) {
    if (allowed(fn.role, action, resource)) return true;
    this.denied.push(`${fn.name}: ${action} on ${resource}`);
    this.log(`IAM denied ${fn.name}: ${action} on ${resource}`);
    return false;
  }

  /** Credentials for a function: requests signed with them are checked against its role. */
  credentialsFor(fn) {
    const key = `ASIA${fn.id.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 12).padEnd(12, 'X')}${this.principals.size.toString().padStart(4, '0')}`;
    this.principals.set(key, fn);
    return { AWS_ACCESS_KEY_ID: key, AWS_SECRET_ACCESS_KEY: 'rehearsal-secret', AWS_SESSION_TOKEN: `rehearsal-session-${fn.id}` };
  }

  async listen() {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = this.server.address().port;
    return `http://127.0.0.1:${this.port}`;
  }

  handle(req, res) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      this.requests += 1;
      const key = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
      const fn = this.principals.get(key);
      if (fn) {
        let body = {};
        try {
          body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
        } catch {
          /* not JSON: the upstream answers it */
        }
        for (const need of requestNeeds(req.headers['x-amz-target'], body, this.stack)) {
          if (!allowed(fn.role, need.action, need.resource)) {
            const who = `arn:aws:sts::${this.stack.accountId}:assumed-role/${fn.role?.name ?? 'none'}/${fn.name}`;
            const message = `User: ${who} is not authorized to perform: ${need.action} on resource: ${need.resource} because no identity-based policy allows the ${need.action} action`;
            this.denied.push(`${fn.name}: ${need.action} on ${need.resource}`);
            this.log(`IAM denied ${message}`);
            const text = JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', Message: message, message });
            res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': 'AccessDeniedException' }).end(text);
            return;
          }
        }
      }
      const up = httpRequest(
        { host: '127.0.0.1', port: this.upstreamPort, method: req.method, path: req.url, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', (e) => res.writeHead(502).end(String(e)));
      up.end(raw);
    });
  }

  close() {
    this.server?.close();
  }
}
