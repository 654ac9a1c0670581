//! The `tasks` resource (under `/api/calls/tasks`): callers' voicemails and callback requests,
//! taken by one operator at a time, finished and undone. A voicemail's recording plays through a
//! link (./recordings.ts, taskRecordingLink).

import { get, request } from './client';

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
