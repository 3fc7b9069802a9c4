// The site's time zone, for times its owner types (the post editor's date) and reads back.
import { DateTime } from 'luxon';

/** The format of an HTML `datetime-local` field: "2026-12-24T09:30". */
const wallTimeFormat = "yyyy-MM-dd'T'HH:mm";

/** The instant a wall time ("2026-12-24T09:30", seconds allowed) names in `zone`; null if it names none. */
export function instantOfWallTime(wallTime: string, zone: string): Date | null {
  const time = DateTime.fromISO(wallTime, { zone });
  // Only a date and a time of day: no offset or zone of its own.
  if (!time.isValid || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(wallTime)) return null;
  return time.toJSDate();
}

/** `date` as a wall time in `zone`, for a `datetime-local` field. */
export function wallTimeOf(date: Date, zone: string): string {
  return DateTime.fromJSDate(date, { zone }).toFormat(wallTimeFormat);
}

/** The zone as its owner would name it, with its offset now: "Europe/Lisbon, UTC+1"; "UTC" alone. */
export function zoneLabel(zone: string, at: Date): string {
  if (zone === 'UTC') return 'UTC';
  const offset = DateTime.fromJSDate(at, { zone }).toFormat('ZZ');
  return `${zone}, UTC${offset === '+00:00' ? '' : offset.replace(/:00$/, '')}`;
}

/** The instants a calendar month spans in `zone`: [from, to). Null for a month that is not one. */
export function monthSpan(year: number, month: number, zone: string): { from: Date; to: Date } | null {
  const start = DateTime.fromObject({ year, month, day: 1 }, { zone });
  if (!start.isValid) return null;
  return { from: start.toJSDate(), to: start.plus({ months: 1 }).toJSDate() };
}

/** The calendar month `date` falls in, in `zone`. */
export function monthOf(date: Date, zone: string): { year: number; month: number } {
  const time = DateTime.fromJSDate(date, { zone });
  return { year: time.year, month: time.month };
}

/** "December 2026" */
export function monthName(year: number, month: number): string {
  return DateTime.fromObject({ year, month, day: 1 }, { zone: 'UTC' }).setLocale('en-US').toFormat('LLLL yyyy');
}
