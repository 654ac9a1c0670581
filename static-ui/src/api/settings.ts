//! The `settings` resource: every section for everyone; writes for admins, one section at a
//! time with its version (409 with the current value when stale).

import { get, put } from './client';
import type { SectionName, SectionValues, Settings } from './types';

export const getSettings = () => get<Settings>('/api/settings');

/** Replaces one section; returns all settings as they now are. */
export const putSection = <S extends SectionName>(section: S, version: number, value: SectionValues[S]) =>
  put<Settings>(`/api/settings/${section}`, { version, value });

/** What a 409 on a section carries. */
export interface SectionConflict<S extends SectionName = SectionName> {
  version: number;
  value: SectionValues[S];
}
