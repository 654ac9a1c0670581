// A browser without a browser: fetch with a cookie jar and manual redirects, enough to walk the
// provider's authorization code flow with PKCE as a page would, and to check its ID tokens.
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { createServer } from 'node:http';

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** Serves the provider on a free loopback port: the issuer under `path`, logout at `/logout`. */
export async function serve(makeIdp, path = '/ap-northeast-1_TestPool') {
  let idp;
  const server = createServer((req, res) => {
    const handler = new URL(req.url, 'http://x').pathname === '/logout' ? idp.logoutHandler : idp.issuerHandler;
    handler(req, res).catch((e) => {
      res.writeHead(500).end(String(e));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  idp = await makeIdp(`${origin}${path}`);
  return {
    origin,
    issuer: `${origin}${path}`,
    idp,
    async close() {
      await idp.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A cookie-keeping client that follows no redirect by itself. */
export class Browser {
  cookies = new Map();

  async fetch(url, init = {}) {
    const headers = new Headers(init.headers);
    const jar = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (jar) headers.set('cookie', jar);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** Follows redirects until one leaves for `stopAt` (returned as a URL) or a page is shown. */
  async follow(url, stopAt) {
    let next = url;
    for (let hops = 0; hops < 10; hops++) {
      if (stopAt && next.startsWith(stopAt)) return { url: new URL(next) };
      const res = await this.fetch(next);
      if (res.status >= 300 && res.status < 400) {
        next = new URL(res.headers.get('location'), next).href;
        continue;
      }
      return { res, url: new URL(next), body: await res.text() };
    }
    throw new Error('too many redirects');
  }

  /** Posts a form and follows where it leads. */
  async submit(action, base, fields, stopAt) {
    const res = await this.fetch(new URL(action, base).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    if (res.status >= 300 && res.status < 400) return this.follow(new URL(res.headers.get('location'), base).href, stopAt);
    return { res, url: new URL(action, base), body: await res.text() };
  }
}

/** PKCE: a verifier and its S256 challenge. */
export function pkce() {
  const verifier = b64url(randomBytes(32));
  return { verifier, challenge: b64url(createHash('sha256').update(verifier).digest()) };
}

/** The `action` of the page's (only) form. */
export function formAction(html) {
  const m = /<form[^>]*action="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no form in the page:\n${html.slice(0, 500)}`);
  return m[1].replace(/&amp;/g, '&');
}

/** Starts a sign-in: the authorization request, answered with the login page. */
export async function startSignIn(browser, { issuer, clientId, redirectUri, challenge, scope = 'openid email profile', state = 'st' }) {
  const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  const auth = new URL(discovery.authorization_endpoint);
  const params = { client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope, state, nonce: 'n-1' };
  if (challenge) Object.assign(params, { code_challenge: challenge, code_challenge_method: 'S256' });
  auth.search = new URLSearchParams(params).toString();
  return { discovery, page: await browser.follow(auth.href, redirectUri) };
}

/** Signs in end to end; returns the token response and the discovery document. */
export async function signIn(browser, { issuer, clientId, redirectUri, username, password }) {
  const { verifier, challenge } = pkce();
  const { discovery, page } = await startSignIn(browser, { issuer, clientId, redirectUri, challenge });
  const done = page.body ? await browser.submit(formAction(page.body), page.url, { username, password }, redirectUri) : page;
  if (!done.url.href.startsWith(redirectUri)) throw new Error(`the sign-in stopped at ${done.url}: ${done.body?.slice(0, 400)}`);
  const code = done.url.searchParams.get('code');
  const tokens = await tokenRequest(discovery, { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId, redirect_uri: redirectUri });
  return { discovery, tokens, callback: done.url };
}

/** A request to the token endpoint (as the page sends it: a form, no client secret). */
export async function tokenRequest(discovery, fields) {
  const res = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, body: await res.json() };
}

/** Checks a JWT's RS256 signature against the issuer's JWKS and returns its claims. */
export async function verifiedClaims(discovery, jwt) {
  const [h, p, s] = jwt.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const { keys } = await (await fetch(discovery.jwks_uri)).json();
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new Error(`no key ${header.kid} in the JWKS`);
  if (header.alg !== 'RS256') throw new Error(`unexpected alg ${header.alg}`);
  const ok = verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(s, 'base64url'));
  if (!ok) throw new Error('the signature does not verify');
  return JSON.parse(Buffer.from(p, 'base64url'));
}
