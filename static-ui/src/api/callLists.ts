//! The `call-lists` resource as an operator works it: the call lists (架電リスト), the queue of
//! targets to call next, leasing one (so no two operators call the same target), giving it back,
//! and recording the call's result.

import { get, post, request } from './client';
import type { components } from './schema.gen';

type Schemas = components['schemas'];

export type TargetState = Schemas['TargetState'];
export type Outcome = Schemas['Outcome'];
/** Targets of a list by state. */
export type Counts = Schemas['Counts'];
export type CallList = Schemas['CallList'];
export type TargetResult = Schemas['TargetResult'];
/** A person or company to call (`phone` in E.164, `phone_display` as an operator reads it). */
export type Target = Schemas['Target'];
/** A target leased to me, with the line (and talk script) to dial it with. */
export type Lease = Schemas['Lease'];
/** A call's result; `callback_at` (RFC 3339, in the future) is required for `callback`. */
export type ResultInput = Schemas['ResultInput'];

const base = (list: string) => `/api/call-lists/${encodeURIComponent(list)}`;
const target = (list: string, id: string) => `${base(list)}/targets/${encodeURIComponent(id)}`;

export const listLists = () => get<Schemas['Paged_CallList']>('/api/call-lists', { limit: 50 });
export const readList = (list: string) => get<CallList>(base(list));
/** Due callbacks, then abandoned leases, then targets not called yet. */
export const queue = (list: string) => get<Schemas['Paged_Target']>(`${base(list)}/queue`, { limit: 30 });
/** 409 `target_leased` when another operator holds it, `target_done` when it is finished. */
export const lease = (list: string, id: string) => post<Lease>(`${target(list, id)}/lease`, {});
/** The next target nobody holds; `undefined` (204) when nothing is left to call. */
export const leaseNext = (list: string) => request<Lease | undefined>('POST', `${base(list)}/lease-next`, { body: {} });
export const release = (list: string, id: string) => post<Target>(`${target(list, id)}/release`, {});
export const recordResult = (list: string, id: string, input: ResultInput) => post<Target>(`${target(list, id)}/result`, input);
