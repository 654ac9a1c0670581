//! The operator's tasks (タスク): callers' voicemails (留守番電話) and callback requests (折り返し).
//! The list is read when the dialog opens and every minute while the page is visible (one
//! bounded request); taking a task pops the caller up in the customer region, as a call would;
//! 折り返し発信 dials the caller on the line they called.

import { computed, effect, signal } from '@preact/signals';
import { currentUser } from '../auth';
import type { Task } from '../api/tasks';
import * as api from '../api/tasks';
import { errorText } from '../api/errors';
import { t } from '../i18n';
import { clickToDial } from './clickToDial';
import { account, contact, lookUp } from './customer';
import { chooseLine } from './lines';
import { say } from './notice';
import { registerOperations } from './operations';
import { handedCallback } from './presence';
import { settings } from './settings';

/** How often the list is read while the page is visible. */
const POLL_MS = 60_000;

export const tasksOpen = signal(false);
export const tasksTab = signal<'open' | 'done'>('open');
export const openTasks = signal<Task[] | null>(null);
export const doneTasks = signal<Task[] | null>(null);
export const selectedTaskId = signal<string | null>(null);
export const tasksBusy = signal(false);
export const tasksError = signal<string | null>(null);

/** Tasks nobody is working on (open, or their holder's lease ran out). */
export const waitingTasks = computed(
  () => openTasks.value?.filter((x) => x.state === 'open' || x.lease_expired).length ?? 0,
);

export const selectedTask = computed(() => {
  const id = selectedTaskId.value;
  return [...(openTasks.value ?? []), ...(doneTasks.value ?? [])].find((x) => x.id === id) ?? null;
});

/** Reads the open list (and the done one when that tab is shown); an action's refusal stays shown. */
export async function loadTasks(): Promise<void> {
  try {
    openTasks.value = (await api.list(false)).tasks;
    if (tasksTab.peek() === 'done' || doneTasks.peek()) doneTasks.value = (await api.list(true)).tasks;
  } catch (e) {
    tasksError.value = errorText(e);
  }
}

export function openTasksDialog(): void {
  tasksOpen.value = true;
  tasksError.value = null;
  void loadTasks();
}

export function closeTasksDialog(): void {
  tasksOpen.value = false;
}

export function showTasksTab(tab: 'open' | 'done'): void {
  tasksTab.value = tab;
  void loadTasks();
}

/** Shows a task and pops its caller up from the CRM, as a call would. */
export function selectTask(task: Task): void {
  selectedTaskId.value = task.id;
  tasksError.value = null;
  if (task.customer) void lookUp(task.customer);
}

function replace(task: Task): void {
  const others = (list: Task[] | null) => (list ?? []).filter((x) => x.id !== task.id);
  if (task.state === 'done') {
    openTasks.value = others(openTasks.peek());
    doneTasks.value = [task, ...others(doneTasks.peek())];
  } else {
    doneTasks.value = doneTasks.peek() ? others(doneTasks.peek()) : null;
    const open = others(openTasks.peek());
    open.push(task);
    open.sort((a, b) => a.place_at.localeCompare(b.place_at));
    openTasks.value = open;
  }
}

async function act(run: () => Promise<Task>, done: string): Promise<void> {
  tasksBusy.value = true;
  tasksError.value = null;
  try {
    const task = await run();
    replace(task);
    say('info', done);
  } catch (e) {
    tasksError.value = errorText(e);
    await loadTasks();
  } finally {
    tasksBusy.value = false;
  }
}

export const takeTask = (task: Task) => act(() => api.take(task.id), t('tasks.taken'));
export const finishTask = (task: Task) => act(() => api.finish(task.id), t('tasks.finished'));
export const undoTask = (task: Task) => act(() => api.undo(task.id), t('tasks.undone'));

/** 折り返し発信: the caller is dialled on the line they called (chosen as the outbound line). */
export async function callBack(task: Task): Promise<void> {
  if (!task.customer) {
    tasksError.value = t('tasks.noNumber');
    return;
  }
  const line = settings.peek()?.lines.find((l) => l.id === task.line_id);
  if (line) chooseLine(line.id);
  else if (task.line_id) say('warn', t('tasks.lineGone'));
  tasksOpen.value = false;
  await clickToDial(task.customer);
}

/** Registers the タスク button of the operation menu and keeps the list fresh; returns the stop function. */
export function startTasks(): () => void {
  void loadTasks();
  const timer = setInterval(() => {
    if (document.visibilityState === 'visible') void loadTasks();
  }, POLL_MS);
  const unregister = registerOperations({ tasks: { run: openTasksDialog } });
  // A callback request routing handed me: the list opens on it, taken by me, to call back.
  const stopHanded = effect(() => {
    if (handedCallback.value) openTasksDialog();
  });
  return () => {
    clearInterval(timer);
    unregister();
    stopHanded();
  };
}

/**
 * What the task dialog reads and does, handed to it as one object: the dialog is fetched when
 * first opened, and importing these modules itself would pull them out of the first load.
 */
export const tasksModel = {
  tasksOpen,
  tasksTab,
  openTasks,
  doneTasks,
  selectedTask,
  tasksBusy,
  tasksError,
  me: computed(() => currentUser.value?.id ?? null),
  caller: computed(() => [account.value?.record.title, contact.value?.record.title].filter(Boolean).join(' ') || null),
  lines: computed(() => settings.value?.lines ?? []),
  closeTasksDialog,
  showTasksTab,
  selectTask,
  takeTask,
  finishTask,
  undoTask,
  callBack,
};

export type TasksModel = typeof tasksModel;
