//! The shapes the API sends and accepts, as the Rust domain defines them
//! (shared/src/domain/{crm,objects,settings,calls}.rs).

/** A field value as stored: text, number, boolean; `null` clears a field in a patch. */
export type FieldValue = string | number | boolean | null;
/** A record's field values by field name. */
export type Fields = Record<string, FieldValue>;

export interface Choice {
  value: string;
  label: string;
}

/** The type of a field, with what the type needs (serde's `tag = "type"`). */
export type FieldType =
  | { type: 'text'; max_length?: number }
  | { type: 'long_text' }
  | { type: 'number' }
  | { type: 'date' }
  | { type: 'datetime' }
  | { type: 'select'; options: Choice[] }
  | { type: 'phone' }
  | { type: 'email' }
  | { type: 'checkbox' }
  | { type: 'reference'; object: string };

export type FieldTypeName = FieldType['type'];

export type FieldDef = FieldType & {
  name: string;
  label: string;
  label_en?: string;
  required?: boolean;
};

export interface ObjectDef {
  name: string;
  label: string;
  label_en?: string;
  fields: FieldDef[];
  title_field: string;
  subtitle_field?: string;
  builtin?: boolean;
}

export interface Line {
  id: string;
  /** E.164. */
  number: string;
  label: string;
  recording?: boolean;
  script_id?: string;
}

export interface LabelledId {
  id: string;
  label: string;
  label_en?: string;
}

export type ResponseStatus = LabelledId;
export type PresenceStatus = LabelledId;

export interface NoteField {
  object: string;
  field: string;
}

export interface SearchObject {
  object: string;
  fields: string[];
}

export interface TalkScript {
  id: string;
  title: string;
  body: string;
}

export interface CallHandling {
  wrap_up_seconds: number;
  max_wait_seconds: number;
  ring_timeout_seconds: number;
  orphan_hold_seconds: number;
}

/** Every settings section, as `GET /api/settings` returns them. */
export interface Settings {
  lines: Line[];
  response_statuses: ResponseStatus[];
  presence_statuses: PresenceStatus[];
  special_notes: NoteField[];
  history_tabs: string[];
  search: SearchObject[];
  scripts: TalkScript[];
  objects: ObjectDef[];
  call_handling: CallHandling;
  versions: Record<string, number>;
}

/** The value type of each section, for `PUT /api/settings/{section}`. */
export interface SectionValues {
  lines: Line[];
  response_statuses: ResponseStatus[];
  presence_statuses: PresenceStatus[];
  special_notes: NoteField[];
  history_tabs: string[];
  search: SearchObject[];
  scripts: TalkScript[];
  objects: ObjectDef[];
  call_handling: CallHandling;
}
export type SectionName = keyof SectionValues;

/** A CRM record. */
export interface CrmRecord {
  object: string;
  id: string;
  version: number;
  fields: Fields;
  account_id?: string;
  contact_id?: string;
  call_sid?: string;
  title: string;
  subtitle?: string;
  /** Phone fields in national form (`03-1234-5678`). */
  display: Record<string, string>;
  created_at: string;
  updated_at: string;
  created_by?: string;
  updated_by?: string;
}

export interface Note {
  field: string;
  label: string;
  value: string;
}

export interface Match {
  record: CrmRecord;
  special_notes: Note[];
  matched_by: 'phone' | 'contact';
}

/** The screen pop for one number. */
export interface Lookup {
  /** E.164. */
  phone: string;
  /** National form. */
  display: string;
  accounts: Match[];
  contacts: Match[];
  others: CrmRecord[];
}

export interface Hit {
  object: string;
  id: string;
  title: string;
  subtitle?: string;
  account_id?: string;
  matched_field: string;
  score: number;
}

export interface Paged<T> {
  items: T[];
  cursor?: string;
}

export interface NewRecord {
  fields: Fields;
  account_id?: string;
  contact_id?: string;
  call_sid?: string;
}

export interface RecordPatch {
  version: number;
  fields: Fields;
  account_id?: string | null;
  contact_id?: string | null;
}

/** A call as history shows it. */
export interface CallSummary {
  sid: string;
  direction: 'inbound' | 'outbound';
  customer?: string;
  customer_display?: string;
  line?: string;
  status: string;
  account_id?: string;
  contact_id?: string;
  operator_id?: string;
  operator_name?: string;
  started_at: string;
  answered_at?: string;
  ended_at?: string;
  duration_seconds?: number;
  end_reason?: string;
  memo?: string;
  response_status?: string;
  recording_url?: string;
}

/** A user the dev sign-in offers. */
export interface DevUser {
  id: string;
  name: string;
  role: 'operator' | 'supervisor' | 'admin';
}
