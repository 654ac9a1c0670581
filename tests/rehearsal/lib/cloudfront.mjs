// The rehearsal's CloudFront: one distribution of the template, serving its S3 origin (the
// bucket the template's deployment filled) or forwarding to a custom origin, through its cache
// behaviours — allowed methods, the viewer-request CloudFront Function run from the template's
// own code, the response headers policy (CSP, HSTS…) applied to every answer, the distribution's
// default root object and error responses. A key missing from an S3 origin reached through
// origin access control is a 403, as S3 answers without ListBucket.

import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import vm from 'node:vm';

// What `aws s3 sync` (Python's mimetypes), which the deployment runs, writes as Content-Type.
const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.map': 'application/json',
  '.xml': 'text/xml',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/vnd.microsoft.icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain',
  '.wasm': 'application/wasm',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/x-wav',
};

function globToRegExp(pattern) {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

export class Distribution {
  /**
   * `forward(host, req, res, uri, policyHeaders)`: how a custom origin is reached (the
   * rehearsal's front), the behaviour's response headers applied to what it answers.
   */
  constructor({ stack, distribution, forward, forwardUpgrade, log }) {
    this.stack = stack;
    this.domain = distribution.domain;
    this.config = distribution.config;
    this.forward = forward;
    this.forwardUpgrade = forwardUpgrade;
    this.log = log;
    this.origins = new Map((this.config.Origins ?? []).map((o) => [o.Id, o]));
    this.behaviors = [...(this.config.CacheBehaviors ?? []).map((b) => ({ ...b, re: globToRegExp(b.PathPattern) }))];
    this.defaultBehavior = this.config.DefaultCacheBehavior;
    this.functions = new Map();
    this.served = new Map();
  }

  behaviorFor(uri) {
    return this.behaviors.find((b) => b.re.test(uri)) ?? this.defaultBehavior;
  }

  compiled(arn) {
    if (!this.functions.has(arn)) {
      const fn = this.stack.cdn.functions.get(arn);
      if (!fn) throw new Error(`the distribution names CloudFront function ${arn}, which is not in the stack`);
      const context = vm.createContext({ console });
      vm.runInContext(`${fn.code}\n;globalThis.__handler = handler;`, context, { filename: fn.id });
      this.functions.set(arn, context.__handler);
    }
    return this.functions.get(arn);
  }

  async handle(req, res) {
    const url = new URL(req.url, `https://${this.domain}`);
    const behavior = this.behaviorFor(url.pathname);
    const policyHeaders = this.policyHeaders(behavior);
    const send = (status, headers, body) => {
      const h = { ...headers };
      for (const [k, v] of Object.entries(policyHeaders)) {
        if (v.override || h[k] === undefined) h[k] = v.value;
      }
      h['x-cache'] = 'Miss from cloudfront';
      h.via = `1.1 ${randomBytes(16).toString('hex')}.cloudfront.net (CloudFront)`;
      this.served.set(status, (this.served.get(status) ?? 0) + 1);
      res.writeHead(status, h);
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (!(behavior.AllowedMethods ?? ['GET', 'HEAD']).includes(req.method)) {
      return send(403, { 'content-type': 'text/html' }, '403 ERROR: This distribution is not configured to allow the HTTP request method that was used for this request.');
    }
    let request = {
      method: req.method,
      uri: url.pathname,
      querystring: Object.fromEntries([...url.searchParams].map(([k, v]) => [k, { value: v }])),
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, { value: String(v) }])),
      cookies: {},
    };
    for (const assoc of behavior.FunctionAssociations ?? []) {
      if (assoc.EventType !== 'viewer-request') continue;
      const handler = this.compiled(assoc.FunctionARN);
      const result = await handler({
        version: '1.0',
        context: { distributionDomainName: this.domain, distributionId: 'REHEARSAL', eventType: 'viewer-request', requestId: randomBytes(8).toString('hex') },
        viewer: { ip: '127.0.0.1' },
        request,
      });
      if (result && result.statusCode !== undefined) {
        const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, v.value]));
        return send(result.statusCode, headers, result.body?.data ?? result.body ?? '');
      }
      request = result;
    }
    const origin = this.origins.get(behavior.TargetOriginId);
    if (!origin) throw new Error(`behaviour targets origin ${behavior.TargetOriginId}, not in the distribution`);
    if (origin.S3OriginConfig) return this.fromBucket(origin, request, send);
    return this.forward(origin.DomainName, req, res, `${request.uri}${url.search}`, policyHeaders);
  }

  /**
   * A WebSocket upgrade (a GET): CloudFront passes it to the behaviour's custom origin with the
   * viewer's headers (Sec-WebSocket-* among them); an S3 origin cannot take one.
   */
  handleUpgrade(req, socket, head) {
    const url = new URL(req.url, `https://${this.domain}`);
    const behavior = this.behaviorFor(url.pathname);
    const origin = this.origins.get(behavior.TargetOriginId);
    const refuse = (status, text) => {
      this.served.set(status, (this.served.get(status) ?? 0) + 1);
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    };
    if (req.method !== 'GET' || !(behavior.AllowedMethods ?? ['GET', 'HEAD']).includes('GET')) return refuse(403, 'This distribution is not configured to allow the HTTP request method that was used for this request.');
    if (behavior.ViewerProtocolPolicy === 'https-only' && !req.socket.encrypted) return refuse(403, 'HTTPS only');
    if (!origin || origin.S3OriginConfig) return refuse(400, 'An S3 origin does not take a WebSocket connection.');
    this.served.set(101, (this.served.get(101) ?? 0) + 1);
    return this.forwardUpgrade(origin.DomainName, req, socket, head, `${(origin.OriginPath ?? '').replace(/\/$/, '')}${url.pathname}${url.search}`);
  }

  fromBucket(origin, request, send) {
    const bucketName = origin.DomainName.split('.s3.')[0];
    const bucket = this.stack.buckets.get(bucketName);
    if (!bucket) throw new Error(`origin ${origin.Id} is bucket ${bucketName}, not in the stack`);
    let key = decodeURIComponent(request.uri).replace(/^\/+/, '');
    if (key === '' && this.config.DefaultRootObject) key = this.config.DefaultRootObject;
    const path = normalize(join(bucket.root, (origin.OriginPath ?? '').replace(/^\//, ''), key));
    const found = path.startsWith(bucket.root) && existsSync(path) && statSync(path).isFile();
    if (!found) return this.errorResponse(403, send);
    const body = readFileSync(path);
    const meta = bucket.metadata.get(key) ?? {};
    const headers = {
      'content-type': TYPES[extname(key)] ?? 'binary/octet-stream',
      'content-length': String(body.length),
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      'last-modified': statSync(path).mtime.toUTCString(),
    };
    if (meta.cacheControl) headers['cache-control'] = meta.cacheControl;
    return send(200, headers, body);
  }

  errorResponse(status, send) {
    const custom = (this.config.CustomErrorResponses ?? []).find((e) => e.ErrorCode === status);
    if (custom?.ResponsePagePath) {
      return this.fromBucketPage(custom, send);
    }
    return send(status, { 'content-type': 'application/xml' }, '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
  }

  fromBucketPage(custom, send) {
    const origin = this.origins.get(this.defaultBehavior.TargetOriginId);
    const bucket = this.stack.buckets.get(origin.DomainName.split('.s3.')[0]);
    const path = join(bucket.root, custom.ResponsePagePath.replace(/^\//, ''));
    return send(Number(custom.ResponseCode ?? 200), { 'content-type': TYPES[extname(path)] ?? 'binary/octet-stream' }, readFileSync(path));
  }

  /** The behaviour's response headers policy as `{header: {value, override}}`. */
  policyHeaders(behavior) {
    const id = behavior.ResponseHeadersPolicyId;
    if (!id) return {};
    const p = this.stack.cdn.headerPolicies.get(id);
    if (!p) throw new Error(`response headers policy ${id} is not in the stack`);
    const out = {};
    const s = p.SecurityHeadersConfig ?? {};
    if (s.ContentSecurityPolicy) out['content-security-policy'] = { value: s.ContentSecurityPolicy.ContentSecurityPolicy, override: s.ContentSecurityPolicy.Override };
    if (s.ContentTypeOptions) out['x-content-type-options'] = { value: 'nosniff', override: s.ContentTypeOptions.Override };
    if (s.FrameOptions) out['x-frame-options'] = { value: s.FrameOptions.FrameOption, override: s.FrameOptions.Override };
    if (s.ReferrerPolicy) out['referrer-policy'] = { value: s.ReferrerPolicy.ReferrerPolicy, override: s.ReferrerPolicy.Override };
    if (s.StrictTransportSecurity) {
      const h = s.StrictTransportSecurity;
      out['strict-transport-security'] = {
        value: [`max-age=${h.AccessControlMaxAgeSec}`, h.IncludeSubdomains ? 'includeSubDomains' : null, h.Preload ? 'preload' : null].filter(Boolean).join('; '),
        override: h.Override,
      };
    }
    if (s.XSSProtection) {
      const x = s.XSSProtection;
      out['x-xss-protection'] = { value: x.Protection ? `1${x.ModeBlock ? '; mode=block' : ''}` : '0', override: x.Override };
    }
    for (const item of p.CustomHeadersConfig?.Items ?? []) out[item.Header.toLowerCase()] = { value: item.Value, override: item.Override };
    return out;
  }
}
