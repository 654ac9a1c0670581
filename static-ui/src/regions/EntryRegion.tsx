//! Region 5, データ入力: the form of one object, generated from its definition. The inquiry
//! (問合せ) form by default, linked to the customer shown; [新規] in the history, [+] in the
//! customer info, and edit / copy in the detail view switch it.

import { useEffect, useRef } from 'preact/hooks';
import { FieldInput } from '../components/FieldInput';
import { Region } from '../components/Region';
import { labelOf, t } from '../i18n';
import { subject } from '../state/customer';
import {
  conflictRecord,
  fieldErrors,
  focusRequest,
  form,
  formDef,
  formMessage,
  keepTyping,
  openNew,
  replacing,
  resetForm,
  resolveConflict,
  save,
  saving,
  setValue,
  unlink,
  values,
} from '../state/entry';
import { objectLabel, settings } from '../state/settings';
import { titleOf } from '../state/titles';
import { userName } from '../state/userNames';

function LinkChip({ which, id }: { which: 'account' | 'contact'; id: string | null }) {
  const label = t(which === 'account' ? 'entry.linkedAccount' : 'entry.linkedContact');
  return (
    <span class={`link-chip ${id ? '' : 'empty'}`} id={`entry-link-${which}`}>
      <span class="chip-label">{label}:</span>
      {id ? (
        <>
          <span class="chip-value">{titleOf(which, id) ?? '…'}</span>
          <button
            type="button"
            class="chip-x"
            aria-label={`${label} ${t('entry.unlink')}`}
            title={t('entry.unlink')}
            onClick={() => unlink(which)}
          >
            ×
          </button>
        </>
      ) : (
        <span class="chip-value muted">{t('entry.notLinked')}</span>
      )}
    </span>
  );
}

export function EntryRegion() {
  const f = form.value;
  const def = formDef.value;
  const objects = settings.value?.objects ?? [];
  const formRef = useRef<HTMLFormElement>(null);
  const conflict = conflictRecord.value;
  const msg = formMessage.value;
  const replace = replacing.value;

  // A request to focus the form is met once its first field is there: the fields may render
  // after the request (the object's definition still loading), so every render tries until one
  // has taken the focus for that request.
  const focusedFor = useRef(0);
  useEffect(() => {
    const wanted = focusRequest.value;
    if (wanted === 0 || focusedFor.current === wanted) return;
    const first = formRef.current?.querySelector<HTMLElement>('.entry-fields input, .entry-fields select, .entry-fields textarea');
    if (!first) return;
    first.focus();
    focusedFor.current = wanted;
  });

  return (
    <Region
      id="region-entry"
      no={5}
      title={t('region.entry')}
      busy={saving.value}
      actions={
        <>
          <span class={`mode-badge mode-${f.mode}`} id="entry-mode">
            {t(`entry.mode.${f.mode}`)}
          </span>
          <label for="entry-object" class="sr-only">
            {t('entry.object')}
          </label>
          <select
            id="entry-object"
            value={f.object}
            disabled={f.mode === 'edit'}
            onChange={(e) => {
              const s = subject.peek();
              openNew(e.currentTarget.value, { accountId: s.accountId, contactId: s.contactId });
            }}
          >
            {objects.map((o) => (
              <option key={o.name} value={o.name}>
                {labelOf(o)}
              </option>
            ))}
          </select>
        </>
      }
    >
      <form
        ref={formRef}
        class="entry-form"
        id="entry-form"
        data-object={f.object}
        data-mode={f.mode}
        noValidate
        aria-label={`${t('region.entry')}: ${objectLabel(f.object)}`}
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        {f.object !== 'account' && (
          <div class="entry-links">
            <LinkChip which="account" id={f.accountId} />
            {f.object !== 'contact' && <LinkChip which="contact" id={f.contactId} />}
          </div>
        )}
        {replace && (
          <div class="banner banner-warn" role="alert" id="entry-replace">
            <p>{t(`entry.replace.${replace.action}`, { current: objectLabel(f.object), object: objectLabel(replace.object) })}</p>
            <div class="banner-actions">
              <button type="button" id="entry-replace-keep" class="primary" onClick={keepTyping}>
                {t('entry.replaceKeep')}
              </button>
              <button type="button" id="entry-replace-discard" onClick={() => replace.run()}>
                {t('entry.replaceDiscard')}
              </button>
            </div>
          </div>
        )}
        {conflict && (
          <div class="banner banner-warn" role="alert" id="entry-conflict">
            <p>
              {t('entry.conflict', {
                who: conflict.updated_by ? userName(conflict.updated_by) : t('entry.someone'),
                version: conflict.version,
              })}
            </p>
            <div class="banner-actions">
              <button type="button" onClick={() => resolveConflict('theirs')}>
                {t('entry.loadLatest')}
              </button>
              <button type="button" onClick={() => resolveConflict('mine')}>
                {t('entry.overwrite')}
              </button>
            </div>
          </div>
        )}
        <div class="entry-fields">
          {(def?.fields ?? []).map((fd) => (
            <FieldInput
              key={`${f.object}-${fd.name}`}
              def={fd}
              value={values.value[fd.name]}
              error={fieldErrors.value[fd.name]}
              onChange={(v) => setValue(fd.name, v)}
              idPrefix="entry"
            />
          ))}
        </div>
        <div class="entry-footer">
          <button type="submit" class="primary" id="entry-save" disabled={saving.value}>
            {saving.value ? t('app.saving') : t(f.mode === 'edit' ? 'entry.update' : 'entry.save')}
          </button>
          <button type="button" id="entry-reset" title={t('entry.resetHint')} onClick={resetForm}>
            {t('entry.reset')}
          </button>
          <p
            id="entry-message"
            class={`entry-message ${msg?.kind === 'error' ? 'error-text' : 'ok-text'}`}
            role="status"
            title={msg?.detail}
          >
            {msg?.text ?? ''}
          </p>
        </div>
      </form>
    </Region>
  );
}
