//! Accessible tabs: a tablist whose arrow keys move between tabs, one panel shown.

import type { ComponentChildren } from 'preact';

export interface TabSpec {
  id: string;
  label: string;
}

interface Props {
  idPrefix: string;
  tabs: TabSpec[];
  active: string;
  onSelect: (id: string) => void;
  label: string;
  children: ComponentChildren;
}

export function Tabs({ idPrefix, tabs, active, onSelect, label, children }: Props) {
  const move = (e: KeyboardEvent, i: number) => {
    let j: number;
    if (e.key === 'ArrowRight') j = (i + 1) % tabs.length;
    else if (e.key === 'ArrowLeft') j = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = tabs.length - 1;
    else return;
    e.preventDefault();
    const next = tabs[j];
    if (!next) return;
    onSelect(next.id);
    document.getElementById(`${idPrefix}-tab-${next.id}`)?.focus();
  };
  return (
    <div class="tabs">
      <div role="tablist" aria-label={label} class="tablist">
        {tabs.map((tab, i) => (
          <button
            type="button"
            role="tab"
            id={`${idPrefix}-tab-${tab.id}`}
            key={tab.id}
            aria-selected={tab.id === active}
            aria-controls={`${idPrefix}-panel`}
            tabIndex={tab.id === active ? 0 : -1}
            class="tab"
            onClick={() => onSelect(tab.id)}
            onKeyDown={(e) => move(e, i)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${idPrefix}-panel`} aria-labelledby={`${idPrefix}-tab-${active}`} class="tabpanel">
        {children}
      </div>
    </div>
  );
}
