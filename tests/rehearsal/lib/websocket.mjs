// The rehearsal's API Gateway WebSocket API: one API of the template, its stage at
// `wss://{api}.execute-api.{region}.amazonaws.com/{stage}`, played as API Gateway plays it.
//
// - `$connect`: the stage's throttle; the route's REQUEST authorizer (its identity sources must
//   all be present, or the handshake is refused with 401 before the authorizer runs; an
//   authorizer failing with `Unauthorized` is a 401, a policy that does not allow the route's
//   method ARN a 403); then the route's integration with the CONNECT event, the authorizer's
//   principal and context in `requestContext.authorizer`. A non-2xx answer refuses the
//   handshake with that status; a `Sec-WebSocket-Protocol` header in the answer is the
//   subprotocol the handshake accepts (none otherwise, as API Gateway).
// - Messages: the route chosen by the API's route selection expression (`$request.body.action`)
//   or `$default`, invoked with the MESSAGE event; when the route has a route response, the
//   integration's body is sent back on the connection. A message no route takes is answered
//   with API Gateway's `Forbidden` frame, a failed integration with its `Internal server error`
//   frame.
// - `$disconnect` with the DISCONNECT event when either side closes, and the 10-minute idle
//   timeout.
// - The `@connections` management API (POST to send, GET to describe, DELETE to close), signed
//   with a function's credentials and allowed only by `execute-api:ManageConnections` on
//   `arn:aws:execute-api:{region}:{account}:{api}/{stage}/{METHOD}/@connections/{id}`; a
//   connection that is gone is a 410 GoneException.
//
// Every Lambda invocation is checked against the template's Lambda permissions first, with the
// source ARN API Gateway invokes with.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-overview.html

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { arnLike } from './template.mjs';

/** API Gateway's frame and message limits (a message of up to 128 KB in 32 KB frames). */
const MAX_MESSAGE = 128 * 1024;
const IDLE_MS = 10 * 60 * 1000;

function functionArnOf(uri) {
  const m = /functions\/(arn:[^/]+)\/invocations/.exec(uri);
  return m ? m[1] : uri;
}

/** `09/Feb/2024:18:11:43 +0000`, API Gateway's requestTime. */
function requestTime(d) {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** A connection id as API Gateway writes them (`L0SM9cOFvHcCIhw=`). */
function connectionId() {
  return randomBytes(11).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'B');
}

/** `$request.body.action` → the route key a message selects, or undefined. */
function selectedKey(expression, text) {
  const m = /^\$request\.body\.(.+)$/.exec(expression ?? '');
  if (!m) throw new Error(`route selection expression ${expression} is not one the rehearsal plays ($request.body.<field>)`);
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  let v = body;
  for (const part of m[1].split('.')) v = v && typeof v === 'object' ? v[part] : undefined;
  return typeof v === 'string' ? v : undefined;
}

export class WebSocketApiGateway {
  /**
   * `api`: the provisioned WEBSOCKET API; `functions`: LambdaFunction by logical id; `iam`: the
   * rehearsal's IAM (who signed a management request, and whether their role allows it).
   */
  constructor({ stack, api, functions, iam, log }) {
    this.stack = stack;
    this.api = api;
    this.functions = functions;
    this.iam = iam;
    this.log = log;
    this.host = new URL(api.endpoint).host;
    const stages = api.stages;
    if (stages.length !== 1) throw new Error(`the WebSocket API ${api.id} has ${stages.length} stages; the rehearsal plays one`);
    this.stage = stages[0];
    const t = this.stage.DefaultRouteSettings ?? {};
    this.bucket = t.ThrottlingRateLimit ? { rate: t.ThrottlingRateLimit, burst: t.ThrottlingBurstLimit ?? t.ThrottlingRateLimit, tokens: t.ThrottlingBurstLimit ?? t.ThrottlingRateLimit, at: Date.now() } : null;
    const withResponse = new Set(api.routeResponses.map((r) => r.RouteId));
    this.routes = new Map(api.routes.map((r) => [r.RouteKey, this.route(r, withResponse.has(r.routeId))]));
    this.connections = new Map();
    this.counts = new Map();
    /** Frames sent to clients by the management API, by connection id (for the tests). */
    this.posted = [];
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE, handleProtocols: (_offered, req) => req.acceptedProtocol ?? false });
  }

  route(r, returnResponse) {
    const integrationId = String(r.Target ?? '').replace(/^integrations\//, '');
    const integration = this.api.integrations.get(integrationId);
    if (!integration) throw new Error(`WebSocket route ${r.RouteKey}: target ${r.Target} is no integration of the API`);
    if (integration.IntegrationType !== 'AWS_PROXY') throw new Error(`WebSocket route ${r.RouteKey}: integration type ${integration.IntegrationType} is not one the rehearsal plays`);
    const fn = this.functionFor(integration.IntegrationUri, `route ${r.RouteKey}`);
    let authorizer = null;
    if (r.AuthorizationType === 'CUSTOM') {
      authorizer = this.api.authorizers.get(r.AuthorizerId);
      if (!authorizer) throw new Error(`WebSocket route ${r.RouteKey}: authorizer ${r.AuthorizerId} is not in the API`);
      if (r.RouteKey !== '$connect') throw new Error(`WebSocket route ${r.RouteKey}: API Gateway runs authorizers on $connect only`);
      if (authorizer.AuthorizerType !== 'REQUEST') throw new Error(`WebSocket authorizer ${authorizer.id}: type ${authorizer.AuthorizerType} is not REQUEST`);
      authorizer = { ...authorizer, authorizerId: r.AuthorizerId, fn: this.functionFor(authorizer.AuthorizerUri, `authorizer ${authorizer.id}`) };
    } else if (r.AuthorizationType && r.AuthorizationType !== 'NONE') {
      throw new Error(`WebSocket route ${r.RouteKey}: authorization ${r.AuthorizationType} is not one the rehearsal plays`);
    }
    return { key: r.RouteKey, fn, authorizer, returnResponse };
  }

  functionFor(uri, what) {
    const fnArn = functionArnOf(uri);
    const fn = [...this.stack.functions.values()].find((f) => f.arn === fnArn || f.name === fnArn);
    if (!fn) throw new Error(`WebSocket ${what} names ${fnArn}, no function of the stack`);
    return fn;
  }

  /** The management endpoint the template gives its functions (`https://{api}.execute-api…/{stage}`). */
  get managementEndpoint() {
    return `https://${this.host}/${this.stage.StageName}`;
  }

  count(what) {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }

  throttled() {
    if (!this.bucket) return false;
    const b = this.bucket;
    const now = Date.now();
    b.tokens = Math.min(b.burst, b.tokens + ((now - b.at) / 1000) * b.rate);
    b.at = now;
    if (b.tokens < 1) return true;
    b.tokens -= 1;
    return false;
  }

  mayInvoke(fn, sourceArn) {
    return this.stack.permissions.some((p) => {
      const names = [fn.name, fn.arn, `${fn.arn}:$LATEST`];
      if (!names.includes(String(p.FunctionName))) return false;
      if (p.Action !== 'lambda:InvokeFunction' && p.Action !== 'lambda:*') return false;
      if (p.Principal !== 'apigateway.amazonaws.com') return false;
      return p.SourceArn === undefined || arnLike(p.SourceArn, sourceArn);
    });
  }

  arn(rest) {
    return `arn:aws:execute-api:${this.stack.region}:${this.stack.accountId}:${this.api.apiId}/${rest}`;
  }

  /** Invokes a route's function; resolves with its parsed answer or rejects (permission, failure). */
  async invoke(fn, sourceArn, event, what) {
    if (!this.mayInvoke(fn, sourceArn)) {
      this.count(`500 no permission ${what}`);
      this.log(`API Gateway may not invoke ${fn.name} for ${what}: no Lambda permission matches ${sourceArn}`);
      throw Object.assign(new Error(`no permission for ${what}`), { status: 500 });
    }
    const raw = await this.functions.get(fn.id).invoke(event);
    try {
      return JSON.parse(raw);
    } catch {
      throw Object.assign(new Error(`${fn.name} answered ${what} with malformed JSON`), { status: 500 });
    }
  }

  context(c, routeKey, eventType, extra = {}) {
    const now = new Date();
    return {
      routeKey,
      eventType,
      extendedRequestId: randomBytes(8).toString('base64url'),
      requestTime: requestTime(now),
      messageDirection: 'IN',
      stage: this.stage.StageName,
      connectedAt: c.connectedAt,
      requestTimeEpoch: now.getTime(),
      identity: { sourceIp: c.sourceIp, userAgent: c.userAgent },
      requestId: randomBytes(8).toString('base64url'),
      domainName: this.host,
      connectionId: c.id,
      apiId: this.api.apiId,
      ...extra,
    };
  }

  /** A WebSocket upgrade for the API's host (from the distribution or a client). */
  upgrade(req, socket, head) {
    this.connect(req, socket, head).catch((e) => {
      this.log(`websocket: ${e.stack ?? e}`);
      refuse(socket, 500, 'Internal Server Error');
    });
  }

  async connect(req, socket, head) {
    const url = new URL(req.url, `https://${this.host}`);
    if (url.pathname.replace(/\/$/, '') !== `/${this.stage.StageName}`) {
      this.count('403 no stage');
      return refuse(socket, 403, 'Forbidden');
    }
    if (this.throttled()) {
      this.count('429 $connect');
      return refuse(socket, 429, 'Too Many Requests');
    }
    const headers = {};
    const multiValueHeaders = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const [name, value] = [req.rawHeaders[i], req.rawHeaders[i + 1]];
      headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
      (multiValueHeaders[name] ??= []).push(value);
    }
    const sourceIp = String(req.headers['x-forwarded-for'] ?? req.socket.remoteAddress ?? '127.0.0.1').split(',')[0].trim().replace(/^::ffff:/, '');
    headers['X-Forwarded-For'] = sourceIp;
    headers['X-Forwarded-Port'] = '443';
    headers['X-Forwarded-Proto'] = 'https';
    headers['X-Amzn-Trace-Id'] = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
    const query = Object.fromEntries(url.searchParams);
    const multiQuery = {};
    for (const [k, v] of url.searchParams) (multiQuery[k] ??= []).push(v);
    const c = { id: connectionId(), connectedAt: Date.now(), sourceIp, userAgent: req.headers['user-agent'] ?? '', lastActiveAt: Date.now() };

    const route = this.routes.get('$connect');
    let authorizerContext;
    if (route?.authorizer) {
      const verdict = await this.authorize(route, req, headers, multiValueHeaders, query, multiQuery, c);
      if (!verdict.ok) {
        this.count(`${verdict.status} authorizer`);
        return refuse(socket, verdict.status, verdict.status === 401 ? 'Unauthorized' : verdict.status === 403 ? 'Forbidden' : 'Internal Server Error');
      }
      authorizerContext = verdict.context;
    }
    let accepted;
    if (route) {
      const event = {
        headers,
        multiValueHeaders,
        ...(Object.keys(query).length ? { queryStringParameters: query, multiValueQueryStringParameters: multiQuery } : {}),
        requestContext: this.context(c, '$connect', 'CONNECT', authorizerContext ? { authorizer: authorizerContext } : {}),
        isBase64Encoded: false,
      };
      let answer;
      try {
        answer = await this.invoke(route.fn, this.arn(`${this.stage.StageName}/$connect`), event, '$connect');
      } catch (e) {
        this.count(`500 $connect ${e.kind ?? ''}`.trim());
        this.log(`$connect → ${route.fn.name}: ${e.message}`);
        return refuse(socket, 500, 'Internal Server Error');
      }
      const status = Number(answer?.statusCode ?? 200);
      if (status < 200 || status > 299) {
        this.count(`${status} $connect`);
        return refuse(socket, status, 'Connection refused by the $connect route');
      }
      const answerHeaders = Object.fromEntries(Object.entries(answer?.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
      accepted = answerHeaders['sec-websocket-protocol'];
    }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
    if (accepted !== undefined && !offered.includes(accepted)) {
      this.log(`$connect answered subprotocol ${accepted}, which the client did not offer (${offered.join(', ')})`);
    }
    req.acceptedProtocol = accepted;
    this.count('101 $connect');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.opened(ws, c));
  }

  async authorize(route, req, headers, multiValueHeaders, query, multiQuery, c) {
    const a = route.authorizer;
    for (const source of a.IdentitySource ?? []) {
      const m = /^route\.request\.(header|querystring)\.(.+)$/.exec(source);
      if (!m) throw new Error(`authorizer ${a.id}: identity source ${source} is not one the rehearsal plays`);
      const value = m[1] === 'header' ? req.headers[m[2].toLowerCase()] : query[m[2]];
      if (!value) return { ok: false, status: 401, why: `no ${source}` };
    }
    const methodArn = this.arn(`${this.stage.StageName}/$connect`);
    const event = {
      type: 'REQUEST',
      methodArn,
      headers,
      multiValueHeaders,
      queryStringParameters: query,
      multiValueQueryStringParameters: multiQuery,
      stageVariables: this.stage.StageVariables ?? {},
      requestContext: this.context(c, '$connect', 'CONNECT'),
    };
    let policy;
    try {
      policy = await this.invoke(a.fn, this.arn(`authorizers/${a.authorizerId}`), event, `authorizer ${a.id}`);
    } catch (e) {
      // A function error whose message is `Unauthorized` is API Gateway's 401; anything else 500.
      const unauthorized = e.kind === 'function' && /"errorMessage"\s*:\s*"Unauthorized"/.test(e.message);
      if (!unauthorized) this.log(`authorizer ${a.fn.name}: ${e.message}`);
      return { ok: false, status: unauthorized ? 401 : 500 };
    }
    const statements = [policy?.policyDocument?.Statement ?? []].flat();
    const applies = (st) => [st.Action].flat().some((x) => arnLike(x, 'execute-api:Invoke')) && [st.Resource].flat().some((r) => arnLike(r, methodArn));
    if (statements.some((st) => st.Effect === 'Deny' && applies(st))) return { ok: false, status: 403 };
    if (!statements.some((st) => st.Effect === 'Allow' && applies(st))) return { ok: false, status: 403 };
    return { ok: true, context: { ...(policy.context ?? {}), principalId: policy.principalId } };
  }

  opened(ws, c) {
    c.ws = ws;
    this.connections.set(c.id, c);
    const idle = () => {
      clearTimeout(c.idleTimer);
      c.idleTimer = setTimeout(() => ws.close(1001, 'Going away'), IDLE_MS);
    };
    idle();
    let queue = Promise.resolve();
    ws.on('message', (data, binary) => {
      c.lastActiveAt = Date.now();
      idle();
      // One message at a time per connection, in order.
      queue = queue.then(() => this.message(c, data, binary)).catch((e) => this.log(`websocket message: ${e.stack ?? e}`));
    });
    ws.on('close', (code, reason) => {
      clearTimeout(c.idleTimer);
      this.connections.delete(c.id);
      queue.then(() => this.disconnected(c, code, reason.toString())).catch((e) => this.log(`websocket $disconnect: ${e.stack ?? e}`));
    });
    ws.on('error', (e) => this.log(`websocket ${c.id}: ${e.message}`));
  }

  async message(c, data, binary) {
    const text = binary ? data.toString('base64') : data.toString('utf8');
    const key = binary ? undefined : selectedKey(this.api.props.RouteSelectionExpression, text);
    const route = (key !== undefined && this.routes.get(key)) || this.routes.get('$default');
    const requestId = randomBytes(8).toString('base64url');
    if (!route || route.key === '$connect' || route.key === '$disconnect') {
      this.count('403 no route');
      return this.send(c, JSON.stringify({ message: 'Forbidden', connectionId: c.id, requestId }));
    }
    if (this.throttled()) {
      this.count(`429 ${route.key}`);
      return this.send(c, JSON.stringify({ message: 'Too Many Requests', connectionId: c.id, requestId }));
    }
    const event = {
      requestContext: this.context(c, route.key, 'MESSAGE', { messageId: randomBytes(8).toString('base64url'), requestId }),
      body: text,
      isBase64Encoded: Boolean(binary),
    };
    let answer;
    try {
      answer = await this.invoke(route.fn, this.arn(`${this.stage.StageName}/${route.key}`), event, route.key);
    } catch (e) {
      this.count(`500 ${route.key}`);
      this.log(`${route.key} → ${route.fn.name}: ${e.message}`);
      return this.send(c, JSON.stringify({ message: 'Internal server error', connectionId: c.id, requestId }));
    }
    this.count(`${route.key} ${answer?.statusCode ?? 200}`);
    if (!route.returnResponse) return;
    const body = answer && typeof answer === 'object' && 'statusCode' in answer ? answer.body : JSON.stringify(answer);
    if (body !== undefined && body !== null) this.send(c, answer?.isBase64Encoded ? Buffer.from(body, 'base64') : String(body));
  }

  async disconnected(c, code, reason) {
    const route = this.routes.get('$disconnect');
    if (!route) return;
    const event = {
      headers: { Host: this.host, 'X-Forwarded-For': c.sourceIp, 'x-api-key': '', 'x-restapi': '' },
      multiValueHeaders: { Host: [this.host], 'X-Forwarded-For': [c.sourceIp], 'x-api-key': [''], 'x-restapi': [''] },
      requestContext: this.context(c, '$disconnect', 'DISCONNECT', { disconnectStatusCode: code, disconnectReason: reason }),
      isBase64Encoded: false,
    };
    try {
      await this.invoke(route.fn, this.arn(`${this.stage.StageName}/$disconnect`), event, '$disconnect');
      this.count('$disconnect');
    } catch (e) {
      this.count('500 $disconnect');
      this.log(`$disconnect → ${route.fn.name}: ${e.message}`);
    }
  }

  send(c, data) {
    if (c.ws.readyState !== c.ws.OPEN) return false;
    c.ws.send(data, { binary: Buffer.isBuffer(data) });
    return true;
  }

  /** The `@connections` management API, on its own loopback port (see `listen`). */
  async manage(req, res) {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const reply = (status, json, type) => {
      const headers = { 'content-type': 'application/json', 'x-amzn-requestid': randomBytes(8).toString('hex') };
      if (type) headers['x-amzn-errortype'] = type;
      res.writeHead(status, headers).end(json === undefined ? undefined : JSON.stringify(json));
    };
    const m = /^\/([^/]+)\/@connections\/([^/?]+)$/.exec(new URL(req.url, 'http://localhost').pathname);
    if (!m || m[1] !== this.stage.StageName) return reply(403, { message: 'Forbidden' }, 'ForbiddenException');
    const id = decodeURIComponent(m[2]);
    const method = req.method.toUpperCase();
    const fn = this.iam.principalOf(req.headers.authorization);
    if (!fn) return reply(403, { message: 'Missing Authentication Token' }, 'MissingAuthenticationTokenException');
    const resource = this.arn(`${this.stage.StageName}/${method}/@connections/${id}`);
    if (!this.iam.authorize(fn, 'execute-api:ManageConnections', resource)) {
      this.count(`403 @connections ${fn.name}`);
      return reply(403, { Message: `User: ${fn.role?.arn} is not authorized to perform: execute-api:ManageConnections on resource: ${resource}` }, 'AccessDeniedException');
    }
    const c = this.connections.get(id);
    if (!c) {
      this.count(`410 ${method} @connections`);
      return reply(410, { message: null }, 'GoneException');
    }
    if (method === 'POST') {
      if (body.length > MAX_MESSAGE) return reply(413, { message: 'Payload too large' }, 'PayloadTooLargeException');
      const text = body.toString('utf8');
      this.send(c, text);
      this.posted.push({ connectionId: id, data: text, at: Date.now() });
      this.count('POST @connections');
      return reply(200);
    }
    if (method === 'GET') {
      return reply(200, { ConnectedAt: new Date(c.connectedAt).toISOString(), Identity: { SourceIp: c.sourceIp, UserAgent: c.userAgent }, LastActiveAt: new Date(c.lastActiveAt).toISOString() });
    }
    if (method === 'DELETE') {
      c.ws.close(1000, 'Deleted');
      this.count('DELETE @connections');
      return reply(204);
    }
    return reply(403, { message: 'Forbidden' }, 'ForbiddenException');
  }

  /**
   * Serves the management API on loopback over plain HTTP: a function's TLS roots cannot trust
   * the rehearsal's CA, so its management endpoint is redirected here as the AWS SDK's endpoint
   * is to the local AWS-compatible server. Resolves with the endpoint (`http://…/{stage}`).
   */
  async listen() {
    this.server = createServer((req, res) =>
      this.manage(req, res).catch((e) => {
        this.log(`@connections: ${e.stack ?? e}`);
        if (!res.headersSent) res.writeHead(500).end();
      }),
    );
    await new Promise((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${this.server.address().port}/${this.stage.StageName}`;
  }

  /** A plain request for the API's host (no upgrade): what API Gateway answers it. */
  handle(req, res) {
    res.writeHead(426, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Upgrade Required' }));
  }

  close() {
    for (const c of this.connections.values()) c.ws.terminate();
    this.server?.close();
  }
}

/** Ends a handshake with an HTTP status instead of the upgrade. */
function refuse(socket, status, text) {
  if (socket.destroyed) return;
  const body = JSON.stringify({ message: text });
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
