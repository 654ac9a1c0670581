//! The `operators` resource: my presence, and everyone's (for the transfer dialog).

import { get, put } from './client';

export interface Operator {
  id: string;
  name: string;
  role: 'operator' | 'supervisor' | 'admin';
  /** `available`, `away`, `wrap_up`, `break`, `offline`, `on_call` or an admin-defined id. */
  status: string;
  status_since: string;
  /** The customer call this operator is offered or talking on. */
  current_call?: string;
  offer_id?: string;
  /** When wrap-up ends and the operator is available again. */
  wrap_up_until?: string;
  version: number;
}

export const listOperators = () => get<Operator[]>('/api/operators');
export const me = () => get<Operator>('/api/operators/me');
/** Changes my presence; 409 while a call rings or is connected, 422 for `on_call` or an unknown id. */
export const setStatus = (status: string) => put<Operator>('/api/operators/me/status', { status });
