// Dates on public pages, in one fixed time zone (UTC) so every reader sees the same text.
import { LRUCache } from 'lru-cache';

const dateFormat = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
const timeFormat = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' });

// Intl formatting costs about a microsecond a call, twice per comment on every page rendered for
// one visitor; the text only changes once a minute, so it is kept by the minute.
const minuteMs = 60_000;
const dateTimeByMinute = new LRUCache<number, string>({ max: 20_000 });

/** "November 29, 2026" */
export function formatDate(date: Date): string {
  return dateFormat.format(date);
}

/** "November 29, 2026 at 1:45 PM" */
export function formatDateTime(date: Date): string {
  const minute = Math.floor(date.getTime() / minuteMs);
  let text = dateTimeByMinute.get(minute);
  if (text === undefined) {
    text = `${dateFormat.format(date)} at ${timeFormat.format(date)}`;
    dateTimeByMinute.set(minute, text);
  }
  return text;
}
