//! The `tasks` resource (under `/api/calls/tasks`): callers' voicemails and callback requests,
//! taken by one operator at a time, finished and undone; a voicemail's recording as audio.

import { currentToken } from '../auth';
import { apiBase } from '../config';
import { ApiError, get, request, transport } from './client';

export type TaskKind = 'voicemail' | 'callback';
export type TaskState = 'open' | 'taken' | 'done';

/** A task as the API serves it (shared::domain::tasks::Task). */
export interface Task {
  id: string;
  kind: TaskKind;
  state: TaskState;
  customer?: string;
  line_id?: string;
  line_number?: string;
  created_at: string;
  /** The caller's place: when they joined the queue (callback) or left the message. */
  place_at: string;
  recording_sid?: string;
  recording_seconds?: number;
  transcript?: string;
  transcript_complete: boolean;
  taken_by?: string;
  taken_by_name?: string;
  lease_until?: string;
  lease_expired: boolean;
  done_at?: string;
  done_by_name?: string;
  version: number;
}

export interface TaskPage {
  tasks: Task[];
}

/** Open and taken tasks, the caller who has waited longest first (or the done ones, latest first). */
export const list = (done = false, limit = 50) => get<TaskPage>('/api/calls/tasks', { done: done ? 'true' : undefined, limit });

const act = (id: string, action: 'take' | 'done' | 'undo') =>
  request<Task>('POST', `/api/calls/tasks/${encodeURIComponent(id)}/${action}`, { retry: true });

export const take = (id: string) => act(id, 'take');
export const finish = (id: string) => act(id, 'done');
export const undo = (id: string) => act(id, 'undo');

/** The voicemail's recording as an audio blob (the console relays it from Twilio). */
export async function recording(id: string): Promise<Blob> {
  const token = currentToken();
  if (!token) throw new ApiError(401, 'unauthorized', 'sign in first');
  const res = await transport.fetch(`${apiBase()}/api/calls/tasks/${encodeURIComponent(id)}/recording`, {
    method: 'GET',
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new ApiError(res.status, `http_${res.status}`, res.statusText);
  return res.blob();
}
