// negotiator 1.x ships no types, and @types/negotiator describes 0.6 (without `preferred`).
// Only what marginalia uses.
declare module 'negotiator' {
  import type { IncomingMessage } from 'node:http';

  class Negotiator {
    constructor(request: Pick<IncomingMessage, 'headers'>);
    /** The best of `available` for the Accept-Encoding header; ties go by `preferred`'s order. */
    encoding(available: string[], options?: { preferred?: string[] }): string | undefined;
  }
  export = Negotiator;
}
