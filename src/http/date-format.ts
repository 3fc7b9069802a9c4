// Dates on public pages, in one fixed time zone (UTC) so every reader sees the same text.
import { LRUCache } from 'lru-cache';

const dateFormat = new Intl.DateTimeFormat('en-US', {
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  timeZone: 'UTC',
});
const timeFormat = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' });

// Intl formatting costs about a microsecond a call, more under load: twice per comment on every
// page rendered for one visitor, and once for the post. The text changes only once a minute (a
// date, once a day), so it is kept by the minute and by the day, each worked out from its start.
const minuteMs = 60_000;
const dayMs = 86_400_000;
const dateTimeByMinute = new LRUCache<number, string>({
  max: 20_000,
  memoMethod: (minute) => {
    const start = new Date(minute * minuteMs);
    return `${dateFormat.format(start)} at ${timeFormat.format(start)}`;
  },
});
const dateByDay = new LRUCache<number, string>({
  max: 5_000,
  memoMethod: (day) => dateFormat.format(new Date(day * dayMs)),
});

/** "November 29, 2026" */
export function formatDate(date: Date): string {
  return dateByDay.memo(Math.floor(date.getTime() / dayMs));
}

/** "November 29, 2026 at 1:45 PM" */
export function formatDateTime(date: Date): string {
  return dateTimeByMinute.memo(Math.floor(date.getTime() / minuteMs));
}
