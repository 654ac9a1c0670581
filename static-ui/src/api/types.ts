//! The shapes the API sends and accepts, by the names the page uses. Each is the type generated
//! from the API's OpenAPI document (`schema.gen.ts`, written by `npm run api-types` from the Rust
//! domain's utoipa schemas in shared/src/domain), so a field the server renames, adds as
//! required or stops sending fails the type check here instead of drifting. Only what the
//! document does not describe is written by hand (the local runtime's dev sign-in).

import type { components } from './schema.gen';

type Schemas = components['schemas'];

/** A record's field values by field name. */
export type Fields = Schemas['Record']['fields'];
/** A field value as stored: text, number, boolean; `null` clears a field in a patch. */
export type FieldValue = Fields[string];

export type Choice = Schemas['Choice'];
/** The type of a field, with what the type needs (serde's `tag = "type"`). */
export type FieldType = Schemas['FieldType'];
export type FieldTypeName = FieldType['type'];
export type FieldDef = Schemas['FieldDef'];
export type ObjectDef = Schemas['ObjectDef'];

export type Line = Schemas['Line'];
export type ResponseStatus = Schemas['ResponseStatus'];
export type PresenceStatus = Schemas['PresenceStatus'];
/** A settings row with an id and labels: a response status or a presence (the same shape). */
export type LabelledId = ResponseStatus & PresenceStatus;
export type NoteField = Schemas['NoteField'];
export type SearchObject = Schemas['SearchObject'];
export type TalkScript = Schemas['TalkScript'];
export type CallHandling = Schemas['CallHandling'];

/** Every settings section, as `GET /api/settings` returns them. */
export type Settings = Schemas['Settings'];
/** The value type of each section, for `PUT /api/settings/{section}`. */
export type SectionValues = Omit<Settings, 'versions'>;
export type SectionName = keyof SectionValues;

/** A CRM record. */
export type CrmRecord = Schemas['Record'];
export type Note = Schemas['Note'];
export type Match = Schemas['Match'];
/** The screen pop for one number. */
export type Lookup = Schemas['Lookup'];
/** A lookup with the first page of the number's calls, when asked for (`calls`). */
export type ScreenPop = Schemas['ScreenPop'];
export type Hit = Schemas['Hit'];
export type NewRecord = Schemas['NewRecord'];
export type RecordPatch = Schemas['RecordPatch'];

/** A page of results: the API's pages (`Paged_Hit`, `Paged_Target`, …) differ only in their items. */
export type Paged<T> = Omit<Schemas['Paged_Hit'], 'items'> & { items: T[] };

/** A call as history shows it. */
export type CallSummary = Schemas['CallSummary'];

/**
 * A user the dev sign-in offers. The dev sign-in is the local runtime's stand-in for Cognito
 * (local/src/devauth.rs), outside the functions' API document, so this one is written here.
 */
export interface DevUser {
  id: string;
  name: string;
  role: Schemas['Role'];
}
