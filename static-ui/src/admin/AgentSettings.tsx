//! Two admin sections: where operators may call (発信先の制限: the allowed countries; premium-rate
//! numbers never) and the keyboard shortcuts. A shortcut's field takes the combination pressed in
//! it (Ctrl+Alt+K), or it can be typed; empty turns the shortcut off. The server checks both.

import type { components } from '../api/schema.gen';
import { t } from '../i18n';
import '../components/agent.css';
import { ACTIONS, DEFAULT_SHORTCUTS, actionLabel, comboOf } from '../state/shortcuts';
import type { Shortcuts } from '../state/shortcuts';

type Dialing = components['schemas']['Dialing'];

export const DEFAULT_DIALING: Dialing = { allowed_countries: ['JP'] };

export function DialingEditor({ value, set }: { value: Dialing | undefined; set: (v: Dialing) => void }) {
  const v = value ?? DEFAULT_DIALING;
  return (
    <label class="dialing-countries">
      {t('admin.dialing.countries')}
      <input
        id="dialing-countries"
        type="text"
        autoComplete="off"
        value={v.allowed_countries.join(', ')}
        onInput={(e) =>
          set({
            allowed_countries: e.currentTarget.value
              .split(/[,、\s]+/)
              .map((c) => c.trim())
              .filter(Boolean),
          })
        }
      />
    </label>
  );
}

export function ShortcutsEditor({ value, set }: { value: Shortcuts | undefined; set: (v: Shortcuts) => void }) {
  const v = value ?? DEFAULT_SHORTCUTS;
  return (
    <div class="shortcut-editor">
      {ACTIONS.map((a) => (
        <label key={a}>
          {actionLabel(a)}
          <input
            id={`shortcut-${a}`}
            type="text"
            autoComplete="off"
            value={v[a]}
            onKeyDown={(e) => {
              const combo = comboOf(e);
              if (combo && (e.ctrlKey || e.altKey || e.metaKey || /^F\d/.test(combo.split('+').pop() ?? ''))) {
                e.preventDefault();
                set({ ...v, [a]: combo });
              }
            }}
            onInput={(e) => set({ ...v, [a]: e.currentTarget.value.trim() })}
          />
        </label>
      ))}
    </div>
  );
}
