// The rehearsal's Lambda function URLs: each AWS::Lambda::Url of the template answers at its own
// host name, `<url-id>.lambda-url.<region>.on.aws`, as Lambda answers it — the function's
// resource policy checked first (auth type NONE needs both lambda:InvokeFunctionUrl for that
// auth type and lambda:InvokeFunction through a function URL, granted to everyone; missing
// either is 403, as Lambda answers), the function's reserved concurrency enforced (an
// invocation beyond it is 429, never queued), and the function invoked with the function URL
// payload (format 2.0: `routeKey` and `stage` `$default`, `requestContext.domainName` the
// URL's own host, bodies of non-text types base64-encoded).
// https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html

import { randomBytes } from 'node:crypto';

const TEXT_TYPES = [/^text\//, /^application\/(json|.*\+json|xml|.*\+xml|javascript|x-javascript)\b/];
/** Lambda's synchronous payload limit (the request's event and the response alike). */
const MAX_PAYLOAD = 6 * 1024 * 1024;

function json(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomBytes(16).toString('hex'), ...headers });
  res.end(text);
}

export class FunctionUrlEndpoint {
  /**
   * `url`: the provisioned function URL (`{ id, urlId, domain, fn, authType }`, `fn` the
   * function's spec); `functions`: LambdaFunction by logical id; `stack`: for the permissions.
   */
  constructor({ stack, url, functions, log }) {
    this.stack = stack;
    this.url = url;
    this.functions = functions;
    this.log = log;
    this.inFlight = 0;
    this.counts = new Map();
  }

  count(what) {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }

  /** Whether the function's resource policy lets anyone call it through its URL. */
  mayInvoke() {
    const fn = this.url.fn;
    const names = [fn.name, fn.arn, `${fn.arn}:$LATEST`];
    const grants = this.stack.permissions.filter((p) => names.includes(String(p.FunctionName)) && p.Principal === '*');
    const viaUrl = grants.some((p) => p.Action === 'lambda:InvokeFunctionUrl' && p.FunctionUrlAuthType === this.url.authType);
    const invoke = grants.some((p) => p.Action === 'lambda:InvokeFunction' && (p.InvokedViaFunctionUrl === true || p.InvokedViaFunctionUrl === 'true'));
    return viaUrl && invoke;
  }

  async handle(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    if (this.url.authType !== 'NONE') {
      this.count('403 signed requests are not rehearsed');
      return json(res, 403, { Message: 'Forbidden' });
    }
    if (!this.mayInvoke()) {
      this.count('403 no permission');
      this.log(`function URL ${this.url.domain}: ${this.url.fn.name}'s resource policy does not let everyone invoke it through its URL`);
      return json(res, 403, { Message: 'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html' });
    }
    const reserved = this.url.fn.reservedConcurrency;
    if (reserved !== undefined && this.inFlight >= reserved) {
      this.count('429 reserved concurrency');
      return json(res, 429, { Message: 'Rate Exceeded.' });
    }
    const event = this.event(req, body);
    if (Buffer.byteLength(JSON.stringify(event)) > MAX_PAYLOAD) {
      this.count('413');
      return json(res, 413, { Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' });
    }
    this.inFlight += 1;
    let payload;
    try {
      payload = await this.functions.get(this.url.fn.id).invoke(event);
    } catch (e) {
      this.count(`502 ${e.kind ?? 'error'}`);
      this.log(`function URL ${this.url.domain} → ${this.url.fn.name}: ${e.message}`);
      return json(res, 502, { Message: 'Internal Server Error' });
    } finally {
      this.inFlight -= 1;
    }
    this.respond(res, payload);
  }

  event(req, body) {
    const url = new URL(req.url, `https://${this.url.domain}`);
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
    const text = TEXT_TYPES.some((re) => re.test(headers['content-type'] ?? ''));
    const now = new Date();
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: url.pathname,
      rawQueryString: url.search.replace(/^\?/, ''),
      ...(cookies ? { cookies } : {}),
      headers,
      ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
      requestContext: {
        accountId: 'anonymous',
        apiId: this.url.urlId,
        domainName: this.url.domain,
        domainPrefix: this.url.urlId,
        http: { method: req.method.toUpperCase(), path: url.pathname, protocol: 'HTTP/1.1', sourceIp, userAgent: headers['user-agent'] ?? '' },
        requestId: randomBytes(16).toString('hex'),
        routeKey: '$default',
        stage: '$default',
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
      },
      isBase64Encoded: body.length > 0 && !text,
    };
    if (body.length > 0) event.body = text ? body.toString('utf8') : body.toString('base64');
    return event;
  }

  respond(res, payload) {
    let parsed;
    try {
      parsed = JSON.parse(payload);
    } catch {
      this.count('502 malformed response');
      return json(res, 502, { Message: 'Internal Server Error' });
    }
    if (!parsed || typeof parsed !== 'object' || parsed.statusCode === undefined) {
      this.count('200 (bare)');
      return json(res, 200, parsed);
    }
    const out = Object.entries(parsed.headers ?? {})
      .filter(([k]) => !['content-length', 'transfer-encoding', 'connection'].includes(k.toLowerCase()))
      .map(([k, v]) => [k, String(v)]);
    for (const c of parsed.cookies ?? []) out.push(['set-cookie', c]);
    out.push(['x-amzn-requestid', randomBytes(16).toString('hex')]);
    const bodyBuf = parsed.body === undefined || parsed.body === null ? Buffer.alloc(0) : parsed.isBase64Encoded ? Buffer.from(parsed.body, 'base64') : Buffer.from(String(parsed.body));
    out.push(['content-length', String(bodyBuf.length)]);
    this.count(`${parsed.statusCode}`);
    res.writeHead(parsed.statusCode, out.flat());
    res.end(bodyBuf);
  }
}
