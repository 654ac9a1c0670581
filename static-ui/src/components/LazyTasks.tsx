//! The task dialog, fetched the first time it is needed (the operator screen's first load has a
//! size budget, and the list itself is read by state/tasks.ts): preloaded once the screen is idle,
//! and if it cannot be fetched, opening it says so with 再試行 (see ./lazy.tsx).

import { tasksModel, tasksOpen } from '../state/tasks';
import type { TasksModel } from '../state/tasks';
import { lazyPart } from './lazy';

const part = lazyPart<{ m: TasksModel }>(() => import('../dialogs/TasksDialog').then((m) => m.TasksDialog));

export const preloadTasks = part.preload;

export function LazyTasks() {
  return <part.Part id="tasks-dialog" open={tasksOpen.value} onClose={() => (tasksOpen.value = false)} m={tasksModel} />;
}
