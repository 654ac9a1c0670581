// Prints the gzip size of the JavaScript the operator screen loads first (the entry chunk and
// the chunks it imports statically, read from Vite's manifest) and fails above the budget.
// Lazily imported chunks (the dialogs opened on a click, their words, the admin, supervisor and
// call-list pages) are listed with their sizes but not counted.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const BUDGET = 80 * 1024;
const dist = new URL('../dist/', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8'));

const entry = Object.keys(manifest).find((k) => manifest[k].isEntry);
if (!entry) {
  console.error('check-size: no entry chunk in the manifest');
  process.exit(1);
}
const initial = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || initial.has(chunk.file)) return;
  initial.add(chunk.file);
  for (const dep of chunk.imports ?? []) visit(dep);
};
visit(entry);

const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
let total = 0;
for (const file of initial) {
  const size = gz(file);
  total += size;
  console.log(`  initial  ${file}  ${kb(size)} gzip`);
}
const lazy = new Set();
for (const chunk of Object.values(manifest)) {
  if (chunk.file.endsWith('.js') && !initial.has(chunk.file)) lazy.add(chunk.file);
}
for (const file of lazy) console.log(`  lazy     ${file}  ${kb(gz(file))} gzip`);
console.log(`initial JS: ${kb(total)} gzip (budget ${kb(BUDGET)}, ${kb(BUDGET - total)} left)`);
if (total > BUDGET) {
  console.error(`check-size: the initial JS is over budget by ${kb(total - BUDGET)}`);
  process.exit(1);
}
