import session, { type SessionData } from 'express-session';
import type { Database } from '../db/database';
import type { Clock } from '../shared/clock';

const pruneEveryMs = 60 * 60 * 1000;

/**
 * express-session's store on the app's own database connection: moderator sessions survive a
 * restart, and signing out deletes the row, so a copied cookie is worthless afterwards.
 * Expired rows are ignored on read and pruned at most once an hour.
 */
export class PrismaSessionStore extends session.Store {
  private lastPrune = 0;

  constructor(
    private readonly db: Database,
    private readonly idleMs: number,
    private readonly clock: Clock,
  ) {
    super();
  }

  /** A session ends `idleMs` after its last request, by the app's clock (whatever its cookie says). */
  private expiryFromNow(): Date {
    return new Date(this.clock.now().getTime() + this.idleMs);
  }

  override get(sid: string, done: (error: unknown, data?: SessionData | null) => void): void {
    this.db.adminSession
      .findUnique({ where: { sid } })
      .then((row) =>
        done(
          null,
          row && row.expiresAt.getTime() > this.clock.now().getTime() ? (JSON.parse(row.data) as SessionData) : null,
        ),
      )
      .catch(done);
  }

  override set(sid: string, data: SessionData, done?: (error?: unknown) => void): void {
    const row = { data: JSON.stringify(data), expiresAt: this.expiryFromNow() };
    this.db.adminSession
      .upsert({ where: { sid }, create: { sid, ...row }, update: row })
      .then(() => this.pruneExpired())
      .then(() => done?.())
      .catch((error: unknown) => done?.(error));
  }

  override touch(sid: string, data: SessionData, done?: (error?: unknown) => void): void {
    this.db.adminSession
      .updateMany({ where: { sid }, data: { expiresAt: this.expiryFromNow() } })
      .then(() => done?.())
      .catch((error: unknown) => done?.(error));
  }

  override destroy(sid: string, done?: (error?: unknown) => void): void {
    this.db.adminSession
      .deleteMany({ where: { sid } })
      .then(() => done?.())
      .catch((error: unknown) => done?.(error));
  }

  private async pruneExpired(): Promise<void> {
    const now = this.clock.now();
    if (now.getTime() - this.lastPrune < pruneEveryMs) return;
    this.lastPrune = now.getTime();
    await this.db.adminSession.deleteMany({ where: { expiresAt: { lt: now } } });
  }
}
