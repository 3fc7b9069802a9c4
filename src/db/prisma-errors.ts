import { Prisma } from '../generated/prisma/client';
import { ConflictError, NotFoundError } from '../errors';

/**
 * Translates Prisma's known request errors by code (never by message text) into the app's
 * errors; anything else is rethrown untouched for the error handler to treat as a 500.
 */
export function translatePrismaError(error: unknown, what: string): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    if (error.code === 'P2002') throw new ConflictError(`That ${what} already exists.`);
    if (error.code === 'P2025') throw new NotFoundError(`That ${what} no longer exists.`);
  }
  throw error;
}
