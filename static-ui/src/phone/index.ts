//! Where the softphone comes from. `config.phone` picks the implementation: `twilio` (the
//! Twilio Voice JS SDK, deployed) or `simulator` (the local runtime's simulated phone). Neither
//! exists yet, so this returns `null` and the operation menu stays disabled.
//!
//! To wire one: add `phone/twilio.ts` / `phone/simulator.ts` implementing `Phone`
//! (state/phone.ts), and import it here with a dynamic `import()` so it becomes a lazy chunk —
//! the Twilio SDK alone is about 66 KB gzip and the initial bundle's budget is 80 KB. Then, in
//! the implementation: keep `activeCall` current, call `popUp(number, callSid)` (state/customer.ts)
//! and `resetMemo(callSid)` (state/memo.ts) when a call starts, and register the menu's actions
//! with `registerOperations` (state/operations.ts).

import type { PageConfig } from '../config';
import type { Phone } from '../state/phone';

/** Creates and starts the softphone for the signed-in operator, or `null` when there is none. */
export function startPhone(config: PageConfig): Promise<Phone | null> {
  switch (config.phone) {
    // case 'twilio': return import('./twilio').then((m) => m.createTwilioPhone(config));
    // case 'simulator': return import('./simulator').then((m) => m.createSimulatorPhone(config));
    default:
      return Promise.resolve(null);
  }
}
