// Dates on public pages, in the site's time zone (TIME_ZONE), so every reader sees the same text.
import { LRUCache } from 'lru-cache';

export interface DateFormats {
  /** "November 29, 2026" */
  formatDate: (date: Date) => string;
  /** "November 29, 2026 at 1:45 PM" */
  formatDateTime: (date: Date) => string;
}

// Intl formatting costs about a microsecond a call, more under load: twice per comment on every
// page rendered for one visitor, and once for the post. The text changes only once a minute (a
// date, once a day), so it is kept by the minute, and the date by the quarter hour (every zone's
// offset from UTC is a whole number of quarter hours, so a day starts on one).
const minuteMs = 60_000;
const quarterHourMs = 15 * minuteMs;

/** Date formats for one time zone (an IANA name, checked by the configuration). */
export function createDateFormats(timeZone: string): DateFormats {
  const dateFormat = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone });
  const timeFormat = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', timeZone });
  const dateTimeByMinute = new LRUCache<number, string>({
    max: 20_000,
    memoMethod: (minute) => {
      const start = new Date(minute * minuteMs);
      return `${dateFormat.format(start)} at ${timeFormat.format(start)}`;
    },
  });
  const dateByQuarterHour = new LRUCache<number, string>({
    max: 20_000,
    memoMethod: (quarter) => dateFormat.format(new Date(quarter * quarterHourMs)),
  });
  return {
    formatDate: (date) => dateByQuarterHour.memo(Math.floor(date.getTime() / quarterHourMs)),
    formatDateTime: (date) => dateTimeByMinute.memo(Math.floor(date.getTime() / minuteMs)),
  };
}
