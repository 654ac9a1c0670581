//! The local runtime's dev sign-in (stands in for Cognito on one machine).

import { request } from './client';
import type { DevUser } from './types';

export const users = () => request<DevUser[]>('GET', '/api/dev/users', { auth: false });

export const signIn = (userId: string) =>
  request<{ token: string; user: DevUser }>('POST', '/api/dev/sign-in', { body: { user_id: userId }, auth: false });
