//! Formatting for people: dates and times in Japan's conventions, durations, and phone numbers
//! in national form.

import { lang } from './i18n';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const WEEKDAYS_JA = ['日', '月', '火', '水', '木', '金', '土'];
const WEEKDAYS_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026年11月23日(月)` / `Mon 23 Nov 2026`. */
export function longDate(d: Date): string {
  if (lang.value === 'en') {
    return `${WEEKDAYS_EN[d.getDay()]} ${d.getDate()} ${MONTHS_EN[d.getMonth()]} ${d.getFullYear()}`;
  }
  return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日(${WEEKDAYS_JA[d.getDay()]})`;
}

/** `14:05:09`. */
export function clockTime(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `2026/11/23 14:05` from an RFC 3339 timestamp (local time). */
export function dateTime(iso: string | undefined | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** `m:ss` or `h:mm:ss`. */
export function duration(seconds: number | undefined | null): string {
  if (seconds === undefined || seconds === null) return '';
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

/**
 * A Japanese E.164 number in the national form an operator reads. The API gives display forms
 * for records; this covers numbers it gives in E.164 only (lines, call history), with the common
 * area-code lengths (03/06, 0120, 050/070/080/090, otherwise three digits). An extension a record
 * keeps after the number (`+81312345678;ext=123`) is shown after it: `03-1234-5678 内線 123`.
 */
export function nationalPhone(e164: string | undefined | null): string {
  if (!e164) return '';
  const ext = /;ext=(\d+)$/.exec(e164);
  if (ext) return `${nationalPhone(e164.slice(0, ext.index))} ${lang.value === 'en' ? 'ext.' : '内線'} ${ext[1]}`;
  if (!e164.startsWith('+81')) return e164;
  const n = `0${e164.slice(3)}`;
  if (/^0(120|800)/.test(n)) return `${n.slice(0, 4)}-${n.slice(4, 7)}-${n.slice(7)}`;
  if (/^0[5789]0/.test(n) && n.length === 11) return `${n.slice(0, 3)}-${n.slice(3, 7)}-${n.slice(7)}`;
  if (/^0[36]/.test(n) && n.length === 10) return `${n.slice(0, 2)}-${n.slice(2, 6)}-${n.slice(6)}`;
  if (n.length === 10) return `${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`;
  return n;
}

/** An RFC 3339 timestamp as the value of an `<input type="datetime-local">`. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value as RFC 3339 with this browser's offset (`+09:00` in Japan). */
export function fromLocalInput(v: string): string {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return v;
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** One line of at most `max` characters. */
export function excerpt(s: string | undefined | null, max = 40): string {
  if (!s) return '';
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** `11/23 14:05` this year, `2025/11/23` before (history lists). */
export function shortDateTime(iso: string | undefined | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (d.getFullYear() !== new Date().getFullYear()) return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())}`;
  return `${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
