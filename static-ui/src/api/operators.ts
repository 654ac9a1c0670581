//! The `operators` resource: my presence, and everyone's (for the transfer dialog).

import { get, put } from './client';
import type { components } from './schema.gen';

/** An operator with their presence (`available`, `away`, `wrap_up`, `break`, `offline`, `on_call` or an admin-defined id). */
export type Operator = components['schemas']['Operator'];
type StatusChange = components['schemas']['StatusChange'];

export const listOperators = () => get<Operator[]>('/api/operators');
export const me = () => get<Operator>('/api/operators/me');
/** Changes my presence; 409 while a call rings or is connected, 422 for `on_call` or an unknown id. */
export const setStatus = (status: string) =>
  put<Operator>('/api/operators/me/status', { status } satisfies StatusChange);
