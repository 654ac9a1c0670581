//! The task dialog, fetched the first time it is opened (the operator screen's first load has a
//! size budget, and the list itself is read by state/tasks.ts).

import type { ComponentType } from 'preact';
import { signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { errorText } from '../api/errors';
import { say } from '../state/notice';
import type { TasksModel } from '../state/tasks';
import { tasksModel, tasksOpen } from '../state/tasks';

const Loaded = signal<ComponentType<{ m: TasksModel }> | null>(null);

export function LazyTasks() {
  const open = tasksOpen.value;
  useEffect(() => {
    if (open && !Loaded.peek()) {
      import('../dialogs/TasksDialog')
        .then((m) => (Loaded.value = m.TasksDialog))
        .catch((e: unknown) => {
          tasksOpen.value = false;
          say('error', errorText(e));
        });
    }
  }, [open]);
  const Dialog = Loaded.value;
  return Dialog ? <Dialog m={tasksModel} /> : null;
}
