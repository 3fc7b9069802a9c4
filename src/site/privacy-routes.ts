import { Router, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { formBody } from '../http/body-parsers';
import { textField } from '../validation/text-field';
import { erasureModes } from '../privacy/commenter-data-service';
import type { ErasureLinkState, ErasureRequests } from '../privacy/erasure-requests';

const erasureMessages = {
  emailRequired: 'Enter the email address you commented under.',
  emailInvalid: 'Enter an email address, such as name@example.com.',
} as const;
const requestSchema = z.object({
  email: textField({ label: 'Email', maxBytes: 254, requiredMessage: erasureMessages.emailRequired }).refine(
    // Past the byte limit (already refused) the pattern is not run on it.
    (email) => email === '' || email.length > 254 || z.email().safeParse(email).success,
    erasureMessages.emailInvalid,
  ),
});
const modeSchema = z.object({ mode: z.enum(erasureModes) });

const linkPages: Record<
  Exclude<ErasureLinkState['state'], 'ready' | 'done'>,
  { status: number; heading: string; message: string }
> = {
  invalid: {
    status: 404,
    heading: 'Link not recognised',
    message: 'This address is not a link this blog sent; check that it was copied whole.',
  },
  expired: {
    status: 410,
    heading: 'Link expired',
    message: 'Erasure links work for a day. Ask again for a new one.',
  },
  gone: {
    status: 410,
    heading: 'Link already used',
    message: 'This link was used, or a newer one replaced it: ask again if something is left to erase.',
  },
};

/**
 * /privacy/erase: a commenter asks for their data to be erased. The form mails a signed link to the
 * address (only its owner can act on it), and answers the same whatever the address; the link's
 * page offers the choice (anonymize or delete) and acts on POST. Never cached, never indexed.
 */
export function createPrivacyRouter({
  erasureRequests,
  erasureLimiter,
}: {
  erasureRequests: ErasureRequests;
  /** Its own limit, apart from the comment form's. */
  erasureLimiter: RequestHandler;
}): Router {
  const show = (res: Response, status: number, page: Record<string, unknown>) => {
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'X-Robots-Tag': 'noindex' });
    res.status(status).render('privacy/erase', {
      title: 'Erase your comments',
      offered: erasureRequests.offered,
      step: 'ask',
      email: '',
      error: null,
      ...page,
    });
  };

  const askForm: RequestHandler = (_req, res) => show(res, 200, {});

  const ask: RequestHandler = async (req, res) => {
    const parsed = requestSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      const typed: unknown = (req.body as Record<string, unknown> | undefined)?.email;
      return show(res, 422, {
        email: typeof typed === 'string' ? typed : '',
        error: parsed.error.issues[0]?.message ?? 'Enter your email address.',
      });
    }
    await erasureRequests.request(parsed.data.email);
    show(res, 200, { step: 'sent' });
  };

  const showLink = (res: Response, found: ErasureLinkState) => {
    if (found.state === 'ready') return show(res, 200, { step: 'choose', comments: found.comments });
    if (found.state === 'done') return show(res, 200, { step: 'done', erased: found.erased });
    const page = linkPages[found.state];
    show(res, page.status, { step: 'problem', ...page });
  };

  const openLink: RequestHandler<{ token: string }> = async (req, res) =>
    showLink(res, await erasureRequests.read(req.params.token));

  const erase: RequestHandler<{ token: string }> = async (req, res) => {
    const parsed = modeSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      const found = await erasureRequests.read(req.params.token);
      if (found.state !== 'ready') return showLink(res, found);
      return show(res, 422, { step: 'choose', comments: found.comments, error: 'Choose how to erase your comments.' });
    }
    showLink(res, await erasureRequests.erase(req.params.token, parsed.data.mode));
  };

  const router = Router();
  router.get('/privacy/erase', askForm);
  router.post('/privacy/erase', formBody, erasureLimiter, ask);
  router.get('/privacy/erase/:token', openLink);
  router.post('/privacy/erase/:token', formBody, erase);
  return router;
}
