//! ユーザー管理 (Users) on the admin page: the users of the user pool a page at a time (次へ for
//! the next), an invitation form whose refused fields are explained beside the field, a role
//! change per user (in effect from their next sign-in), and 無効化 / 有効化 after a confirmation.
//! An admin cannot disable or demote themselves: their own row offers neither.

import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { errorDetail, errorText } from '../api/errors';
import type { DirectoryUser, Role, UserPage } from '../api/users';
import { ROLES, inviteUser, listSkills, listUsers, updateUser } from '../api/users';
import { currentUser } from '../auth';
import { Dialog } from '../components/Dialog';
import { hasMessage, t } from '../i18n';
import { SkillsCell } from './SkillsEditor';
import { tq } from './queuesText';
import './users.css';

type Field = 'email' | 'name' | 'role';
type Message = { kind: 'ok' | 'error'; text: string; detail?: string | undefined };

/** The user's status in words (Cognito's UserStatus; an unknown one as it is). */
function statusText(status: string): string {
  const key = `users.status.${status}`;
  return hasMessage(key) ? t(key) : status;
}

function roleText(role: Role | null): string {
  return role ? t(`role.${role}`) : t('users.noRole');
}

function InviteForm({ onInvited }: { onInvited: (u: DirectoryUser) => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setMessage(null);
    try {
      const user = await inviteUser({ email, name, role });
      setEmail('');
      setName('');
      setRole('operator');
      setMessage({ kind: 'ok', text: t('users.invite.done', { name: user.name, email: user.email }) });
      onInvited(user);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && (err.field === 'email' || err.field === 'name' || err.field === 'role')) {
        setErrors({ [err.field]: errorText(err) });
      } else if (err instanceof ApiError && err.code === 'email_taken') {
        setErrors({ email: errorText(err) });
      } else {
        setMessage({ kind: 'error', text: errorText(err), detail: errorDetail(err) });
      }
    } finally {
      setBusy(false);
    }
  };

  const field = (id: Field, label: string, input: ComponentChildren) => (
    <div class={`user-field ${errors[id] ? 'has-error' : ''}`}>
      <label for={`invite-${id}`}>{label}</label>
      {input}
      <span class="field-error user-field-error" id={`invite-${id}-error`} role={errors[id] ? 'alert' : undefined}>
        {errors[id] ?? ''}
      </span>
    </div>
  );

  return (
    <form class="user-invite" id="users-invite" onSubmit={(e) => void submit(e)} noValidate>
      <h3>{t('users.invite.title')}</h3>
      <div class="user-invite-fields">
        {field(
          'email',
          t('users.invite.email'),
          <input
            id="invite-email"
            type="email"
            autocomplete="off"
            value={email}
            aria-invalid={errors.email ? 'true' : undefined}
            aria-describedby="invite-email-error"
            onInput={(e) => setEmail(e.currentTarget.value)}
          />,
        )}
        {field(
          'name',
          t('users.invite.name'),
          <input
            id="invite-name"
            type="text"
            maxLength={120}
            value={name}
            aria-invalid={errors.name ? 'true' : undefined}
            aria-describedby="invite-name-error"
            onInput={(e) => setName(e.currentTarget.value)}
          />,
        )}
        {field(
          'role',
          t('users.invite.role'),
          <select id="invite-role" value={role} aria-describedby="invite-role-error" onChange={(e) => setRole(e.currentTarget.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>,
        )}
        <button type="submit" class="primary" id="invite-submit" disabled={busy}>
          {busy ? t('users.invite.sending') : t('users.invite.submit')}
        </button>
      </div>
      <p class={`section-message ${message?.kind === 'ok' ? 'ok-text' : 'error-text'}`} id="invite-message" role="status" title={message?.detail}>
        {message?.text ?? ''}
      </p>
    </form>
  );
}

export function UsersSection() {
  const [page, setPage] = useState<UserPage | null>(null);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [loading, setLoading] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<DirectoryUser | null>(null);
  const [skills, setSkillsOf] = useState<Record<string, string[]>>({});
  const me = currentUser.value?.id;

  const loadSkills = async () => {
    try {
      setSkillsOf((await listSkills()).skills);
    } catch (e) {
      setMessage({ kind: 'error', text: tq('skills.loadFailed', { detail: errorText(e) }), detail: errorDetail(e) });
    }
  };

  const load = async (cursor: string | undefined) => {
    setLoading(true);
    try {
      setPage(await listUsers(cursor));
    } catch (e) {
      setMessage({ kind: 'error', text: t('users.loadFailed', { detail: errorText(e) }), detail: errorDetail(e) });
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    void load(undefined);
    void loadSkills();
  }, []);

  const replace = (u: DirectoryUser) => setPage((p) => (p ? { ...p, users: p.users.map((x) => (x.id === u.id ? u : x)) } : p));

  const change = async (u: DirectoryUser, what: { role?: Role; enabled?: boolean }) => {
    setBusyId(u.id);
    setMessage(null);
    try {
      const next = await updateUser(u.id, what);
      replace(next);
      let text: string;
      if (what.role) text = t('users.roleChanged', { name: next.name, role: roleText(next.role) });
      else if (next.enabled) text = t('users.enabledDone', { name: next.name });
      else text = t('users.disabledDone', { name: next.name });
      setMessage({ kind: 'ok', text });
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e), detail: errorDetail(e) });
      void load(cursors[cursors.length - 1]);
    } finally {
      setBusyId(null);
    }
  };

  const next = () => {
    const cursor = page?.next_cursor;
    if (!cursor) return;
    setCursors([...cursors, cursor]);
    void load(cursor);
  };

  const first = () => {
    setCursors([undefined]);
    void load(undefined);
  };

  const users = page?.users ?? [];
  return (
    <section class="users-section" id="section-users" aria-labelledby="section-users-title">
      <header class="admin-section-head">
        <h2 id="section-users-title">{t('users.title')}</h2>
      </header>
      <p class="muted section-note">{t('users.note')}</p>
      <InviteForm
        onInvited={() => {
          void load(cursors[cursors.length - 1]);
        }}
      />
      <table class="users-table" id="users-table" aria-busy={loading ? 'true' : 'false'}>
        <thead>
          <tr>
            <th>{t('users.col.name')}</th>
            <th>{t('users.col.email')}</th>
            <th>{t('users.col.role')}</th>
            <th>{t('users.col.status')}</th>
            <th>{t('users.col.enabled')}</th>
            <th>{tq('skills.col')}</th>
            <th>{t('users.col.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => {
            const self = u.id === me;
            return (
              <tr key={u.id} data-user-id={u.id} class={u.enabled ? '' : 'user-disabled'}>
                <td>
                  {u.name}
                  {self && <span class="muted"> {t('users.you')}</span>}
                </td>
                <td class="user-email">{u.email}</td>
                <td>
                  <select
                    aria-label={t('users.roleLabel', { name: u.name })}
                    value={u.role ?? ''}
                    disabled={self || busyId === u.id}
                    title={self ? t('users.selfNote') : t('users.roleNote')}
                    onChange={(e) => void change(u, { role: e.currentTarget.value as Role })}
                  >
                    {u.role === null && <option value="">{t('users.noRole')}</option>}
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {t(`role.${r}`)}
                      </option>
                    ))}
                  </select>
                </td>
                <td class="user-status">{statusText(u.status)}</td>
                <td>
                  <span class={`user-state ${u.enabled ? 'is-enabled' : 'is-disabled'}`}>{u.enabled ? t('users.enabled') : t('users.disabled')}</span>
                </td>
                <td class="user-skills-cell">
                  <SkillsCell
                    userId={u.id}
                    name={u.name}
                    skills={skills[u.id] ?? []}
                    disabled={busyId === u.id}
                    onSaved={(queues, text) => {
                      setSkillsOf((all) => ({ ...all, [u.id]: queues }));
                      setMessage({ kind: 'ok', text });
                    }}
                    onFailed={(e) => setMessage({ kind: 'error', text: errorText(e), detail: errorDetail(e) })}
                  />
                </td>
                <td>
                  {!self && (
                    <button
                      type="button"
                      class={`small user-toggle ${u.enabled ? 'danger' : ''}`}
                      disabled={busyId === u.id}
                      onClick={() => setConfirming(u)}
                    >
                      {u.enabled ? t('users.disable') : t('users.enable')}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
          {page && users.length === 0 && (
            <tr>
              <td colSpan={7} class="muted">
                {t('users.empty')}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <footer class="admin-section-foot users-pager">
        {cursors.length > 1 && (
          <button type="button" id="users-first" onClick={first} disabled={loading}>
            {t('users.first')}
          </button>
        )}
        <span class="muted" id="users-page">
          {t('users.page', { n: cursors.length })}
        </span>
        <button type="button" id="users-next" onClick={next} disabled={loading || !page?.next_cursor}>
          {t('users.next')}
        </button>
        <p class={`section-message ${message?.kind === 'ok' ? 'ok-text' : 'error-text'}`} id="users-message" role="status" title={message?.detail}>
          {message?.text ?? ''}
        </p>
      </footer>
      <Dialog
        open={confirming !== null}
        id="users-confirm"
        title={confirming?.enabled ? t('users.confirmDisableTitle') : t('users.confirmEnableTitle')}
        onClose={() => setConfirming(null)}
      >
        {confirming && (
          <>
            <p>
              {confirming.enabled
                ? t('users.confirmDisable', { name: confirming.name, email: confirming.email })
                : t('users.confirmEnable', { name: confirming.name, email: confirming.email })}
            </p>
            <div class="dialog-buttons">
              <button type="button" onClick={() => setConfirming(null)}>
                {t('app.cancel')}
              </button>
              <button
                type="button"
                id="users-confirm-ok"
                class={confirming.enabled ? 'danger' : 'primary'}
                onClick={() => {
                  const u = confirming;
                  setConfirming(null);
                  void change(u, { enabled: !u.enabled });
                }}
              >
                {confirming.enabled ? t('users.disable') : t('users.enable')}
              </button>
            </div>
          </>
        )}
      </Dialog>
    </section>
  );
}
