// A client on the internet, for the rehearsal's API walks: this process's fetch reaches the
// stack's public host names through the rehearsal's front (trusting its CA) and everything else
// as usual; users sign in through the provider's login page with the authorization code flow and
// PKCE, as the page does, and call the API with the ID token.

import { connect as tlsConnect } from 'node:tls';
import { Agent, buildConnector, setGlobalDispatcher } from 'undici';
import { Browser, signIn } from '../../idp/test/browserless.mjs';

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

/** Signs a user in through the provider; returns their ID token and the token response. */
export async function signInAs(rehearsal, { email, password }) {
  const client = rehearsal.pool.clients[0];
  const redirectUri = (client.props.CallbackURLs ?? []).find((u) => u.endsWith('/auth/callback')) ?? client.props.CallbackURLs?.[0];
  const { tokens } = await signIn(new Browser(), { issuer: rehearsal.issuer, clientId: client.clientId, redirectUri, username: email, password });
  if (tokens.status !== 200) throw new Error(`${email}: the token request answered ${tokens.status}: ${JSON.stringify(tokens.body)}`);
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
