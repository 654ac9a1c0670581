//! What a call does to the rest of the page: the one interface between the call model
//! (`model.ts`) and the page's other state. A transition changes the call's own state and says
//! what else follows through these effects; it never reaches into customer, memo, entry,
//! history, presence or notice state itself, and it never waits on the network. The page's
//! implementation is `page.ts`; the model's tests pass a recording one. Also here: the small
//! helpers the call's models share.

import type { ReadonlySignal, Signal } from '@preact/signals';
import type { Handoff, LiveCall, ScreenTransfer } from '../../api/calls';
import type { Notice } from '../notice';

/** How a call the operator handles has their memo (see {@link CallEffects.memo}). */
export type MemoStart =
  /** A call answered or placed: notes typed before any call go with it. */
  | 'answered'
  /** Back in a call after a reload or a dropped leg: the server's memo, merged with this page's. */
  | 'rejoined'
  /** A transfer answered: kept on this page (from the screen transfer) until the call is mine. */
  | 'transferTarget';

/** The effects of the call's transitions on the rest of the page. */
export interface CallEffects {
  /** The signed-in operator's id. */
  me(): string;
  /** Now, in milliseconds since the epoch. */
  now(): number;
  /** The one line of news in the operation menu. */
  notice: {
    say(kind: Notice['kind'], text: string, action?: Notice['action']): void;
    clear(): void;
  };
  /** Customer info (取引先情報). */
  customer: {
    /** Looks the number up and shows the customer, tied to the call; `chosen` picks the records. */
    popUp(number: string, sid: string | null, chosen?: { account?: string; contact?: string }): void;
    /** Whether Customer info shows this number already (looked up or typed so). */
    shows(number: string): boolean;
    /** Ties what Customer info shows to the call (records registered now link to it). */
    link(sid: string): void;
  };
  /** The conversation memo of the call. */
  memo: {
    /** The operator handles the call now: the memo is this call's (`screen`: a transfer's). */
    start(sid: string, how: MemoStart, screen: ScreenTransfer | null): void;
    /** A transfer completed: the memo is saved from now on, merged with the server's. */
    takeOver(sid: string, screen: ScreenTransfer | null): void;
    /** The call is no longer this operator's: the memo stops being saved. */
    release(): void;
  };
  /** Data entry (データ登録). */
  entry: {
    /** A screen transfer arrived with an answered transfer from `from`. */
    screenArrived(handoff: Handoff, from: string): void;
    /** The call went to another operator with this draft inquiry (JSON): it is not left here. */
    handedOver(sentDraft: string | null): void;
  };
  /** The operator's status, which the server changes as calls come and go. */
  presence: {
    changed(): void;
    /** Whether the operator is 受付可 (a refused dial says why). */
    available(): boolean;
  };
  /** Call history (対応履歴): the calls tab is read again after `delayMs`. */
  history: {
    changed(delayMs: number): void;
  };
  /** This page's softphone. */
  phone: {
    /** Hangs one of its legs up (a leg already gone is fine). */
    drop(leg: string): void;
    /** Declines a ring (the server offers the call to someone else). */
    decline(leg: string): void;
  };
  /** The call's live state on the server, read while the call lasts. */
  live: {
    follow(sid: string): void;
    unfollow(): void;
  };
}

/** A call's live state says it is over. */
export function isEnded(l: LiveCall): boolean {
  return !!l.call.ended_at || ENDED.has(l.call.status);
}

/** Whether the participant labelled `label` is in the call's conference. */
export function joined(l: LiveCall, label: string): boolean {
  return l.participants.some((p) => p.label === label && p.state === 'joined');
}

/** A model's signal as others see it: only the model's transitions write it. */
export function readOnly<T>(s: Signal<T>): ReadonlySignal<T> {
  return s;
}

const ENDED = new Set(['completed', 'abandoned', 'failed', 'busy', 'no_answer', 'canceled']);
