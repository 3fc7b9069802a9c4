/**
 * The largest id a row can have: ids are 32-bit integers on both engines (PostgreSQL's `integer`
 * refuses more with an error, where SQLite would take it). An id from a request beyond it names
 * nothing.
 */
export const maxRowId = 2_147_483_647;

/** Whether `id` can name a row: a whole number from 1 to maxRowId. */
export function isRowId(id: number): boolean {
  return Number.isInteger(id) && id >= 1 && id <= maxRowId;
}
