//! The page's runtime configuration, read once from `/config.json` before anything renders and
//! checked against the one contract (`config-contract.ts`). Locally the runtime answers
//! `{"apiUrl":"","auth":{"kind":"dev"},"phone":{"kind":"simulator"}}`; deployed, the CDK stack
//! writes the Cognito and Twilio details. A file that breaks the contract stops the page with the
//! contract's message (which key to fix): nothing falls back to local defaults.

import { signal } from '@preact/signals';
import type { PageConfig } from './config-contract';
import { parsePageConfig } from './config-contract';

export type { AuthConfig, PageConfig, PhoneConfig } from './config-contract';

/** The loaded configuration; `null` until {@link loadConfig} has finished. */
export const config = signal<PageConfig | null>(null);

/** Fetches `/config.json`, checks it against the contract and stores it in {@link config}. */
export async function loadConfig(): Promise<PageConfig> {
  const res = await fetch('/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  let raw: unknown;
  try {
    raw = await res.json();
  } catch {
    throw new Error('config.json: the file is not JSON');
  }
  const value = parsePageConfig(raw);
  config.value = value;
  return value;
}

/** The API's base URL (empty, the page's own origin, before the config is loaded and locally). */
export function apiBase(): string {
  return config.peek()?.apiUrl ?? '';
}
