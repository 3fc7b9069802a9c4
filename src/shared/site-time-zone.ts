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

/** The zone as its owner would name it: "Europe/Lisbon (UTC+1)"; "UTC" alone. */
export function zoneLabel(zone: string, at: Date): string {
  if (zone === 'UTC') return 'UTC';
  const offset = DateTime.fromJSDate(at, { zone }).toFormat('ZZ');
  return `${zone} (UTC${offset === '+00:00' ? '' : offset.replace(/:00$/, '')})`;
}
