//! Working a call list (架電リスト), as the manual describes: pick a list, click a target (or
//! take the next one), its number and customer show in Customer info with the list's line
//! chosen, 発信応答 dials it; when the call ends, the result is recorded (完了 / 不在 / 再架電 with
//! the response status and memo). The target is leased meanwhile, so no two operators call it.
//! The lease survives a reload of this tab. When the server has no call lists (`/api/call-lists`
//! answers 404), the menu entry stays disabled and says so.

import { computed, effect, signal } from '@preact/signals';
import { ApiError } from '../api/client';
import { currentUser } from '../auth';
import type { CallList, Lease, Outcome, Target } from '../api/callLists';
import * as dl from '../api/callLists';
import { errorText } from '../api/errors';
import { nationalPhone } from '../format';
import { labelOf, t } from '../i18n';
import { popUp } from './customer';
import { chooseLine, listScriptId } from './lines';
import { memoCallSid, memoText, resetMemo, responseStatus, setMemoSaver } from './memo';
import { say } from './notice';
import { registerOperations } from './operations';
import { activeCall } from './call/current';

/** `unknown` until asked, then whether the server has call lists. */
export const callListsServed = signal<'unknown' | 'yes' | 'no'>('unknown');
export const callListOpen = signal(false);
export const step = signal<'lists' | 'targets' | 'result'>('lists');
export const lists = signal<CallList[] | null>(null);
export const currentList = signal<CallList | null>(null);
export const targets = signal<Target[] | null>(null);
export const listError = signal<string | null>(null);
export const listBusy = signal(false);

/** The target I hold, the list it is on, and the call made to it. */
export interface Worked {
  /** Who leased it (a lease kept in this tab is not the next user's). */
  operatorId: string;
  list: { id: string; name: string };
  lease: Lease;
  callSid: string | null;
  /** Whether the call to it was answered. */
  connected: boolean;
}
export const worked = signal<Worked | null>(load());

const STORAGE = 'console.callList';

function load(): Worked | null {
  try {
    const raw = sessionStorage.getItem(STORAGE);
    return raw ? (JSON.parse(raw) as Worked) : null;
  } catch {
    return null;
  }
}

function setWorked(w: Worked | null): void {
  worked.value = w;
  listScriptId.value = w?.lease.script_id ?? null;
  if (w) sessionStorage.setItem(STORAGE, JSON.stringify(w));
  else sessionStorage.removeItem(STORAGE);
}

async function busy<T>(fn: () => Promise<T>): Promise<T | undefined> {
  listBusy.value = true;
  listError.value = null;
  try {
    return await fn();
  } catch (e) {
    listError.value = errorText(e);
    return undefined;
  } finally {
    listBusy.value = false;
  }
}

export async function loadLists(): Promise<void> {
  const page = await busy(() => dl.listLists());
  if (page) lists.value = page.items;
}

/** Opens the call-list dialog: the result form while a target is held, else the lists. */
export function openCallLists(): void {
  callListOpen.value = true;
  if (worked.peek()) {
    step.value = 'result';
    return;
  }
  step.value = currentList.peek() ? 'targets' : 'lists';
  void loadLists();
  if (currentList.peek()) void chooseList(currentList.peek() as CallList);
}

export async function chooseList(list: CallList): Promise<void> {
  currentList.value = list;
  step.value = 'targets';
  targets.value = null;
  const page = await busy(() => dl.queue(list.id));
  if (page) targets.value = page.items;
}

/** Shows the leased target in Customer info and chooses the list's line. */
function work(list: CallList, lease: Lease): void {
  // The memo under the new customer is theirs: the previous call's (stored, or kept by the
  // outbox until it is) is not shown under them until 発信応答.
  if (memoCallSid.peek()) {
    setMemoSaver(null);
    resetMemo(null);
  }
  setWorked({ operatorId: currentUser.peek()?.id ?? '', list: { id: list.id, name: list.name }, lease, callSid: null, connected: false });
  const tg = lease.target;
  // A customer behind a switchboard: the extension goes with the number, pressed once the line answers.
  void popUp(tg.phone_extension ? `${tg.phone};ext=${tg.phone_extension}` : tg.phone, undefined, {
    ...(tg.account_id ? { account: tg.account_id } : {}),
    ...(tg.contact_id ? { contact: tg.contact_id } : {}),
  });
  chooseLine(lease.line.id);
  callListOpen.value = false;
  say('info', t('callList.ready', { name: tg.name, phone: tg.phone_display || nationalPhone(tg.phone), line: labelOf(lease.line) }));
}

/** Takes a target of the queue (leases it). */
export async function take(target: Target): Promise<void> {
  const list = currentList.peek();
  if (!list) return;
  const lease = await busy(() => dl.lease(list.id, target.id));
  if (lease) work(list, lease);
  else void chooseList(list);
}

/** Takes the next target nobody holds. */
export async function takeNext(): Promise<void> {
  const list = currentList.peek();
  if (!list) return;
  listBusy.value = true;
  listError.value = null;
  try {
    const lease = await dl.leaseNext(list.id);
    if (lease) work(list, lease);
    else listError.value = t('callList.nothingLeft');
  } catch (e) {
    listError.value = errorText(e);
  } finally {
    listBusy.value = false;
  }
}

/** Gives the held target back without a result. */
export async function releaseWorked(): Promise<void> {
  const w = worked.peek();
  if (!w) return;
  await busy(async () => {
    try {
      await dl.release(w.list.id, w.lease.target.id);
    } catch (e) {
      // Not mine any more (the lease ran out): nothing to give back.
      if (!(e instanceof ApiError && e.status === 409)) throw e;
    }
    setWorked(null);
    callListOpen.value = false;
    say('info', t('callList.released', { name: w.lease.target.name }));
  });
}

/** Records the result of the held target and lets it go. */
export async function recordResult(input: { outcome: Outcome; responseStatus: string; memo: string; callbackAt: string | null }): Promise<boolean> {
  const w = worked.peek();
  if (!w) return false;
  if (!input.responseStatus) {
    listError.value = t('callList.needStatus');
    return false;
  }
  if (input.outcome === 'callback' && !input.callbackAt) {
    listError.value = t('callList.needCallback');
    return false;
  }
  const done = await busy(() =>
    dl.recordResult(w.list.id, w.lease.target.id, {
      outcome: input.outcome,
      response_status: input.responseStatus,
      ...(w.callSid ? { call_sid: w.callSid } : {}),
      ...(input.memo.trim() ? { memo: input.memo } : {}),
      ...(input.outcome === 'callback' && input.callbackAt ? { callback_at: input.callbackAt } : {}),
    }),
  );
  if (!done) return false;
  setWorked(null);
  callListOpen.value = false;
  say('ok', t('callList.recorded', { name: w.lease.target.name }));
  return true;
}

/** What the result form starts with: the call's outcome, memo and response status. */
export const resultDefaults = computed((): { outcome: Outcome; responseStatus: string; memo: string } => {
  const w = worked.value;
  return {
    outcome: w?.connected ? 'done' : 'no_answer',
    responseStatus: responseStatus.value ?? '',
    memo: memoText.value,
  };
});

/**
 * Follows the calls: the call dialled to the held target is remembered with it, and when it
 * ends the result form opens.
 */
function followCalls(): () => void {
  let onIt = false;
  return effect(() => {
    const c = activeCall.value;
    const w = worked.peek();
    if (c && w && c.direction === 'outbound' && c.sid && c.customer === w.lease.target.phone) {
      const connected = w.connected || c.phase === 'connected' || c.phase === 'held';
      if (w.callSid !== c.sid || w.connected !== connected) setWorked({ ...w, callSid: c.sid, connected });
      onIt = true;
    } else if (!c && onIt) {
      onIt = false;
      if (worked.peek()) {
        step.value = 'result';
        callListOpen.value = true;
      }
    }
  });
}

/** Asks the server whether it serves call lists and registers the menu entry; returns the stop function. */
export function startCallListMenu(): () => void {
  if (worked.peek() && worked.peek()?.operatorId !== currentUser.peek()?.id) setWorked(null);
  listScriptId.value = worked.peek()?.lease.script_id ?? null;
  dl.listLists()
    .then((page) => {
      callListsServed.value = 'yes';
      lists.value = page.items;
    })
    .catch((e: unknown) => {
      // Any other failure shows when the list is opened.
      callListsServed.value = e instanceof ApiError && e.status === 404 ? 'no' : 'yes';
    });
  const stopFollowing = followCalls();
  const unregister = registerOperations({
    callList: {
      run: openCallLists,
      disabledReason: computed(() =>
        callListsServed.value === 'no' ? t('callList.notServed') : callListsServed.value === 'unknown' ? t('callList.checking') : null,
      ),
    },
  });
  return () => {
    stopFollowing();
    unregister();
    listScriptId.value = null;
  };
}
