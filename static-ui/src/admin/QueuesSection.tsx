//! The 窓口 section of the admin page: the centre's queues (id, Japanese name, English name), in
//! order, the first being the default one. Lines and IVR menu options name them; operators take
//! them as skills (the users section).

import type { components } from '../api/schema.gen';
import { t } from '../i18n';
import { RowsEditor, TextCell } from './RowsEditor';
import { tq } from './queuesText';

export type Queue = components['schemas']['Queue'];

/** The note shown under the section's title. */
export const queuesNote = () => tq('queues.note');

export function QueuesEditor({ value, set }: { value: Queue[]; set: (v: Queue[]) => void }) {
  return (
    <RowsEditor<Queue>
      id="rows-queues"
      rows={value}
      onChange={set}
      addLabel={tq('queues.add')}
      newRow={() => ({ id: '', name: '' })}
      columns={[
        { key: 'id', label: t('admin.col.id'), render: (r, s, l) => <TextCell mono label={l} value={r.id} onInput={(x) => s({ ...r, id: x })} /> },
        { key: 'name', label: tq('queues.col.name'), render: (r, s, l) => <TextCell label={l} value={r.name} onInput={(x) => s({ ...r, name: x })} /> },
        {
          key: 'name_en',
          label: tq('queues.col.name_en'),
          render: (r, s, l) => (
            <TextCell
              label={l}
              value={r.name_en ?? ''}
              onInput={(x) => {
                const next = { ...r };
                if (x) next.name_en = x;
                else delete next.name_en;
                s(next);
              }}
            />
          ),
        },
      ]}
    />
  );
}
