//! Who is signed in, and how the sign-in stays alive through a shift. Two ways in, picked by
//! `config.json`'s `auth.kind`:
//! - `dev` (the local runtime): a seeded user is picked on the sign-in page; the token and user
//!   are kept in sessionStorage (this tab, survives a reload).
//! - `cognito`: Cognito's managed login through oidc-client-ts (loaded on demand, so the dev page
//!   never downloads it): authorization code with PKCE, the callback at `/auth/callback` (back to
//!   the page the user was on), tokens in oidc-client-ts's sessionStorage store, the **ID token**
//!   as the API's bearer (it carries `name`, `email` and `cognito:groups`), renewed with the
//!   refresh token before it expires, sign-out through Cognito's `/logout`.
//!
//! Nothing here signs an operator out silently during a call: a failed renewal or a refused token
//! while a call is up only raises {@link authProblem}, which the page shows as a banner with a
//! sign-in-again button (a popup, so the call goes on). No bearer token is ever put in
//! localStorage.

import { computed, signal } from '@preact/signals';
import type { User as OidcUser, UserManager } from 'oidc-client-ts';
import type { AuthConfig } from './config';
import { navigate } from './router';
import { activeCall } from './state/call/current';

export type Role = 'operator' | 'supervisor' | 'admin';

/** The signed-in user as the page shows them. */
export interface User {
  id: string;
  name: string;
  role: Role;
}

/** A token and the user it was issued for. */
export interface Session {
  token: string;
  user: User;
  /** Milliseconds since the epoch, from the token's `exp` claim. */
  expiresAt: number | null;
}

/** Why the last session ended, as an i18n key the sign-in page shows. */
export type SignOutReason = 'expired' | 'signed_out';

/** Trouble with a sign-in that is still in use: shown as a banner, never a silent sign-out. */
export type AuthProblem = 'renewal_failed' | 'expired';

/** The path Cognito sends the browser back to (`auth.redirectUri`). */
export const CALLBACK_PATH = '/auth/callback';

const DEV_KEY = 'console.session';
/** Set just before leaving for Cognito's logout, read once when the browser comes back. */
const SIGNED_OUT_KEY = 'console.signedOut';
/** The sign-in popup's window name. */
const POPUP_NAME = 'console-signin';
const ROLES: readonly Role[] = ['operator', 'supervisor', 'admin'];
const RANK: Record<Role, number> = { operator: 0, supervisor: 1, admin: 2 };

/** The current session, or `null` when nobody is signed in. */
export const session = signal<Session | null>(null);
/** Why the previous session ended (shown once on the sign-in page). */
export const signOutReason = signal<SignOutReason | null>(null);
/** The signed-in user. */
export const currentUser = computed(() => session.value?.user ?? null);
/** A renewal that failed, or a token the API refused while it could not be replaced. */
export const authProblem = signal<AuthProblem | null>(null);
/** Someone signed in at Cognito whose token names no console group. */
export const refusedUser = signal<{ name: string } | null>(null);
/**
 * The signed-in user must register an authenticator app before their supervisor or admin role is
 * given (the user pool's role guard withheld it: `console:mfa = setup` in the ID token); what the
 * registration needs: the user pool's API endpoint and the access token that may call it.
 */
export const mfaSetup = signal<{ endpoint: string; accessToken: string; account: string } | null>(null);

/** The claim and value the user pool's role guard (functions/role-guard) sets. */
const MFA_CLAIM = 'console:mfa';
/** Why the sign-in at Cognito could not finish (the callback's error), for the sign-in page. */
export const authError = signal<string | null>(null);
/** Whether {@link startAuth} has finished (the stored session or the callback is read). */
export const authReady = signal(false);

/** A refused token is renewed at once, but not again within this long (the API may refuse the new one too). */
const RENEW_ON_REFUSAL_EVERY_MS = 30_000;

let auth: AuthConfig | null = null;
let manager: UserManager | null = null;
let renewing: Promise<void> | null = null;
let renewedOnRefusalAt = 0;

/** The claims of a JWT's payload (the signature is the API's business, not the page's). */
function claimsOf(token: string): Record<string, unknown> | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const bytes = Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Reads the `exp` claim of a JWT. */
export function tokenExpiry(token: string): number | null {
  const exp = claimsOf(token)?.exp;
  return typeof exp === 'number' ? exp * 1000 : null;
}

/**
 * The highest console role among Cognito groups, read exactly: an element equal to `operator`,
 * `supervisor` or `admin` (a group named `sales,admin` is not `admin`).
 */
export function roleOf(groups: unknown): Role | null {
  const list = Array.isArray(groups) ? groups : typeof groups === 'string' ? [groups] : [];
  let best: Role | null = null;
  for (const g of list) {
    const role = ROLES.find((r) => r === g);
    if (role && (!best || RANK[role] > RANK[best])) best = role;
  }
  return best;
}

const callIsUp = () => activeCall.peek() !== null;

/** Whether this window is the sign-in popup of a console page (which finishes the sign-in). */
function isSignInPopup(): boolean {
  try {
    const opener = window.opener as Window | null;
    return !!opener && opener !== window && opener.location.origin === location.origin;
  } catch {
    return false;
  }
}

// ---- dev sign-in -------------------------------------------------------------------------

function loadDev(): Session | null {
  try {
    const raw = sessionStorage.getItem(DEV_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (!s.token || !s.user?.id) return null;
    if (s.expiresAt !== null && s.expiresAt <= Date.now()) return null;
    return s;
  } catch {
    return null;
  }
}

/** Stores a new dev session. */
export function signIn(token: string, user: User): void {
  const s: Session = { token, user, expiresAt: tokenExpiry(token) };
  sessionStorage.setItem(DEV_KEY, JSON.stringify(s));
  signOutReason.value = null;
  authProblem.value = null;
  session.value = s;
}

// ---- Cognito ------------------------------------------------------------------------------

type CognitoConfig = Extract<AuthConfig, { kind: 'cognito' }>;

async function createManager(c: CognitoConfig): Promise<UserManager> {
  const { UserManager, WebStorageStateStore } = await import('oidc-client-ts');
  const store = new WebStorageStateStore({ store: sessionStorage });
  return new UserManager({
    authority: c.authority,
    client_id: c.clientId,
    redirect_uri: c.redirectUri,
    scope: c.scope,
    response_type: 'code',
    userStore: store,
    stateStore: store,
    // Cognito publishes no end_session_endpoint: its hosted-UI logout takes that place.
    metadataSeed: { end_session_endpoint: c.logoutEndpoint },
    automaticSilentRenew: true,
    loadUserInfo: false,
    monitorSession: false,
    popupWindowTarget: POPUP_NAME,
  });
}

/** Makes an oidc-client-ts user the page's session (or a refusal when it has no console group). */
function adopt(u: OidcUser): void {
  const p = u.profile as Record<string, unknown>;
  const text = (k: string) => {
    const v = p[k];
    return typeof v === 'string' && v !== '' ? v : null;
  };
  const name = text('name') ?? text('cognito:username') ?? text('email') ?? u.profile.sub;
  const role = roleOf(p['cognito:groups']);
  authProblem.value = null;
  authError.value = null;
  signOutReason.value = null;
  mfaSetup.value =
    p[MFA_CLAIM] === 'setup' && auth?.kind === 'cognito'
      ? { endpoint: new URL(auth.authority).origin, accessToken: u.access_token, account: text('email') ?? name }
      : null;
  if (!role) {
    manager?.stopSilentRenew();
    session.value = null;
    refusedUser.value = { name };
    return;
  }
  refusedUser.value = null;
  const token = u.id_token ?? '';
  session.value = { token, user: { id: u.profile.sub, name, role }, expiresAt: tokenExpiry(token) };
}

/** Ends the session in this tab only (Cognito's session stays). */
async function endHere(reason: SignOutReason): Promise<void> {
  await manager?.removeUser();
  session.value = null;
  refusedUser.value = null;
  signOutReason.value = reason;
}

/**
 * Replaces the tokens with the refresh token now. When that is refused the session ends — unless
 * a call is up, when the banner asks for a new sign-in instead.
 */
function renewOrEnd(): Promise<void> {
  renewing ??= (async () => {
    try {
      const u = await manager?.signinSilent();
      if (!u) throw new Error('no session to renew');
    } catch {
      if (callIsUp()) authProblem.value = 'renewal_failed';
      else await endHere('expired');
    } finally {
      renewing = null;
    }
  })();
  return renewing;
}

async function startCognito(c: CognitoConfig): Promise<void> {
  const m = await createManager(c);
  manager = m;
  m.events.addUserLoaded(adopt);
  m.events.addSilentRenewError(() => {
    authProblem.value = 'renewal_failed';
  });
  if (location.pathname === CALLBACK_PATH) {
    if (isSignInPopup()) {
      // The sign-in popup: the page that opened it finishes the sign-in.
      await m.signinPopupCallback(location.href);
      return;
    }
    try {
      const u = await m.signinCallback(location.href);
      const back = (u?.state as { returnTo?: unknown } | undefined)?.returnTo;
      navigate(typeof back === 'string' && back.startsWith('/') && !back.startsWith('//') ? back : '/', true);
    } catch (e) {
      authError.value = e instanceof Error ? e.message : String(e);
      navigate('/sign-in', true);
    }
    return;
  }
  if (sessionStorage.getItem(SIGNED_OUT_KEY)) {
    sessionStorage.removeItem(SIGNED_OUT_KEY);
    signOutReason.value = 'signed_out';
  }
  const u = await m.getUser();
  if (!u) return;
  if (!u.expired) adopt(u);
  else if (u.refresh_token) await renewOrEnd();
  else await endHere('expired');
}

/** Reads how users sign in and restores the session of this tab (or finishes a Cognito callback). */
export async function startAuth(config: AuthConfig): Promise<void> {
  auth = config;
  // A session kept by an earlier version of the page in localStorage is not kept any more.
  localStorage.removeItem(DEV_KEY);
  try {
    if (config.kind === 'dev') session.value = loadDev();
    else await startCognito(config);
  } finally {
    authReady.value = true;
  }
}

/**
 * Signs in again after registering an authenticator: a new sign-in at Cognito (not the session it
 * keeps), so the code is asked and the tokens carry the role.
 */
export async function signInWithAuthenticator(): Promise<void> {
  if (!manager) return;
  const here = location.pathname + location.search;
  await manager.removeUser();
  await manager.signinRedirect({ prompt: 'login', state: { returnTo: here.startsWith(CALLBACK_PATH) ? '/' : here } });
}

/** Leaves for Cognito's managed login; the callback comes back to the page the user is on. */
export async function beginSignIn(): Promise<void> {
  if (!manager) return;
  const here = location.pathname + location.search;
  const returnTo = here.startsWith(CALLBACK_PATH) || here.startsWith('/sign-in') ? '/' : here;
  await manager.signinRedirect({ state: { returnTo } });
}

/**
 * The banner's sign-in-again: at Cognito, a popup (the page and the call stay); without a call,
 * or when the popup cannot open, the whole page goes to the sign-in. Locally, the sign-in page.
 */
export async function signInAgain(): Promise<void> {
  if (auth?.kind !== 'cognito' || !manager) {
    signOut('expired');
    return;
  }
  try {
    await manager.signinPopup();
  } catch (e) {
    if (callIsUp()) throw e;
    await beginSignIn();
  }
}

/**
 * Signs out. Locally the session is forgotten; at Cognito the tokens are dropped and the browser
 * goes through Cognito's `/logout` (which ends Cognito's own session) back to `logoutUri`.
 */
export function signOut(reason: SignOutReason = 'signed_out'): void {
  authProblem.value = null;
  if (auth?.kind === 'cognito' && manager) {
    const { clientId, logoutUri } = auth;
    const m = manager;
    sessionStorage.setItem(SIGNED_OUT_KEY, '1');
    // The user goes first, so that no token travels in the logout URL (`id_token_hint`).
    void m
      .removeUser()
      .then(() => m.signoutRedirect({ extraQueryParams: { client_id: clientId, logout_uri: logoutUri } }))
      .catch(() => endHere(reason));
    return;
  }
  sessionStorage.removeItem(DEV_KEY);
  signOutReason.value = reason;
  session.value = null;
}

/**
 * The API refused the token (401). At Cognito the token is renewed once (an ID token may expire
 * before the access token the renewal is timed on); a refusal soon after a renewal, or a token
 * that cannot be renewed, ends the session — except during a call, when the screen stays and the
 * banner asks for a new sign-in. The dev sign-in cannot renew: it ends, or waits for the call.
 */
export function unauthorized(): void {
  if (!session.peek()) return;
  if (auth?.kind === 'cognito' && Date.now() - renewedOnRefusalAt > RENEW_ON_REFUSAL_EVERY_MS) {
    renewedOnRefusalAt = Date.now();
    void renewOrEnd();
    return;
  }
  if (renewing) return;
  if (callIsUp()) {
    if (!authProblem.peek()) authProblem.value = 'expired';
    return;
  }
  if (auth?.kind === 'cognito') void endHere('expired');
  else signOut('expired');
}

/** The bearer token for API calls (Cognito: the ID token), or `null` when nobody is signed in. */
export function currentToken(): string | null {
  const s = session.peek();
  if (!s) return null;
  if (auth?.kind !== 'cognito' && s.expiresAt !== null && s.expiresAt <= Date.now() && !callIsUp()) {
    signOut('expired');
    return null;
  }
  return s.token;
}

/** Whether the signed-in user has at least `role`. */
export function hasRole(role: Role): boolean {
  const u = session.value?.user;
  return !!u && RANK[u.role] >= RANK[role];
}
