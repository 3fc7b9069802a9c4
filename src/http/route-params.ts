import { isRowId } from '../shared/row-id';

/** A route's numeric id parameter; 0 (which matches no row) for anything that is not one. */
export function numericParam(value: string | undefined): number {
  const id = value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : 0;
  return isRowId(id) ? id : 0;
}
