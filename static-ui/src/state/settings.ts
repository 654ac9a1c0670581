//! The organisation's settings as the page uses them: loaded once after sign-in, again when an
//! admin saves here, and again when the live channel says an admin saved them anywhere (so an
//! operator's screen follows without a reload), with look-ups for objects, fields and status
//! labels.

import { computed, signal } from '@preact/signals';
import { getSettings } from '../api/settings';
import type { FieldDef, ObjectDef, Settings } from '../api/types';
import { labelOf } from '../i18n';
import { follow, onLive, pollWhileDown } from '../live';

/** The current settings; `null` until loaded. */
export const settings = signal<Settings | null>(null);

/** Loads (or reloads) the settings. */
export async function loadSettings(): Promise<Settings> {
  const s = await getSettings();
  settings.value = s;
  return s;
}

/** Replaces the settings with a value the API just returned (after an admin's save). */
export function setSettings(s: Settings): void {
  settings.value = s;
}

/** A read of the settings a little after the last change pushed (an admin saving several sections). */
const SETTLE_MS = 150;
/**
 * Deployed, each warm settings function keeps what it read for 5 seconds, so the read right after
 * a change may come from one that has not seen it yet: the settings are read once more after that.
 */
const FUNCTION_CACHE_MS = 5500;

/**
 * Follows the settings on the live channel: each `settings_changed` (and each reconnection) reads
 * them once; while the channel is down they are read slowly. Returns the stop function.
 */
export function startSettingsSync(): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let again: ReturnType<typeof setTimeout> | null = null;
  const reload = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      loadSettings().catch(() => undefined);
    }, SETTLE_MS);
  };
  const stopLive = follow(['settings'], reload);
  const stopHearing = onLive((m) => {
    if (m.type !== 'settings_changed') return;
    reload();
    if (again) clearTimeout(again);
    again = setTimeout(() => {
      again = null;
      loadSettings().catch(() => undefined);
    }, FUNCTION_CACHE_MS);
  });
  const stopFallback = pollWhileDown(reload);
  return () => {
    if (timer) clearTimeout(timer);
    if (again) clearTimeout(again);
    stopFallback();
    stopHearing();
    stopLive();
  };
}

const objectIndex = computed(() => new Map((settings.value?.objects ?? []).map((o) => [o.name, o])));

/** An object's definition. */
export function objectDef(name: string): ObjectDef | undefined {
  return objectIndex.value.get(name);
}

/** A field's definition. */
export function fieldDef(object: string, field: string): FieldDef | undefined {
  return objectDef(object)?.fields.find((f) => f.name === field);
}

/** The label of an object in the current language (its name when unknown). */
export function objectLabel(name: string): string {
  const o = objectDef(name);
  return o ? labelOf(o) : name;
}

/** The label of a response status id (the id itself when it is no longer configured). */
export function responseStatusLabel(id: string | undefined | null): string {
  if (!id) return '';
  const s = settings.value?.response_statuses.find((x) => x.id === id);
  return s ? labelOf(s) : id;
}
