//! Where the softphone comes from. `config.phone.kind` picks the implementation: `twilio` (the
//! Twilio Voice JS SDK on `phone.edge`, deployed) or `simulator` (the local runtime's simulated
//! phone, at `phone.url` or the API's origin). Each is a lazy chunk: the Twilio SDK alone is
//! about 66 KB gzip and the initial bundle's budget is 80 KB. `state/call.ts` drives whichever
//! is installed.

import type { PageConfig } from '../config';
import type { Phone } from '../state/phone';

/** Creates and starts the softphone for the signed-in operator, or `null` when there is none. */
export function startPhone(config: PageConfig): Promise<Phone | null> {
  const { phone } = config;
  switch (phone.kind) {
    case 'twilio':
      return import('./twilio').then((m) => m.createTwilioPhone(phone.edge));
    case 'simulator':
      return import('./simulator').then((m) => m.createSimulatorPhone(config));
    default:
      return Promise.resolve(null);
  }
}
