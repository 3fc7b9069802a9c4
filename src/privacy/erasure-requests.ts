import { z } from 'zod';
import { renderMailHtml } from '../notifications/mail-views';
import type { SignedTokens } from '../notifications/signed-tokens';
import type { Clock } from '../shared/clock';
import type { CommenterDataRepository } from './commenter-data-repository';
import { erasureLinkLifetimeMs, type CommenterDataService, type ErasureMode } from './commenter-data-service';

const linkSchema = z.object({ r: z.number().int().positive(), e: z.number().int() });
const purpose = 'erase-comments';

/** What an erasure link finds: a request to act on, or why not. */
export type ErasureLinkState =
  | { state: 'ready'; comments: number }
  | { state: 'done'; erased: { anonymized: number; deleted: number; keptAsPlaceholders: number } }
  | { state: 'invalid' | 'expired' | 'gone' };

export type ErasureRequests = ReturnType<typeof createErasureRequests>;

/**
 * A commenter's own request to erase their data: the form takes an address and mails it a signed
 * link (at most one a day), so only the address's owner can act. The answer to the form is the
 * same whether or not the address ever commented here.
 */
export function createErasureRequests({
  repo,
  commenterData,
  tokens,
  clock,
  mail,
}: {
  repo: CommenterDataRepository;
  commenterData: CommenterDataService;
  tokens: SignedTokens;
  clock: Clock;
  /** Null when mail is off: then the form is not offered. */
  mail: { publicUrl: string; siteTitle: () => string } | null;
}) {
  async function find(token: string) {
    const payload = tokens.read(purpose, token, linkSchema);
    if (!payload) return { state: 'invalid' as const };
    if (payload.e <= clock.now().getTime()) return { state: 'expired' as const };
    const request = await repo.findErasureRequest(payload.r);
    return request ? { state: 'ready' as const, request } : { state: 'gone' as const };
  }

  return {
    offered: mail !== null,

    /**
     * Takes a request: stored as asked, the same for every address, so neither the answer nor its
     * time tells whether the address ever commented. The sender does the rest (sendPending).
     */
    async request(email: string): Promise<void> {
      if (mail) await repo.addErasureRequest(email, clock.now());
    },

    /**
     * The sender's part: mails a link for each request whose address has something stored here
     * and had no link in the last day; forgets the others. Returns how many were mailed.
     */
    async sendPending(): Promise<number> {
      if (!mail) return 0;
      let mailed = 0;
      for (const { id, email } of await repo.pendingErasureRequests(100)) {
        const now = clock.now();
        const wanted =
          !(await repo.erasureMailedSince(email, new Date(now.getTime() - erasureLinkLifetimeMs))) &&
          (await repo.hasDataUnder(email));
        if (!wanted) {
          await repo.removeErasureRequest(id);
          continue;
        }
        const siteTitle = mail.siteTitle();
        const url = `${mail.publicUrl}/privacy/erase/${tokens.sign(purpose, { r: id, e: now.getTime() + erasureLinkLifetimeMs })}`;
        const subject = `[${siteTitle}] Erase your comments`;
        const body = [
          `Someone, we hope you, asked ${siteTitle} to erase what it keeps about this address: the comments written under it, and any mail about new comments.`,
          '',
          `To choose what is erased, open: ${url}`,
          '(The link opens a page with a choice and a button; it works for a day.)',
          '',
          'If it was not you, ignore this mail: nothing will change.',
          '',
        ].join('\n');
        const html = renderMailHtml('erasure', { subject, siteTitle, url });
        if (await repo.mailErasureRequest(id, now, { recipient: email, subject, body, html })) mailed += 1;
      }
      return mailed;
    },

    async read(token: string): Promise<ErasureLinkState> {
      const found = await find(token);
      if (found.state !== 'ready') return found;
      return { state: 'ready', comments: await repo.commentCountOf(found.request.email) };
    },

    /** Erases the address's data as chosen; the link works once. */
    async erase(token: string, mode: ErasureMode): Promise<ErasureLinkState> {
      const found = await find(token);
      if (found.state !== 'ready') return found;
      const erased = await commenterData.erase(found.request.email, mode, 'author (by the link mailed to them)');
      return { state: 'done', erased };
    },
  };
}
