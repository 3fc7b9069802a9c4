import { createDateFormats } from '../../src/http/date-format';

const { formatDate, formatDateTime } = createDateFormats('UTC');

describe('dates on public pages', () => {
  it('are written in UTC, to the minute', () => {
    expect(formatDate(new Date('2026-11-29T23:59:59Z'))).toBe('November 29, 2026');
    expect(formatDateTime(new Date('2026-11-29T13:45:10Z'))).toBe('November 29, 2026 at 1:45 PM');
  });

  it('kept by the minute, still tell every minute, day and year apart', () => {
    const seen = [
      '2026-11-29T13:45:00.000Z',
      '2026-11-29T13:45:59.999Z',
      '2026-11-29T13:46:00.000Z',
      '2026-11-30T13:45:30.000Z',
      '2027-11-29T13:45:30.000Z',
      '1969-12-31T23:59:30.000Z',
    ].map((iso) => formatDateTime(new Date(iso)));
    // Asked again, in another order: the same answers.
    const again = [
      '1969-12-31T23:59:30Z',
      '2027-11-29T13:45:30Z',
      '2026-11-30T13:45:30Z',
      '2026-11-29T13:46:00Z',
      '2026-11-29T13:45:59.999Z',
      '2026-11-29T13:45:00Z',
    ]
      .map((iso) => formatDateTime(new Date(iso)))
      .reverse();
    expect(seen).toEqual([
      'November 29, 2026 at 1:45 PM',
      'November 29, 2026 at 1:45 PM',
      'November 29, 2026 at 1:46 PM',
      'November 30, 2026 at 1:45 PM',
      'November 29, 2027 at 1:45 PM',
      'December 31, 1969 at 11:59 PM',
    ]);
    expect(again).toEqual(seen);
  });

  it('kept by the day, still tell every day apart', () => {
    const days = [
      '2026-11-29T00:00:00Z',
      '2026-11-29T23:59:59.999Z',
      '2026-11-30T00:00:00Z',
      '1969-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00Z',
      '1969-12-31T00:00:00Z',
    ];
    const seen = [...days, ...days].map((iso) => formatDate(new Date(iso)));
    const once = [
      'November 29, 2026',
      'November 29, 2026',
      'November 30, 2026',
      'December 31, 1969',
      'January 1, 1970',
      'December 31, 1969',
    ];
    expect(seen).toEqual([...once, ...once]);
  });

  it("are written in the site's time zone, days starting at its midnight", () => {
    const lisbon = createDateFormats('Europe/Lisbon');
    // Summer time: UTC+1.
    expect(lisbon.formatDateTime(new Date('2026-07-31T23:30:00Z'))).toBe('August 1, 2026 at 12:30 AM');
    expect(lisbon.formatDate(new Date('2026-07-31T22:59:59Z'))).toBe('July 31, 2026');
    expect(lisbon.formatDate(new Date('2026-07-31T23:00:00Z'))).toBe('August 1, 2026');
    const kathmandu = createDateFormats('Asia/Kathmandu'); // UTC+5:45
    expect(kathmandu.formatDate(new Date('2026-07-31T18:14:59Z'))).toBe('July 31, 2026');
    expect(kathmandu.formatDate(new Date('2026-07-31T18:15:00Z'))).toBe('August 1, 2026');
    expect(kathmandu.formatDateTime(new Date('2026-07-31T18:15:00Z'))).toBe('August 1, 2026 at 12:00 AM');
  });
});
