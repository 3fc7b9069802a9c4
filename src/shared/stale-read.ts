/**
 * What was read before a write changed meanwhile (another request decided on the same comment, or
 * edited or erased it): the transaction is rolled back, and the caller reads again.
 */
export class StaleReadError extends Error {
  constructor() {
    super('a comment changed while a decision on it was being written');
  }
}
