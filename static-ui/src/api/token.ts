//! The `token` resource: a Voice access token for the signed-in operator's softphone.

import { get } from './client';

export interface VoiceToken {
  /** The JWT `new Device(token)` (or the simulator's phone channel) takes. */
  token: string;
  /** The Twilio client identity the token registers (`op_sato`). */
  identity: string;
  /** RFC 3339. */
  expires_at: string;
}

export const voiceToken = () => get<VoiceToken>('/api/token');
