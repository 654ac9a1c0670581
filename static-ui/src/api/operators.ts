//! The `operators` resource: my presence, and everyone's (for the transfer dialog).

import { get, request } from './client';
import type { components } from './schema.gen';

/** An operator with their presence (`available`, `away`, `wrap_up`, `break`, `offline`, `on_call` or an admin-defined id). */
export type Operator = components['schemas']['Operator'];
type StatusChange = components['schemas']['StatusChange'];

export const listOperators = () => get<Operator[]>('/api/operators');
export const me = () => get<Operator>('/api/operators/me');
/**
 * Changes my presence; 409 while a call rings or is connected, 422 for `on_call` or an unknown
 * id. Setting the same status twice is setting it once, so a 429 or 503 is tried again.
 */
export const setStatus = (status: string) =>
  request<Operator>('PUT', '/api/operators/me/status', { body: { status } satisfies StatusChange, retry: true });
/**
 * Raises (手上げ) or lowers my hand for a supervisor; 409 `offline` while signed off. Raising a
 * raised hand changes nothing, so a 429 or 503 is tried again.
 */
export const setHand = (raised: boolean) =>
  request<Operator>('PUT', '/api/operators/me/hand', {
    body: { raised } satisfies components['schemas']['HandRequest'],
    retry: true,
  });
