// The rehearsal's API Gateway (HTTP API): only the routes the template declares, chosen as API
// Gateway chooses (most specific path first, a method before ANY, a greedy {proxy+} last), the
// API's CORS rule answering preflights, the stage's throttle, the JWT authorizer exactly as
// configured (issuer, audience or client_id, expiry, RS256 signature against the issuer's
// published keys), the Lambda resource policies checked before an invocation (none matching:
// 500, as API Gateway answers when it may not invoke), and the function invoked with payload
// format 2.0 — claims as API Gateway v2 delivers them (every value a string, arrays as
// `[a b]`), bodies of non-text types base64-encoded.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html

import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { arnLike } from './template.mjs';

const TEXT_TYPES = [/^text\//, /^application\/(json|.*\+json|xml|.*\+xml|javascript|x-javascript)\b/];
const MAX_BODY = 10 * 1024 * 1024;
const MAX_LAMBDA_PAYLOAD = 6 * 1024 * 1024;

function json(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** `/api/calls/{proxy+}` → a matcher returning path parameters, or null. */
function pathMatcher(path) {
  const segments = path.split('/').filter(Boolean);
  const greedy = /^\{[^}]+\+\}$/.test(segments.at(-1) ?? '');
  return {
    greedy,
    literals: segments.filter((s) => !s.startsWith('{')).length,
    variables: segments.filter((s) => s.startsWith('{')).length,
    match(actual) {
      const parts = actual.split('/').filter(Boolean);
      const params = {};
      for (let i = 0; i < segments.length; i++) {
        const s = segments[i];
        if (greedy && i === segments.length - 1) {
          if (parts.length <= i) return null;
          params[s.slice(1, -2)] = parts.slice(i).map(decodeURIComponent).join('/');
          return params;
        }
        if (parts[i] === undefined) return null;
        if (s.startsWith('{')) params[s.slice(1, -1)] = decodeURIComponent(parts[i]);
        else if (s !== parts[i]) return null;
      }
      return parts.length === segments.length ? params : null;
    },
  };
}

/** API Gateway's rendering of a claim value: strings as they are, arrays `[a b]`. */
export function claimString(v) {
  if (Array.isArray(v)) return `[${v.map(claimString).join(' ')}]`;
  if (v && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Whether score `a` ranks above `b` (compared position by position). */
function later(a, b) {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return false;
}

function functionArnOf(uri) {
  const m = /functions\/(arn:[^/]+)\/invocations/.exec(uri);
  return m ? m[1] : uri;
}

export class HttpApiGateway {
  /**
   * `api`: the provisioned API (routes, integrations, authorizers, stages, props);
   * `functions`: LambdaFunction by logical id; `stack`: for permissions and ARNs;
   * `fetchJson(url)`: how the authorizer reaches the issuer (through the rehearsal's front).
   */
  constructor({ stack, api, functions, fetchJson, log }) {
    this.stack = stack;
    this.api = api;
    this.functions = functions;
    this.fetchJson = fetchJson;
    this.log = log;
    this.keys = new Map();
    this.routes = api.routes.map((r) => this.route(r));
    this.cors = api.props.CorsConfiguration ?? null;
    const stage = api.stages.find((s) => s.StageName === '$default') ?? api.stages[0];
    this.stageName = stage?.StageName ?? '$default';
    const t = stage?.DefaultRouteSettings ?? {};
    this.bucket = t.ThrottlingRateLimit ? { rate: t.ThrottlingRateLimit, burst: t.ThrottlingBurstLimit ?? t.ThrottlingRateLimit, tokens: t.ThrottlingBurstLimit ?? t.ThrottlingRateLimit, at: Date.now() } : null;
    this.counts = new Map();
  }

  route(r) {
    const [method, path] = r.RouteKey === '$default' ? ['ANY', null] : r.RouteKey.split(' ');
    const integrationId = String(r.Target ?? '').replace(/^integrations\//, '');
    const integration = this.api.integrations.get(integrationId);
    if (!integration) throw new Error(`route ${r.RouteKey}: target ${r.Target} is no integration of the API`);
    const fnArn = functionArnOf(integration.IntegrationUri);
    const fn = [...this.stack.functions.values()].find((f) => f.arn === fnArn || f.name === fnArn);
    if (!fn) throw new Error(`route ${r.RouteKey}: integration ${integration.id} names ${fnArn}, no function of the stack`);
    const authorizer = r.AuthorizationType === 'JWT' ? this.api.authorizers.get(r.AuthorizerId) : null;
    if (r.AuthorizationType === 'JWT' && !authorizer) throw new Error(`route ${r.RouteKey}: authorizer ${r.AuthorizerId} is not in the API`);
    return {
      key: r.RouteKey,
      method,
      path,
      matcher: path ? pathMatcher(path) : null,
      fn,
      payload: integration.PayloadFormatVersion ?? '1.0',
      authorizer,
      scopes: r.AuthorizationScopes ?? [],
      authorizationType: r.AuthorizationType ?? 'NONE',
    };
  }

  select(method, path) {
    let best = null;
    let bestScore = null;
    for (const r of this.routes) {
      if (r.method !== 'ANY' && r.method !== method) continue;
      const params = r.matcher ? r.matcher.match(path) : {};
      if (!params) continue;
      const score = r.matcher
        ? [2, r.matcher.greedy ? 0 : 1, r.matcher.literals, -r.matcher.variables, r.method === 'ANY' ? 0 : 1]
        : [0, 0, 0, 0, 0];
      if (!bestScore || later(score, bestScore)) {
        best = { route: r, params };
        bestScore = score;
      }
    }
    return best;
  }

  corsHeaders(origin) {
    if (!this.cors || !origin) return {};
    const allowed = this.cors.AllowOrigins ?? [];
    if (!allowed.includes('*') && !allowed.includes(origin)) return {};
    const h = { 'access-control-allow-origin': allowed.includes('*') && !this.cors.AllowCredentials ? '*' : origin, vary: 'origin' };
    if (this.cors.AllowCredentials) h['access-control-allow-credentials'] = 'true';
    if (this.cors.ExposeHeaders?.length) h['access-control-expose-headers'] = this.cors.ExposeHeaders.join(',');
    return h;
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

  count(what) {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }

  async handle(req, res) {
    const chunks = [];
    let size = 0;
    for await (const c of req) {
      size += c.length;
      if (size > MAX_BODY) return json(res, 413, { message: 'Request Entity Too Large' });
      chunks.push(c);
    }
    const body = Buffer.concat(chunks);
    const url = new URL(req.url, `https://${req.headers.host}`);
    const method = req.method.toUpperCase();
    const origin = req.headers.origin;

    if (method === 'OPTIONS' && this.cors && req.headers['access-control-request-method']) {
      this.count('preflight');
      const h = this.corsHeaders(origin);
      if (h['access-control-allow-origin']) {
        h['access-control-allow-methods'] = (this.cors.AllowMethods ?? []).join(',');
        h['access-control-allow-headers'] = (this.cors.AllowHeaders ?? []).join(',');
        if (this.cors.MaxAge !== undefined) h['access-control-max-age'] = String(this.cors.MaxAge);
      }
      res.writeHead(204, h).end();
      return;
    }
    const cors = this.corsHeaders(origin);
    if (this.throttled()) {
      this.count('429');
      return json(res, 429, { message: 'Too Many Requests' }, cors);
    }
    const selected = this.select(method, url.pathname);
    if (!selected) {
      this.count('404 no route');
      return json(res, 404, { message: 'Not Found' }, cors);
    }
    const { route, params } = selected;

    let jwt = null;
    if (route.authorizer) {
      const verdict = await this.authorize(route, req.headers);
      if (!verdict.ok) {
        this.count('401 authorizer');
        return json(res, 401, { message: 'Unauthorized' }, {
          ...cors,
          'www-authenticate': `Bearer scope="" error="invalid_token" error_description="${verdict.why.replace(/"/g, "'")}"`,
        });
      }
      jwt = verdict;
    }

    const sourceArn = `arn:aws:execute-api:${this.stack.region}:${this.stack.accountId}:${this.api.apiId}/${this.stageName}/${route.method}/${(route.path ?? '$default').replace(/^\//, '')}`;
    if (!this.mayInvoke(route.fn, sourceArn)) {
      this.count(`500 no permission ${route.key}`);
      this.log(`API Gateway may not invoke ${route.fn.name} for ${route.key}: no Lambda permission matches ${sourceArn}`);
      return json(res, 500, { message: 'Internal Server Error' }, cors);
    }

    const event = this.event(req, url, method, body, route, params, jwt);
    if (Buffer.byteLength(JSON.stringify(event)) > MAX_LAMBDA_PAYLOAD) return json(res, 413, { message: 'Request Entity Too Large' }, cors);
    const fn = this.functions.get(route.fn.id);
    let payload;
    try {
      payload = await fn.invoke(event);
    } catch (e) {
      this.count(`500 ${e.kind ?? 'error'} ${route.fn.name}`);
      this.log(`${route.key} → ${route.fn.name}: ${e.message}`);
      return json(res, 500, { message: 'Internal Server Error' }, cors);
    }
    this.respond(res, payload, cors, route);
  }

  mayInvoke(fn, sourceArn) {
    return this.stack.permissions.some((p) => {
      const target = String(p.FunctionName);
      const names = [fn.name, fn.arn, `${fn.arn}:$LATEST`];
      if (!names.includes(target)) return false;
      if (p.Action !== 'lambda:InvokeFunction' && p.Action !== 'lambda:*') return false;
      if (p.Principal !== 'apigateway.amazonaws.com') return false;
      return p.SourceArn === undefined || arnLike(p.SourceArn, sourceArn);
    });
  }

  async keysFor(issuer, refresh = false) {
    if (!refresh && this.keys.has(issuer)) return this.keys.get(issuer);
    const discovery = await this.fetchJson(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
    const jwks = await this.fetchJson(discovery.jwks_uri);
    const set = createLocalJWKSet(jwks);
    this.keys.set(issuer, set);
    return set;
  }

  async authorize(route, headers) {
    const config = route.authorizer.JwtConfiguration ?? {};
    const source = (route.authorizer.IdentitySource ?? ['$request.header.Authorization'])[0];
    const header = /^\$request\.header\.(.+)$/.exec(source)?.[1]?.toLowerCase();
    const raw = header ? headers[header] : undefined;
    if (!raw) return { ok: false, why: 'the request carries no token' };
    const token = raw.replace(/^Bearer\s+/i, '');
    let protectedHeader;
    try {
      protectedHeader = decodeProtectedHeader(token);
    } catch {
      return { ok: false, why: 'the token is not a JWT' };
    }
    if (protectedHeader.alg !== 'RS256') return { ok: false, why: `signing algorithm ${protectedHeader.alg} is not RS256` };
    let verified;
    for (const refresh of [false, true]) {
      try {
        const keys = await this.keysFor(config.Issuer, refresh);
        verified = await jwtVerify(token, keys, { issuer: config.Issuer, algorithms: ['RS256'] });
        break;
      } catch (e) {
        if (refresh || e.code !== 'ERR_JWKS_NO_MATCHING_KEY') return { ok: false, why: e.message };
      }
    }
    const claims = verified.payload;
    const audiences = config.Audience ?? [];
    const aud = claims.aud === undefined ? null : [claims.aud].flat();
    const audienceOk = aud ? aud.some((a) => audiences.includes(a)) : audiences.includes(claims.client_id);
    if (!audienceOk) return { ok: false, why: 'the token is not for this audience' };
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : Array.isArray(claims.scp) ? claims.scp : null;
    if (route.scopes.length > 0 && !route.scopes.some((s) => scopes?.includes(s))) return { ok: false, why: 'no authorized scope' };
    return {
      ok: true,
      claims: Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, claimString(v)])),
      scopes,
    };
  }

  event(req, url, method, body, route, params, jwt) {
    const headers = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i].toLowerCase();
      const value = req.rawHeaders[i + 1];
      headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
    }
    const cookies = headers.cookie ? headers.cookie.split(/;\s*/) : undefined;
    delete headers.cookie;
    const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
    headers['x-forwarded-for'] = sourceIp;
    headers['x-forwarded-port'] = '443';
    headers['x-forwarded-proto'] = 'https';
    headers['x-amzn-trace-id'] = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
    const query = {};
    for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
    const contentType = headers['content-type'] ?? '';
    const text = TEXT_TYPES.some((re) => re.test(contentType));
    const now = new Date();
    const event = {
      version: '2.0',
      routeKey: route.key,
      rawPath: url.pathname,
      rawQueryString: url.search.replace(/^\?/, ''),
      ...(cookies ? { cookies } : {}),
      headers,
      ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
      requestContext: {
        accountId: this.stack.accountId,
        apiId: this.api.apiId,
        ...(jwt ? { authorizer: { jwt: { claims: jwt.claims, scopes: jwt.scopes } } } : {}),
        domainName: req.headers.host,
        domainPrefix: this.api.apiId,
        http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp, userAgent: headers['user-agent'] ?? '' },
        requestId: randomBytes(8).toString('base64url'),
        routeKey: route.key,
        stage: this.stageName,
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
      },
      ...(Object.keys(params).length ? { pathParameters: params } : {}),
      isBase64Encoded: body.length > 0 && !text,
    };
    if (body.length > 0) event.body = text ? body.toString('utf8') : body.toString('base64');
    return event;
  }

  respond(res, payload, cors, route) {
    let parsed;
    try {
      parsed = JSON.parse(payload);
    } catch {
      this.count(`500 malformed response ${route.fn.name}`);
      return json(res, 500, { message: 'Internal Server Error' }, cors);
    }
    if (!parsed || typeof parsed !== 'object' || parsed.statusCode === undefined) {
      this.count(`${route.key} 200 (bare)`);
      return json(res, 200, parsed, cors);
    }
    const headers = { ...(parsed.headers ?? {}), ...cors };
    // API Gateway sets the framing of what it sends itself.
    const out = Object.entries(headers)
      .filter(([k]) => !['content-length', 'transfer-encoding', 'connection'].includes(k.toLowerCase()))
      .map(([k, v]) => [k, String(v)]);
    for (const c of parsed.cookies ?? []) out.push(['set-cookie', c]);
    out.push(['apigw-requestid', randomBytes(8).toString('base64url')]);
    const bodyBuf = parsed.body === undefined || parsed.body === null ? Buffer.alloc(0) : parsed.isBase64Encoded ? Buffer.from(parsed.body, 'base64') : Buffer.from(String(parsed.body));
    out.push(['content-length', String(bodyBuf.length)]);
    this.count(`${route.fn.name} ${parsed.statusCode}`);
    res.writeHead(parsed.statusCode, out.flat());
    res.end(bodyBuf);
  }
}
