//! Data entry (データ入力): the form of one object — a new record (the inquiry by default),
//! an edit of an existing one (sent with its version; 409 when someone else saved first), or a
//! copy. Values are kept as the inputs hold them and converted to the API's types on save.

import { computed, effect, signal } from '@preact/signals';
import { ApiError } from '../api/client';
import { createRecord, updateRecord } from '../api/crm';
import { errorDetail, errorText } from '../api/errors';
import type { CrmRecord, FieldDef, FieldValue, Fields, ObjectDef } from '../api/types';
import { fromLocalInput, nationalPhone, toLocalInput } from '../format';
import { t } from '../i18n';
import { callSid, lookupResult, subject } from './customer';
import { recordSaved } from './events';
import { objectDef, objectLabel } from './settings';

export type EntryMode = 'new' | 'edit' | 'copy';
/** A value as an input holds it. */
export type InputValue = string | boolean;
export type InputValues = Record<string, InputValue>;

/** The object of the form the region starts with. */
export const DEFAULT_OBJECT = 'inquiry';

export interface EntryForm {
  mode: EntryMode;
  object: string;
  /** The record being edited (its version goes with the update). */
  base: CrmRecord | null;
  accountId: string | null;
  contactId: string | null;
  /** The default form: its links and phone follow Customer info. */
  followCustomer: boolean;
  /** The values the form opened with (what an edit compares against). */
  initial: InputValues;
}

export interface FieldMessage {
  text: string;
  detail?: string | undefined;
}

export const form = signal<EntryForm>({
  mode: 'new',
  object: DEFAULT_OBJECT,
  base: null,
  accountId: null,
  contactId: null,
  followCustomer: true,
  initial: {},
});
export const values = signal<InputValues>({});
export const fieldErrors = signal<Record<string, FieldMessage>>({});
export const formMessage = signal<{ kind: 'ok' | 'error'; text: string; detail?: string | undefined } | null>(null);
export const saving = signal(false);
/** The current record when an update found it changed by someone else. */
export const conflictRecord = signal<CrmRecord | null>(null);
/** A form that would replace one with input not saved yet, waiting for the operator's word. */
export const replacing = signal<{ action: 'edit' | 'copy'; object: string; run: () => void } | null>(null);


export const formDef = computed(() => objectDef(form.value.object) ?? null);
export const dirty = computed(() => {
  const v = values.value;
  const i = form.value.initial;
  const keys = new Set([...Object.keys(v), ...Object.keys(i)]);
  for (const k of keys) if ((v[k] ?? '') !== (i[k] ?? '')) return true;
  return false;
});

/** A stored value as an input shows it (phone numbers in national form). */
export function toInput(def: FieldDef, v: FieldValue | undefined, display?: string): InputValue {
  if (def.type === 'checkbox') return v === true;
  if (v === undefined || v === null) return '';
  if (def.type === 'datetime' && typeof v === 'string') return toLocalInput(v);
  if (def.type === 'phone' && typeof v === 'string') return display ?? nationalPhone(v);
  return String(v);
}

/** An input's value as the API takes it; `null` for empty. Throws the message key when invalid. */
export function toWire(def: FieldDef, v: InputValue | undefined): FieldValue {
  if (def.type === 'checkbox') return v === true;
  const s = typeof v === 'string' ? v : '';
  if (s.trim() === '') return null;
  switch (def.type) {
    case 'number': {
      const n = Number(s.replace(/,/g, ''));
      if (!Number.isFinite(n)) throw new Error('entry.notNumber');
      return n;
    }
    case 'datetime':
      return fromLocalInput(s);
    case 'text':
    case 'phone':
    case 'email':
      return s.trim();
    default:
      return s;
  }
}

function inputsOf(def: ObjectDef, fields: Fields, display: Record<string, string> = {}): InputValues {
  const out: InputValues = {};
  for (const f of def.fields) out[f.name] = toInput(f, fields[f.name], display[f.name]);
  return out;
}

/** Values a new record starts with: the customer's number in its phone field, now as the time. */
function prefillFor(def: ObjectDef): Fields {
  const out: Fields = {};
  const phone = lookupResult.peek()?.display;
  const phoneField = def.fields.find((f) => f.type === 'phone');
  if (phone && phoneField) out[phoneField.name] = phone;
  const received = def.fields.find((f) => f.type === 'datetime' && f.name === 'received_at');
  if (received) out[received.name] = new Date().toISOString();
  return out;
}

function open(next: Omit<EntryForm, 'initial'>, fields: Fields, display?: Record<string, string>): void {
  const def = objectDef(next.object);
  const initial = def ? inputsOf(def, fields, display) : {};
  form.value = { ...next, initial };
  values.value = initial;
  fieldErrors.value = {};
  conflictRecord.value = null;
  replacing.value = null;
}

/** Links a new record of `object` may carry: accounts none, contacts an account, others both. */
function linksFor(object: string, accountId: string | null, contactId: string | null) {
  if (object === 'account') return { accountId: null, contactId: null };
  if (object === 'contact') return { accountId, contactId: null };
  return { accountId, contactId };
}

/** Opens a new record of `object`, linked to the given (or the current) account and contact. */
export function openNew(
  object: string,
  opts: { prefill?: Fields; accountId?: string | null; contactId?: string | null; followCustomer?: boolean } = {},
): void {
  const s = subject.peek();
  const def = objectDef(object);
  const links = linksFor(
    object,
    opts.accountId !== undefined ? opts.accountId : s.accountId,
    opts.contactId !== undefined ? opts.contactId : s.contactId,
  );
  formMessage.value = null;
  open(
    { mode: 'new', object, base: null, ...links, followCustomer: opts.followCustomer ?? false },
    { ...(def ? prefillFor(def) : {}), ...opts.prefill },
  );
}

/** Opens a record for editing. */
export function openEdit(record: CrmRecord): void {
  formMessage.value = null;
  open(
    {
      mode: 'edit',
      object: record.object,
      base: record,
      accountId: record.account_id ?? null,
      contactId: record.contact_id ?? null,
      followCustomer: false,
    },
    record.fields,
    record.display,
  );
}

/** Opens a new record prefilled from `record` (same links). */
export function openCopy(record: CrmRecord): void {
  formMessage.value = null;
  open(
    {
      mode: 'copy',
      object: record.object,
      base: null,
      ...linksFor(record.object, record.account_id ?? null, record.contact_id ?? null),
      followCustomer: false,
    },
    record.fields,
    record.display,
  );
}

/**
 * Opens `record` for editing (修正) or as a copy (コピー) in Data entry. Over input not saved
 * yet it asks first ({@link replacing}): nothing the operator typed is thrown away unasked.
 */
export function openRecord(action: 'edit' | 'copy', record: CrmRecord, then?: () => void): void {
  const run = () => {
    replacing.value = null;
    if (action === 'edit') openEdit(record);
    else openCopy(record);
    then?.();
  };
  if (dirty.peek()) replacing.value = { action, object: record.object, run };
  else run();
}

/** The operator keeps what they typed; the form that would have replaced it is not opened. */
export function keepTyping(): void {
  replacing.value = null;
}

/** Back to the default: a new inquiry following Customer info. */
export function resetForm(): void {
  const object = objectDef(DEFAULT_OBJECT) ? DEFAULT_OBJECT : form.peek().object;
  openNew(object, { followCustomer: true });
}

export function setValue(name: string, v: InputValue): void {
  values.value = { ...values.peek(), [name]: v };
  if (fieldErrors.peek()[name]) {
    const next = { ...fieldErrors.peek() };
    delete next[name];
    fieldErrors.value = next;
  }
}

export function unlink(which: 'account' | 'contact'): void {
  const f = form.peek();
  form.value = { ...f, followCustomer: false, ...(which === 'account' ? { accountId: null } : { contactId: null }) };
}

/** Converts the inputs; field problems go to {@link fieldErrors}. `onlyChanged` builds a patch. */
function collect(def: ObjectDef, onlyChanged: boolean): Fields | null {
  const v = values.peek();
  const initial = form.peek().initial;
  const out: Fields = {};
  const errors: Record<string, FieldMessage> = {};
  for (const f of def.fields) {
    if (onlyChanged && (v[f.name] ?? '') === (initial[f.name] ?? '')) continue;
    try {
      const w = toWire(f, v[f.name]);
      if (f.required && (w === null || w === '')) {
        errors[f.name] = { text: t('entry.requiredMissing') };
        continue;
      }
      if (w === null && !onlyChanged) continue;
      out[f.name] = w;
    } catch (e) {
      errors[f.name] = { text: t(e instanceof Error && e.message === 'entry.notNumber' ? 'entry.notNumber' : 'err.wrong_type') };
    }
  }
  if (!onlyChanged) {
    for (const f of def.fields) {
      if (f.required && !(f.name in out) && !errors[f.name]) errors[f.name] = { text: t('entry.requiredMissing') };
    }
  }
  fieldErrors.value = errors;
  return Object.keys(errors).length ? null : out;
}

/** Saves the form: POST for new and copy, PUT with the version for edit. */
export async function save(): Promise<CrmRecord | null> {
  const f = form.peek();
  const def = objectDef(f.object);
  if (!def || saving.peek()) return null;
  const editing = f.mode === 'edit' && f.base;
  const fields = collect(def, !!editing);
  if (!fields) {
    formMessage.value = { kind: 'error', text: t('entry.fixErrors') };
    return null;
  }
  saving.value = true;
  formMessage.value = null;
  try {
    let saved: CrmRecord;
    if (editing && f.base) {
      saved = await updateRecord(f.object, f.base.id, {
        version: f.base.version,
        fields,
        account_id: f.accountId,
        contact_id: f.contactId,
      });
    } else {
      saved = await createRecord(f.object, {
        fields,
        ...(f.accountId ? { account_id: f.accountId } : {}),
        ...(f.contactId ? { contact_id: f.contactId } : {}),
        ...(callSid.peek() ? { call_sid: callSid.peek() } : {}),
      });
    }
    conflictRecord.value = null;
    recordSaved(saved, !editing);
    const label = objectLabel(f.object);
    // The saved record shows in the history and the detail; the form is ready for the next
    // inquiry of this customer.
    resetForm();
    formMessage.value = { kind: 'ok', text: t(editing ? 'entry.updated' : 'entry.created', { object: label }) };
    return saved;
  } catch (e) {
    if (e instanceof ApiError && e.status === 409 && e.current && typeof e.current === 'object') {
      conflictRecord.value = e.current as CrmRecord;
    } else if (e instanceof ApiError && e.status === 422 && e.field && def.fields.some((x) => x.name === e.field)) {
      fieldErrors.value = { ...fieldErrors.peek(), [e.field]: { text: errorText(e), detail: errorDetail(e) } };
      formMessage.value = { kind: 'error', text: t('entry.fixErrors') };
    } else {
      formMessage.value = { kind: 'error', text: errorText(e), detail: errorDetail(e) };
    }
    return null;
  } finally {
    saving.value = false;
  }
}

/** Settles a 409: load the latest record, or apply my changes on top of it. */
export function resolveConflict(choice: 'theirs' | 'mine'): void {
  const current = conflictRecord.peek();
  if (!current) return;
  if (choice === 'theirs') {
    openEdit(current);
    return;
  }
  const f = form.peek();
  conflictRecord.value = null;
  form.value = { ...f, base: current };
  void save();
}

/** When the call the page handles rang (inbound) or was placed (outbound), as the server
 * recorded it: the call layer sets it as the call's live state is read. */
export const callStarted = signal<{ sid: string; at: string } | null>(null);

/** 受付日時 of a new record the operator has not changed becomes the moment the call rang or was
 * placed: the page's own clock until the server's record of the call is read (the form may have
 * been reset minutes before the call, and the call answered minutes after it rang). */
function receivedAt(iso: string): void {
  const f = form.peek();
  if (f.mode !== 'new') return;
  const received = objectDef(f.object)?.fields.find((x) => x.type === 'datetime' && x.name === 'received_at');
  if (!received) return;
  const cur = values.peek()[received.name];
  if (cur !== undefined && cur !== f.initial[received.name]) return;
  const at = toInput(received, iso);
  if (at === '' || at === cur) return;
  values.value = { ...values.peek(), [received.name]: at };
  form.value = { ...f, initial: { ...f.initial, [received.name]: at } };
}

/** Keeps the default form's links and phone in step with Customer info, and its 受付日時 with
 * the call; returns the stop function. */
export function startEntrySync(): () => void {
  let lastCall: string | null = callSid.peek();
  let lastStart: string | null = null;
  const stopCall = effect(() => {
    const sid = callSid.value;
    const started = callStarted.value;
    const known = started && started.sid === sid ? started.at : null;
    if (sid && sid !== lastCall) {
      lastStart = known;
      receivedAt(known ?? new Date().toISOString());
    } else if (sid && known && known !== lastStart) {
      lastStart = known;
      receivedAt(known);
    }
    lastCall = sid;
  });
  let lastPhone: string | null = null;
  const stopCustomer = effect(() => {
    const s = subject.value;
    const display = lookupResult.value?.display ?? null;
    const f = form.peek();
    if (!f.followCustomer || f.mode !== 'new') {
      lastPhone = display;
      return;
    }
    form.value = { ...f, ...linksFor(f.object, s.accountId, s.contactId) };
    const def = objectDef(f.object);
    const phoneField = def?.fields.find((x) => x.type === 'phone');
    if (phoneField) {
      const cur = values.peek()[phoneField.name] ?? '';
      if (cur === '' || cur === (lastPhone ?? '')) {
        values.value = { ...values.peek(), [phoneField.name]: display ?? '' };
        const latest = form.peek();
        form.value = { ...latest, initial: { ...latest.initial, [phoneField.name]: display ?? '' } };
      }
    }
    lastPhone = display;
  });
  return () => {
    stopCall();
    stopCustomer();
  };
}

/** Bumped to ask the Data entry region to focus its first input (after [+] or [新規]). */
export const focusRequest = signal(0);
export function requestEntryFocus(): void {
  focusRequest.value++;
}

/**
 * The form as a draft for a screen transfer: its object and the values typed so far (empty and
 * unconvertible ones left out), or `null` when nothing is typed or a stored record is being edited.
 */
export function draftOf(): { object: string; fields: Fields } | null {
  const f = form.peek();
  const def = objectDef(f.object);
  if (!def || f.mode === 'edit' || !dirty.peek()) return null;
  const v = values.peek();
  const fields: Fields = {};
  for (const fd of def.fields) {
    try {
      const w = toWire(fd, v[fd.name]);
      if (w !== null && w !== '' && !(fd.type === 'checkbox' && w === false)) fields[fd.name] = w;
    } catch {
      /* a value that does not convert stays on this screen */
    }
  }
  return Object.keys(fields).length ? { object: f.object, fields } : null;
}
