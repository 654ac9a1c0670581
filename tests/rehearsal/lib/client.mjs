// A client on the internet, for the rehearsal's API walks: this process's fetch reaches the
// stack's public host names through the rehearsal's front (trusting its CA) and everything else
// as usual; users sign in through the provider's login page with the authorization code flow and
// PKCE, as the page does, and call the API with the ID token.

import { connect as tlsConnect } from 'node:tls';
import { Agent, buildConnector, setGlobalDispatcher } from 'undici';
import { Secret, TOTP } from 'otpauth';
import { Browser, formAction, pkce, startSignIn, tokenRequest } from '../../idp/test/browserless.mjs';

/**
 * What an authenticator app shows for a registered secret (TOTP, 30 s, 6 digits, SHA-1), read
 * as a person would: not in the last seconds of its window (the pool checks the current window
 * only, so a code typed as it turns over is refused), but once the next one shows.
 */
export async function authenticatorCode(secret) {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < 4000) await new Promise((r) => setTimeout(r, left + 200));
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate();
}

/** Routes this process's fetch for `hosts` to the front on `port`, trusting `ca`. */
export function reachStackThroughFront({ hosts, port, ca }) {
  const names = new Set(hosts.map((h) => h.toLowerCase()));
  const direct = buildConnector({});
  setGlobalDispatcher(
    new Agent({
      connect(opts, callback) {
        if (!names.has(String(opts.hostname).toLowerCase())) return direct(opts, callback);
        const socket = tlsConnect({ host: '127.0.0.1', port, servername: opts.hostname, ca, ALPNProtocols: ['http/1.1'] });
        socket.once('secureConnect', () => callback(null, socket));
        socket.once('error', (e) => callback(e, null));
        return socket;
      },
    }),
  );
}

/**
 * Signs a user in through the provider's login page (the authenticator's code too, for a user who
 * registered one: `person.totpSecret`); returns their ID token and the token response.
 */
export async function signInAs(rehearsal, person) {
  const client = rehearsal.pool.clients[0];
  const redirectUri = (client.props.CallbackURLs ?? []).find((u) => u.endsWith('/auth/callback')) ?? client.props.CallbackURLs?.[0];
  const browser = new Browser();
  const { verifier, challenge } = pkce();
  const scope = client.props.AllowedOAuthScopes?.join(' ') ?? 'openid email profile';
  const { discovery, page } = await startSignIn(browser, { issuer: rehearsal.issuer, clientId: client.clientId, redirectUri, challenge, scope });
  let done = await browser.submit(formAction(page.body), page.url, { username: person.email, password: person.password }, redirectUri);
  if (done.body && /name="code"/.test(done.body)) {
    if (!person.totpSecret) throw new Error(`${person.email}: the provider asks for an authenticator code, and the cast has none`);
    done = await browser.submit(formAction(done.body), done.url, { code: await authenticatorCode(person.totpSecret) }, redirectUri);
  }
  const code = done.url.searchParams.get('code');
  if (!code) {
    const said = /id="login-error">([^<]*)</.exec(done.body ?? '')?.[1];
    throw new Error(`${person.email}: the sign-in stopped at ${done.url}: ${said ?? done.body?.slice(0, 400)}`);
  }
  const tokens = await tokenRequest(discovery, { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: client.clientId, redirect_uri: redirectUri });
  if (tokens.status !== 200) throw new Error(`${person.email}: the token request answered ${tokens.status}: ${JSON.stringify(tokens.body)}`);
  return { idToken: tokens.body.id_token, tokens: tokens.body };
}

/** Calls the API at its public URL; returns status and parsed body. */
export async function api(rehearsal, token, method, path, body, headers = {}) {
  const res = await fetch(`${rehearsal.apiUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Calls the simulator's own API (plain HTTP on loopback). */
export async function sim(rehearsal, method, path, body) {
  const res = await fetch(`${rehearsal.sim.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
