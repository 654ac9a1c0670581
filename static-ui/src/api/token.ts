//! The `token` resource: a Voice access token for the signed-in operator's softphone.

import { get } from './client';
import type { components } from './schema.gen';

/** The JWT `new Device(token)` (or the simulator's phone channel) takes, its client identity and expiry. */
export type VoiceToken = components['schemas']['VoiceToken'];

export const voiceToken = () => get<VoiceToken>('/api/token');
