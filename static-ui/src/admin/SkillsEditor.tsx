//! An operator's skills in the users table: the queues (窓口) they take, shown as names (すべての
//! 窓口 when none are set) and changed with one checkbox per queue. Saved on its own
//! (`PUT /api/users/{id}/skills`); a refusal is shown in the users section's message.

import { useState } from 'preact/hooks';
import { setSkills } from '../api/users';
import { settings } from '../state/settings';
import { queueName, tq } from './queuesText';

interface Props {
  userId: string;
  name: string;
  skills: string[];
  disabled?: boolean;
  onSaved: (skills: string[], text: string) => void;
  onFailed: (e: unknown) => void;
}

export function SkillsCell({ userId, name, skills, disabled, onSaved, onFailed }: Props) {
  const queues = settings.value?.queues ?? [];
  const [draft, setDraft] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);
  const nameOf = (id: string) => {
    const q = queues.find((x) => x.id === id);
    return q ? queueName(q) : id;
  };
  const summary = skills.length ? skills.map(nameOf).join('、') : tq('skills.all');

  if (draft === null) {
    return (
      <span class="user-skills">
        <span class="user-skills-summary">{summary}</span>{' '}
        <button type="button" class="small link-button user-skills-edit" disabled={disabled} onClick={() => setDraft(skills.slice())}>
          {tq('skills.edit')}
        </button>
      </span>
    );
  }

  const save = async () => {
    setBusy(true);
    try {
      const stored = await setSkills(userId, draft);
      const text = tq('skills.saved', { name, queues: stored.queues.length ? stored.queues.map(nameOf).join('、') : tq('skills.all') });
      setDraft(null);
      onSaved(stored.queues, text);
    } catch (e) {
      onFailed(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <fieldset class="user-skills-editor">
      <legend class="muted">{tq('skills.hint')}</legend>
      {queues.map((q) => (
        <label key={q.id} class="user-skill">
          <input
            type="checkbox"
            aria-label={tq('skills.label', { name, queue: queueName(q) })}
            checked={draft.includes(q.id)}
            onChange={(e) => {
              const on = e.currentTarget.checked;
              setDraft(on ? [...draft, q.id] : draft.filter((x) => x !== q.id));
            }}
          />
          {queueName(q)}
        </label>
      ))}
      <span class="user-skills-actions">
        <button type="button" class="small primary user-skills-save" disabled={busy} onClick={() => void save()}>
          {tq('skills.save')}
        </button>
        <button type="button" class="small" disabled={busy} onClick={() => setDraft(null)}>
          {tq('skills.cancel')}
        </button>
      </span>
    </fieldset>
  );
}
