//! The operation menu's actions (発信応答, 切断, 保留, 転送, 架電リスト, タスク). The menu renders a
//! button for each; an action nobody registered is shown disabled with the reason why. The phone
//! layer registers its handlers with {@link registerOperations}.

import type { ReadonlySignal } from '@preact/signals';
import { signal } from '@preact/signals';

export type OperationId = 'dialAnswer' | 'hangUp' | 'hold' | 'transfer' | 'callList' | 'tasks';

/** The menu's buttons, in order. */
export const OPERATION_IDS: readonly OperationId[] = ['dialAnswer', 'hangUp', 'hold', 'transfer', 'callList', 'tasks'];

/** An action of the menu. */
export interface Operation {
  /** Runs the action; a rejection is shown under the menu. */
  run(): void | Promise<void>;
  /** Why the action cannot run now (translated), or `null` when it can. */
  disabledReason?: ReadonlySignal<string | null>;
  /** For toggles (保留): whether it is on; rendered as `aria-pressed`. */
  pressed?: ReadonlySignal<boolean>;
}

/** The registered actions. */
export const operations = signal<Partial<Record<OperationId, Operation>>>({});

/** Registers (or replaces) actions; returns the function that removes them again. */
export function registerOperations(ops: Partial<Record<OperationId, Operation>>): () => void {
  operations.value = { ...operations.value, ...ops };
  return () => {
    const next = { ...operations.value };
    for (const id of Object.keys(ops) as OperationId[]) {
      if (next[id] === ops[id]) delete next[id];
    }
    operations.value = next;
  };
}
