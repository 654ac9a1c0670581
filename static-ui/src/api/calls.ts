//! The `calls` resource: the operator's live call under `/api/calls` (live state, hold, unhold,
//! consultation call, transfer, hang-up, rejoin) and the screen transfers under `/api/handoffs`.

import { del, get, post, request } from './client';
import type { components } from './schema.gen';

type Schemas = components['schemas'];

/** One conference participant as the call record last heard of it. */
export type Participant = Schemas['Participant'];
export type TransferMode = Schemas['TransferMode'];
export type TransferState = Schemas['TransferState'];
/** A transfer as the page follows it (the last one stays on the call after it ended). */
export type Transfer = Schemas['Transfer'];
/** The call record inside a live call (a call summary plus call control's bookkeeping). */
export type LiveCallRecord = Schemas['CallRecord'];
/** `GET /api/calls/{id}`: a call as its operator (or a transfer's target) follows it. */
export type LiveCall = Schemas['LiveCall'];
/** What the first operator's screen showed, sent with a transfer (画面転送). */
export type ScreenTransfer = Schemas['ScreenTransfer'];
/** A screen transfer as the target's page loads it. */
export type Handoff = Schemas['Handoff'];

const path = (call: string, action = '') => `/api/calls/${encodeURIComponent(call)}${action}`;

/** My live call, or `null` (after a reload the page offers to rejoin it). */
export const currentCall = () => get<LiveCall | null>('/api/calls/current');
export const liveCall = (call: string) => get<LiveCall>(path(call));
export const hold = (call: string) => post<undefined>(path(call, '/hold'), {});
export const unhold = (call: string) => post<undefined>(path(call, '/unhold'), {});
/** Calls a third party while the customer is held (409 `not_on_hold` otherwise). */
export const consult = (call: string, to: string, lineId: string) =>
  post<undefined>(path(call, '/consult'), { to, line_id: lineId } satisfies Schemas['ConsultRequest']);
/** A number I may dial, as the server read it. */
export type DialCheck = Schemas['DialCheck'];
/**
 * Asks whether I may call `to` on the line before any leg is placed: 422 `invalid_phone`,
 * `barred_country` (a country the admin has not allowed) or `premium_rate_number` otherwise.
 */
export const dialCheck = (to: string, lineId: string) =>
  post<DialCheck>('/api/calls/dial-check', { to, line_id: lineId } satisfies Schemas['DialRequest']);
/** 外部転送: hands the customer to the connected consultation party; my part ends (409 `no_consult` before they answer). */
export const handOver = (call: string) => post<undefined>(path(call, '/consult/handover'), {});
/**
 * 外部転送 (cold): hands the customer to an outside number on a line and leaves at once; the customer waits on hold
 * until they answer. 422 for an invalid or barred number (nothing is dialled).
 */
export const handToOutside = (call: string, to: string, lineId: string) =>
  post<undefined>(path(call, '/external'), { to, line_id: lineId } satisfies Schemas['ConsultRequest']);
/** Hangs the consultation call up; the customer stays held. */
export const endConsult = (call: string) => del<undefined>(path(call, '/consult'));
/**
 * Ends the call for everyone; during a transfer, only my leg leaves. Tried again on 429 and 503:
 * a second hang-up of the same call ends nothing more (it is answered 409 `call_ended`), while a
 * hang-up given up on leaves the customer alone on the line with the operator still 通話中.
 */
export const hangup = (call: string) => request<undefined>('POST', path(call, '/hangup'), { body: {}, retry: true });
/** Pauses or resumes the recording (409 `not_recording` on a call that is not recorded). */
export const setRecording = (call: string, action: Schemas['RecordingAction']) =>
  post<undefined>(path(call, '/recording'), { action } satisfies Schemas['RecordingRequest']);
/** Rings my softphone back into my own live call. */
export const rejoin = (call: string) => post<undefined>(path(call, '/rejoin'), {});
export const transfer = (call: string, body: Schemas['TransferRequest']) =>
  post<Transfer>(path(call, '/transfer'), body);
/** Calls off a warm transfer; the customer stays held with me. */
export const cancelTransfer = (call: string) => del<Transfer>(path(call, '/transfer'));
export const handoff = (id: string) => get<Handoff>(`/api/handoffs/${encodeURIComponent(id)}`);
