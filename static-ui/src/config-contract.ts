//! The contract of the page's `/config.json`: its one shape, checked strictly. The page reads it
//! at boot (config.ts), the local runtime answers it (local/src/lib.rs `page_config`), and the
//! CDK stack writes it when deploying (infra imports this very file). This module imports
//! nothing, so the page, the infra and tests can all load it as it is.
//!
//! A bad file is refused with an Error naming the key path to fix, e.g.
//! `config.json: auth.clientId is missing` or `config.json: unknown key 'userPoolId'`.

/** How operators sign in. */
export type AuthConfig =
  /** The local runtime's dev sign-in (pick a seeded user). */
  | { kind: 'dev' }
  /** Cognito's managed login: OIDC authorization code with PKCE. */
  | {
      kind: 'cognito';
      /** The OIDC issuer; discovery at `${authority}/.well-known/openid-configuration`
       *  (Cognito: `https://cognito-idp.<region>.amazonaws.com/<pool id>`). */
      authority: string;
      clientId: string;
      /** `<page origin>/auth/callback`. */
      redirectUri: string;
      /** Where the browser lands after sign-out (`<page origin>/`). */
      logoutUri: string;
      /** Cognito's `https://<domain>/logout` (Cognito publishes no end_session_endpoint). */
      logoutEndpoint: string;
      /** e.g. `openid email profile`. */
      scope: string;
    };

/** Which softphone the page runs. */
export type PhoneConfig =
  /** The local runtime's simulated phone; `url` is the simulator's WebSocket base (default: the API's origin). */
  | { kind: 'simulator'; url?: string }
  /** The Twilio Voice SDK on an edge, e.g. `tokyo`. */
  | { kind: 'twilio'; edge: string };

/** What `/config.json` says. */
export interface PageConfig {
  /** Base URL of the API; '' = the page's own origin (local runtime). Otherwise https:// (http:// only for 127.0.0.1/localhost). */
  apiUrl: string;
  auth: AuthConfig;
  phone: PhoneConfig;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

class Reader {
  constructor(
    private readonly value: Record<string, unknown>,
    private readonly path: string,
  ) {}

  private name(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  /** Refuses any key not in `allowed`. */
  only(allowed: readonly string[]): void {
    for (const key of Object.keys(this.value)) {
      if (!allowed.includes(key)) fail(`unknown key '${this.name(key)}'`);
    }
  }

  has(key: string): boolean {
    return this.value[key] !== undefined;
  }

  string(key: string, { empty = false } = {}): string {
    const v = this.value[key];
    if (v === undefined || v === null) fail(`${this.name(key)} is missing`);
    if (typeof v !== 'string') fail(`${this.name(key)} must be a string`);
    if (!empty && v.trim() === '') fail(`${this.name(key)} must not be empty`);
    return v;
  }

  /** An absolute URL with one of `schemes`; plain `http`/`ws` only for a loopback host. */
  url(key: string, schemes: readonly ('https' | 'wss')[]): string {
    const v = this.string(key);
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      return fail(`${this.name(key)} must be an absolute URL, not '${v}'`);
    }
    const scheme = u.protocol.slice(0, -1);
    const plain: string[] = schemes.map((s) => (s === 'https' ? 'http' : 'ws'));
    const ok = (schemes as readonly string[]).includes(scheme) || (plain.includes(scheme) && LOOPBACK.has(u.hostname));
    if (!ok) fail(`${this.name(key)} must be ${schemes.map((s) => `${s}://`).join(' or ')} (${plain.map((s) => `${s}://`).join(' or ')} only for 127.0.0.1 or localhost), not '${v}'`);
    if (u.search || u.hash) fail(`${this.name(key)} must have no query or fragment`);
    return v;
  }

  object(key: string): Reader {
    const v = this.value[key];
    if (v === undefined || v === null) fail(`${this.name(key)} is missing`);
    if (typeof v !== 'object' || Array.isArray(v)) fail(`${this.name(key)} must be an object`);
    return new Reader(v as Record<string, unknown>, this.name(key));
  }

  kind<K extends string>(allowed: readonly K[]): K {
    const v = this.string('kind');
    if (!(allowed as readonly string[]).includes(v)) fail(`${this.name('kind')} must be ${allowed.map((k) => `'${k}'`).join(' or ')}, not '${v}'`);
    return v as K;
  }
}

function fail(problem: string): never {
  throw new Error(`config.json: ${problem}`);
}

function auth(r: Reader): AuthConfig {
  const kind = r.kind(['dev', 'cognito'] as const);
  if (kind === 'dev') {
    r.only(['kind']);
    return { kind };
  }
  r.only(['kind', 'authority', 'clientId', 'redirectUri', 'logoutUri', 'logoutEndpoint', 'scope']);
  const authority = r.url('authority', ['https']).replace(/\/+$/, '');
  const clientId = r.string('clientId');
  const redirectUri = r.url('redirectUri', ['https']);
  if (new URL(redirectUri).pathname !== '/auth/callback') fail(`auth.redirectUri must be the page's /auth/callback, not '${redirectUri}'`);
  const logoutUri = r.url('logoutUri', ['https']);
  const logoutEndpoint = r.url('logoutEndpoint', ['https']);
  const scope = r.string('scope');
  if (!scope.split(/\s+/).includes('openid')) fail(`auth.scope must include 'openid', not '${scope}'`);
  return { kind, authority, clientId, redirectUri, logoutUri, logoutEndpoint, scope };
}

function phone(r: Reader): PhoneConfig {
  const kind = r.kind(['simulator', 'twilio'] as const);
  if (kind === 'simulator') {
    r.only(['kind', 'url']);
    return r.has('url') ? { kind, url: r.url('url', ['wss', 'https']) } : { kind };
  }
  r.only(['kind', 'edge']);
  const edge = r.string('edge');
  if (!/^[a-z][a-z0-9-]*$/.test(edge)) fail(`phone.edge must be a Twilio edge name such as 'tokyo', not '${edge}'`);
  return { kind, edge };
}

/** Checks `/config.json` as parsed JSON and returns it typed; throws naming the key to fix. */
export function parsePageConfig(raw: unknown): PageConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('the file must hold a JSON object');
  const r = new Reader(raw as Record<string, unknown>, '');
  r.only(['apiUrl', 'auth', 'phone']);
  const apiUrl = r.string('apiUrl', { empty: true }) === '' ? '' : r.url('apiUrl', ['https']).replace(/\/+$/, '');
  return { apiUrl, auth: auth(r.object('auth')), phone: phone(r.object('phone')) };
}
