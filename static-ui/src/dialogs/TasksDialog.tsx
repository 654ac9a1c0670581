//! The task dialog (タスク): callers' voicemails (留守番電話) and callback requests (折り返し),
//! the caller who has waited longest first. Choosing one pops the caller up in the customer
//! region; the detail shows who called on which line, the transcript and the recording, and
//! the task is taken (one operator at a time), called back on its line, finished or undone.

import { useEffect, useState } from 'preact/hooks';
import { taskRecordingLink } from '../api/recordings';
import type { Task } from '../api/tasks';
import { Dialog } from '../components/Dialog';
import { RecordingPlayer } from '../components/RecordingPlayer';
import { Tabs } from '../components/Tabs';
import { dateTime, duration, nationalPhone } from '../format';
import { labelOf, t } from '../i18n';
import type { TasksModel } from '../state/tasks';
import './tasks.css';

function kindLabel(task: Task): string {
  return task.kind === 'voicemail' ? t('tasks.kind.voicemail') : t('tasks.kind.callback');
}

function stateLabel(task: Task): string {
  if (task.state === 'done') return t('tasks.state.done', { name: task.done_by_name ?? '' });
  if (task.state === 'taken' && !task.lease_expired) return t('tasks.state.taken', { name: task.taken_by_name ?? '' });
  return t('tasks.state.open');
}

function lineLabel(m: TasksModel, task: Task): string {
  const line = m.lines.value.find((l) => l.id === task.line_id);
  if (line) return `${labelOf(line)}（${nationalPhone(line.number)}）`;
  return task.line_number ? nationalPhone(task.line_number) : t('tasks.unknownLine');
}

function Row({ m, task, current }: { m: TasksModel; task: Task; current: boolean }) {
  return (
    <li>
      <button
        type="button"
        class="task-row"
        data-task={task.id}
        aria-current={current ? 'true' : undefined}
        onClick={() => m.selectTask(task)}
      >
        <span class={`task-kind ${task.kind}`}>{kindLabel(task)}</span>
        <span class="task-who">{task.customer ? nationalPhone(task.customer) : t('tasks.withheld')}</span>
        <span class="task-meta">
          {dateTime(task.place_at)} ・ {stateLabel(task)}
        </span>
      </button>
    </li>
  );
}

/** The voicemail's recording: 録音を再生 opens the player, which plays it through a link by range
 * (seeking included) like a call's recording. */
function Recording({ task }: { task: Task }) {
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [task.id]);
  if (!task.recording_sid) return null;
  if (open) {
    return (
      <div class="task-audio-wrap">
        <RecordingPlayer key={task.id} call={task.id} link={taskRecordingLink} id="task-audio" label={t('tasks.audioLabel')} />
      </div>
    );
  }
  return (
    <button type="button" id="task-play" onClick={() => setOpen(true)}>
      {t('tasks.play', { length: duration(task.recording_seconds ?? 0) })}
    </button>
  );
}

function Detail({ m, task }: { m: TasksModel; task: Task }) {
  const mine = task.state === 'taken' && task.taken_by === m.me.value;
  const free = task.state === 'open' || (task.state === 'taken' && task.lease_expired);
  const busy = m.tasksBusy.value;
  const who = m.caller.value;
  return (
    <section class="task-detail" id="task-detail" aria-labelledby="task-detail-title">
      <h3 id="task-detail-title">
        {kindLabel(task)}：{task.customer ? nationalPhone(task.customer) : t('tasks.withheld')}
      </h3>
      <dl>
        <dt>{t('tasks.caller')}</dt>
        <dd id="task-caller">{who ?? t('tasks.notInCrm')}</dd>
        <dt>{t('tasks.line')}</dt>
        <dd>{lineLabel(m, task)}</dd>
        <dt>{task.kind === 'callback' ? t('tasks.queuedAt') : t('tasks.leftAt')}</dt>
        <dd>{dateTime(task.place_at)}</dd>
        <dt>{t('tasks.stateLabel')}</dt>
        <dd id="task-state">{stateLabel(task)}</dd>
      </dl>
      {task.kind === 'voicemail' && (
        <>
          <p id="task-transcript" class="task-transcript">
            {task.transcript ?? (task.transcript_complete ? t('tasks.noTranscript') : t('tasks.transcribing'))}
          </p>
          <Recording task={task} />
        </>
      )}
      {task.kind === 'callback' && <p class="muted">{t('tasks.callbackNote')}</p>}
      <div class="task-actions">
        {free && (
          <button type="button" id="task-take" class="primary" disabled={busy} onClick={() => void m.takeTask(task)}>
            {t('tasks.take')}
          </button>
        )}
        {mine && (
          <>
            <button type="button" id="task-call" class="primary" disabled={busy || !task.customer} onClick={() => void m.callBack(task)}>
              {t('tasks.callBack')}
            </button>
            <button type="button" id="task-done" disabled={busy} onClick={() => void m.finishTask(task)}>
              {t('tasks.finish')}
            </button>
            <button type="button" id="task-release" disabled={busy} onClick={() => void m.undoTask(task)}>
              {t('tasks.release')}
            </button>
          </>
        )}
        {task.state === 'done' && (
          <button type="button" id="task-undo" disabled={busy} onClick={() => void m.undoTask(task)}>
            {t('tasks.undo')}
          </button>
        )}
      </div>
    </section>
  );
}

export function TasksDialog({ m }: { m: TasksModel }) {
  const tab = m.tasksTab.value;
  const items = tab === 'open' ? m.openTasks.value : m.doneTasks.value;
  const chosen = m.selectedTask.value;
  return (
    <Dialog open={m.tasksOpen.value} title={t('tasks.title')} onClose={m.closeTasksDialog} id="tasks-dialog" class="tasks-dialog">
      <Tabs
        idPrefix="tasks"
        label={t('tasks.title')}
        active={tab}
        onSelect={(id) => m.showTasksTab(id === 'done' ? 'done' : 'open')}
        tabs={[
          { id: 'open', label: t('tasks.tab.open', { count: m.openTasks.value?.length ?? 0 }) },
          { id: 'done', label: t('tasks.tab.done') },
        ]}
      >
        {m.tasksError.value && (
          <p class="error" role="alert" id="tasks-error">
            {m.tasksError.value}
          </p>
        )}
        <div class="tasks-layout">
          <div>
            {!items && <p class="muted">{t('app.loading')}</p>}
            {items?.length === 0 && <p class="muted">{tab === 'open' ? t('tasks.emptyOpen') : t('tasks.emptyDone')}</p>}
            <ul class="tasks-list" id="tasks-list">
              {items?.map((x) => (
                <Row key={x.id} m={m} task={x} current={x.id === chosen?.id} />
              ))}
            </ul>
          </div>
          {chosen ? <Detail m={m} task={chosen} /> : <p class="muted">{t('tasks.choose')}</p>}
        </div>
      </Tabs>
    </Dialog>
  );
}
