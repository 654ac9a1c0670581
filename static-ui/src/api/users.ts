//! The `users` resource (admins only): the users of the user pool with their role and sign-in
//! state, invitations, role changes, and disabling or enabling a user.

import { get, post, put } from './client';

export type Role = 'operator' | 'supervisor' | 'admin';

/** The roles an admin can give, lowest first. */
export const ROLES: readonly Role[] = ['operator', 'supervisor', 'admin'];

export interface DirectoryUser {
  /** The operator id (Cognito's `sub` when deployed). */
  id: string;
  email: string;
  name: string;
  /** The console role; `null` for a user in no console group (they cannot use the console). */
  role: Role | null;
  /** false: the user cannot sign in, gets no Voice token and is out of call routing. */
  enabled: boolean;
  /** Cognito's UserStatus: `FORCE_CHANGE_PASSWORD` until the first sign-in, then `CONFIRMED`. */
  status: string;
  created_at: string;
}

export interface UserPage {
  users: DirectoryUser[];
  /** The cursor of the next page; absent on the last page. */
  next_cursor?: string;
}

export interface Invitation {
  email: string;
  name: string;
  role: Role;
}

/** One page of users (60 at most). */
export const listUsers = (cursor?: string) => get<UserPage>('/api/users', cursor ? { cursor } : undefined);

/** Invites a user: 201 with the user; 422 names the field to fix; 409 when the address is taken. */
export const inviteUser = (invitation: Invitation) => post<DirectoryUser>('/api/users', invitation);

/** Changes a role (taking effect at the user's next sign-in), or disables or enables the user. */
export const updateUser = (id: string, change: { role?: Role; enabled?: boolean }) =>
  put<DirectoryUser>(`/api/users/${encodeURIComponent(id)}`, change);
