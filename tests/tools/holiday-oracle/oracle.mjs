// Prints the national holidays of @holiday-jp/holiday_jp between two years (arguments) as JSON
// lines: {"date": "YYYY-MM-DD", "name": "..."}.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const holidays = require('@holiday-jp/holiday_jp/lib/holidays.js');
const [from, to] = process.argv.slice(2).map(Number);
for (const [date, h] of Object.entries(holidays)) {
  const year = Number(date.slice(0, 4));
  if (year >= from && year <= to) process.stdout.write(`${JSON.stringify({ date, name: h.name })}\n`);
}
