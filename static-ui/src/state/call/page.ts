//! The page's side of a call, and the one module of the call layer that reaches into the page's
//! other state. It implements {@link CallEffects} (but for the softphone and the live-state
//! follower, which are the controller's) on:
//! - `customer`: the pop-up, whether a number is shown already, tying the records to the call;
//! - `memo` (and the memos API): the memo of the call, saved while the call is this operator's;
//! - `entry`: a screen transfer's draft inquiry filled in, a handed-over draft cleared;
//! - `presence`, `history` and `notice`;
//! and gives the call's actions what they read from the page: the number to dial, the line,
//! what this screen shows for a screen transfer (`settings` for the response statuses), and who
//! the operator is talking to.

import { computed } from '@preact/signals';
import type { Handoff, ScreenTransfer } from '../../api/calls';
import { errorText } from '../../api/errors';
import type { Memo } from '../../api/memos';
import { getMemo, saveMemo as putMemo } from '../../api/memos';
import { currentUser } from '../../auth';
import { nationalPhone } from '../../format';
import { t } from '../../i18n';
import { account, accountId, callSid as customerCallSid, contact, contactId, lookupResult, phoneInput, popUp } from '../customer';
import { dirty, draftOf, openNew, resetForm } from '../entry';
import { CALLS_TAB, loadTab, tabs } from '../history';
import { selectedLine } from '../lines';
import type { MemoSaver, MemoVersion } from '../memo';
import { memoCallSid, memoText, rebaseMemo, resetMemo, responseStatus, saveMemo, saveState, setMemoSaver } from '../memo';
import { startMemoOutbox } from '../memoOutbox';
import { clearNotice, say } from '../notice';
import { presence, refreshPresence } from '../presence';
import { settings } from '../settings';
import { activeCall } from './current';
import type { CallEffects, MemoStart } from './effects';

// The memo of a call ------------------------------------------------------------------------------

const memoSaver: MemoSaver = async (d, opts) => {
  if (!d.callSid) throw new Error(t('memo.noCall'));
  return fromServer(await putMemo(d.callSid, { version: d.version, text: d.text, responseStatus: d.responseStatus, changesStatus: d.changesStatus ?? false }, opts));
};

function fromServer(m: Memo): MemoVersion {
  return { text: m.text, responseStatus: m.response_status ?? null, version: m.version };
}

/** What a screen transfer carried of the memo: where a transfer's target starts from. */
function memoOfScreen(screen: ScreenTransfer | null): { text: string; responseStatus: string | null } {
  return { text: screen?.memo ?? '', responseStatus: screen?.response_status ?? null };
}

/**
 * Saves what is typed before the call changes hands or ends (a save after that is refused);
 * one waiting for a retry is tried at once.
 */
export async function flushMemo(): Promise<void> {
  const state = saveState.peek();
  if (state === 'unsaved' || state === 'pending') await saveMemo();
}

/**
 * Keeps the signed-in operator's memos that are not stored yet (earlier calls', kept in this
 * browser) and tries them as they fall due; returns the stop function.
 */
export function keepUnsavedMemos(): () => void {
  const me = currentUser.peek()?.id;
  return me ? startMemoOutbox(me, memoSaver) : () => undefined;
}

async function startMemo(sid: string, how: MemoStart, screen: ScreenTransfer | null): Promise<void> {
  if (memoCallSid.peek() === sid && how !== 'transferTarget') {
    // Rejoined, or reloaded during the call: the memo on this page is this call's.
    setMemoSaver(memoSaver);
    try {
      rebaseMemo(fromServer(await getMemo(sid)), { text: memoText.peek(), responseStatus: responseStatus.peek() });
    } catch {
      /* the saver's 409 settles it later */
    }
    return;
  }
  await flushMemo();
  if (how === 'transferTarget') {
    // Not mine until the transfer completes: kept on the page, merged with the server's then.
    setMemoSaver(null);
    resetMemo(sid, { ...memoOfScreen(screen), version: 0 });
    // What came with the screen is what the first operator saved before handing over: the badge
    // says 保存済み until something is typed here.
    if (screen?.memo || screen?.response_status) saveState.value = 'saved';
    return;
  }
  if (how === 'rejoined') {
    resetMemo(sid, fromServer(await getMemo(sid).catch(() => ({ call_sid: sid, text: '', version: 0 }))));
    setMemoSaver(memoSaver);
    return;
  }
  // Notes typed before any call go with this one.
  const carried = memoCallSid.peek() === null && (memoText.peek() || responseStatus.peek());
  resetMemo(sid, carried ? { text: memoText.peek(), responseStatus: responseStatus.peek(), version: 0 } : undefined);
  setMemoSaver(memoSaver);
}

/**
 * The page lost the memo of the call my 後処理 follows (a reload with its stored draft gone, another
 * tab): it is read again and shown, so its response status can still be chosen and saved. A memo
 * already on the page (another call's, or notes typed for the next one) is left alone.
 */
export async function recoverWrapUpMemo(sid: string): Promise<void> {
  const empty = () => memoCallSid.peek() === null && !memoText.peek() && !responseStatus.peek();
  if (!empty()) return;
  const server = await getMemo(sid).catch(() => null);
  if (!server || !empty()) return;
  resetMemo(sid, fromServer(server));
  setMemoSaver(memoSaver);
}

async function takeOverMemo(sid: string, screen: ScreenTransfer | null): Promise<void> {
  const base = memoOfScreen(screen);
  try {
    const server = fromServer(await getMemo(sid));
    setMemoSaver(memoSaver);
    rebaseMemo(server, base);
  } catch (e) {
    setMemoSaver(memoSaver);
    say('warn', t('memo.loadFailed', { detail: errorText(e) }));
  }
}

// The screen transfer -----------------------------------------------------------------------------

/** The handed-over draft fills Data entry (unless the operator has unsaved input there). */
function screenArrived(h: Handoff, from: string): void {
  const draft = h.screen.inquiry;
  const fill = () =>
    openNew(draft?.object ?? 'inquiry', {
      prefill: draft?.fields ?? {},
      accountId: h.screen.account_id ?? null,
      contactId: h.screen.contact_id ?? null,
      followCustomer: true,
    });
  if (!draft) {
    say('ok', t('transfer.screenArrived', { name: from }));
  } else if (dirty.peek()) {
    say('warn', t('transfer.draftKept', { name: from }), { label: t('transfer.applyDraft'), run: fill });
  } else {
    fill();
    say('ok', t('transfer.screenArrived', { name: from }));
  }
}

/** What this screen shows, for the target of a transfer (画面転送). */
export function screenPayload(): ScreenTransfer {
  const notes = [...(account.peek()?.special_notes ?? []), ...(contact.peek()?.special_notes ?? [])]
    .filter((n) => n.label.trim() && n.label.length <= 100)
    .slice(0, 50)
    .map((n) => ({ label: n.label, value: n.value.slice(0, 10_000) }));
  const rs = responseStatus.peek();
  const draft = draftOf();
  return {
    ...(accountId.peek() ? { account_id: accountId.peek() } : {}),
    ...(contactId.peek() ? { contact_id: contactId.peek() } : {}),
    ...(notes.length ? { special_notes: notes } : {}),
    ...(memoText.peek() ? { memo: memoText.peek().slice(0, 10_000) } : {}),
    ...(rs && settings.peek()?.response_statuses.some((s) => s.id === rs) ? { response_status: rs } : {}),
    ...(draft ? { inquiry: draft } : {}),
  };
}

// What the call does to the page ------------------------------------------------------------------

/** {@link CallEffects} on this page's state, but for the softphone and the live-state follower. */
export const pageEffects: Omit<CallEffects, 'phone' | 'live'> = {
  me: () => currentUser.peek()?.id ?? '',
  now: () => Date.now(),
  notice: { say, clear: clearNotice },
  customer: {
    popUp(number, sid, chosen) {
      void popUp(number, sid ?? undefined, chosen);
    },
    shows(number) {
      const r = lookupResult.peek();
      return !!r && (r.phone === number || r.display === number);
    },
    link(sid) {
      if (customerCallSid.peek() !== sid) customerCallSid.value = sid;
    },
  },
  memo: {
    start(sid, how, screen) {
      void startMemo(sid, how, screen);
    },
    takeOver(sid, screen) {
      void takeOverMemo(sid, screen);
    },
    release() {
      setMemoSaver(null);
    },
  },
  entry: {
    screenArrived,
    handedOver(sentDraft) {
      // The draft went with the call: it is not left here to be registered twice.
      if (sentDraft !== null && JSON.stringify(draftOf()) === sentDraft) resetForm();
    },
  },
  presence: {
    changed() {
      void refreshPresence();
    },
    available: () => presence.peek() === 'available',
  },
  history: {
    changed(delayMs) {
      if (!tabs.peek()[CALLS_TAB]) return;
      if (delayMs > 0) setTimeout(() => void loadTab(CALLS_TAB), delayMs);
      else void loadTab(CALLS_TAB);
    },
  },
};

// What the call's actions read from the page -----------------------------------------------------

/** The number 発信 dials: the phone field, or the number looked up. */
export function dialNumber(): string {
  return phoneInput.peek().trim() || lookupResult.peek()?.phone || '';
}

/** The line outbound calls (and consultation calls) use. */
export const outboundLine = selectedLine;

/** Who the operator is talking to, for the status line. */
export const partyName = computed(() => {
  const c = activeCall.value;
  if (!c) return '';
  const r = lookupResult.value;
  const sameNumber = r && (r.phone === c.customer || r.display === c.customer);
  const name = sameNumber ? (contact.value?.record.title ?? account.value?.record.title) : undefined;
  const number = c.customer.startsWith('+') ? nationalPhone(c.customer) : c.customer;
  return name ? `${name}（${number}）` : number || t('call.unknownNumber');
});
