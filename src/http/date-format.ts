// Dates on public pages, in one fixed time zone (UTC) so every reader sees the same text.

const dateFormat = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
const timeFormat = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' });

/** "November 29, 2026" */
export function formatDate(date: Date): string {
  return dateFormat.format(date);
}

/** "November 29, 2026 at 1:45 PM" */
export function formatDateTime(date: Date): string {
  return `${dateFormat.format(date)} at ${timeFormat.format(date)}`;
}
