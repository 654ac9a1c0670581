//! The `users` resource (admins only): the users of the user pool with their role and sign-in
//! state, invitations, role changes, and disabling or enabling a user.

import { get, post, put } from './client';
import type { components } from './schema.gen';

type Schemas = components['schemas'];

export type Role = Schemas['Role'];

/** The roles an admin can give, lowest first. */
export const ROLES: readonly Role[] = ['operator', 'supervisor', 'admin'];

/**
 * A user of the pool: `role` is `null` for a user in no console group (they cannot use the
 * console); `enabled` false: the user cannot sign in, gets no Voice token and is out of call routing.
 */
export type DirectoryUser = Schemas['DirectoryUser'];

/** One page of users; `next_cursor` is absent on the last page. */
export type UserPage = Schemas['UserPage'];

type NewUser = Schemas['NewUser'];

/**
 * An invitation as the admin page sends it: every field of the API's `NewUser` (which takes each
 * as optional only to name the missing one in its 422), filled in, the role one of {@link ROLES}.
 */
export type Invitation = { [K in keyof NewUser]-?: NonNullable<NewUser[K]> } & { role: Role };

/** A role change, or disabling or enabling a user (`UserUpdate`, the role one of {@link ROLES}). */
export type UserChange = Schemas['UserUpdate'] & { role?: Role };

/** One page of users (60 at most). */
export const listUsers = (cursor?: string) => get<UserPage>('/api/users', cursor ? { cursor } : undefined);

/** Invites a user: 201 with the user; 422 names the field to fix; 409 when the address is taken. */
export const inviteUser = (invitation: Invitation) => post<DirectoryUser>('/api/users', invitation);

/** Changes a role (taking effect at the user's next sign-in), or disables or enables the user. */
export const updateUser = (id: string, change: UserChange) =>
  put<DirectoryUser>(`/api/users/${encodeURIComponent(id)}`, change);

/** Every operator's skills (the queues they take), by operator id: only those an admin set. */
export const listSkills = () => get<Schemas['SkillsList']>('/api/users/skills');

/** Sets the queues a user takes (an empty list: every queue); 422 names a queue the centre does not have. */
export const setSkills = (id: string, queues: string[]) =>
  put<Schemas['Skills']>(`/api/users/${encodeURIComponent(id)}/skills`, { queues });
