//! The page's runtime configuration, read once from `/config.json` before anything renders.
//! Locally the runtime answers `{"mode":"local","auth":"dev","phone":"simulator","api_base":""}`;
//! deployed, the same file says `"auth":"cognito"` with the user pool's details.

import { signal } from '@preact/signals';

/** Cognito details the deployed config carries (used once Cognito sign-in is wired). */
export interface CognitoConfig {
  region?: string;
  user_pool_id?: string;
  client_id?: string;
  domain?: string;
}

/** What `/config.json` says. */
export interface PageConfig {
  mode: string;
  auth: 'dev' | 'cognito';
  /** `simulator` locally, `twilio` deployed. */
  phone: string;
  /** Prefix of every API path; empty when the API is on the page's own origin. */
  api_base: string;
  cognito?: CognitoConfig;
}

/** The loaded configuration; `null` until {@link loadConfig} has finished. */
export const config = signal<PageConfig | null>(null);

/** Fetches `/config.json`, checks its shape and stores it in {@link config}. */
export async function loadConfig(): Promise<PageConfig> {
  const res = await fetch('/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  const raw = (await res.json()) as Partial<PageConfig>;
  const value: PageConfig = {
    mode: typeof raw.mode === 'string' ? raw.mode : 'local',
    auth: raw.auth === 'cognito' ? 'cognito' : 'dev',
    phone: typeof raw.phone === 'string' ? raw.phone : 'simulator',
    api_base: typeof raw.api_base === 'string' ? raw.api_base.replace(/\/$/, '') : '',
    ...(raw.cognito ? { cognito: raw.cognito } : {}),
  };
  config.value = value;
  return value;
}

/** The API prefix (empty before the config is loaded, which is the same-origin default). */
export function apiBase(): string {
  return config.peek()?.api_base ?? '';
}
