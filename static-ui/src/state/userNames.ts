//! The names of the console's users, for the places that carry only an id (who updated a record,
//! who saved it meanwhile): the operators list is read once per page on the first need, and an id
//! whose name is not known (yet) is shown as it is.

import { signal } from '@preact/signals';
import { listOperators } from '../api/operators';

const names = signal<ReadonlyMap<string, string>>(new Map());
let requested = false;

/** The name of user `id`, or the id itself until (or unless) it is known. */
export function userName(id: string): string {
  if (!requested) {
    requested = true;
    listOperators()
      .then((ops) => (names.value = new Map(ops.map((o) => [o.id, o.name]))))
      .catch(() => {
        // Shown by id; asked again on the next need.
        requested = false;
      });
  }
  return names.value.get(id) ?? id;
}
