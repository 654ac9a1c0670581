//! Who is signed in: the token store. The session (token and user) lives in localStorage so a
//! reload keeps it; it ends on sign-out, when the token expires, or when the API answers 401.

import { computed, signal } from '@preact/signals';

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

const STORAGE_KEY = 'console.session';
const RANK: Record<Role, number> = { operator: 0, supervisor: 1, admin: 2 };

/** Reads the `exp` claim of a JWT (the signature is the API's business, not the page's). */
export function tokenExpiry(token: string): number | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}

function load(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (!s.token || !s.user?.id) return null;
    if (s.expiresAt !== null && s.expiresAt <= Date.now()) return null;
    return s;
  } catch {
    return null;
  }
}

/** The current session, or `null` when nobody is signed in. */
export const session = signal<Session | null>(load());
/** Why the previous session ended (shown once on the sign-in page). */
export const signOutReason = signal<SignOutReason | null>(null);
/** The signed-in user. */
export const currentUser = computed(() => session.value?.user ?? null);

/** Stores a new session. */
export function signIn(token: string, user: User): void {
  const s: Session = { token, user, expiresAt: tokenExpiry(token) };
  localStorage.setItem(STORAGE_KEY, JSON.stringify(s));
  signOutReason.value = null;
  session.value = s;
}

/** Ends the session. */
export function signOut(reason: SignOutReason = 'signed_out'): void {
  localStorage.removeItem(STORAGE_KEY);
  signOutReason.value = reason;
  session.value = null;
}

/** The bearer token for API calls, or `null` (and the session ended) when it has expired. */
export function currentToken(): string | null {
  const s = session.peek();
  if (!s) return null;
  if (s.expiresAt !== null && s.expiresAt <= Date.now()) {
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
