import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { validateBody, validBody } from '../http/validate';
import { blockInputSchema, type BlockInput, type SenderBlocks } from '../moderation/sender-blocks';
import type { CommenterDataService } from '../privacy/commenter-data-service';
import type { Clock } from '../shared/clock';
import { adminFormBody, numericId, redirectWithFlash, showFormAgain, typedValues } from './admin-http';
import { adminMessages } from './admin-messages';
import { commenterEmailSchema, erasureSchema, safeAdminReturn } from './admin-schemas';
import { verifyAdminForm } from './admin-session';

const actorOf = (req: Request): string => `moderator:${req.session.user ?? 'unknown'}`;

/** The file name of a commenter's export: the date, never the address (it may be saved anywhere). */
const exportFileName = (now: Date) => `commenter-data-${now.toISOString().slice(0, 10)}.json`;

/**
 * A commenter's data (/admin/commenters: find by address, export, erase) and the blocked senders
 * (/admin/settings/blocks).
 */
export function createAdminPrivacyRouter({
  commenterData,
  senderBlocks,
  clock,
}: {
  commenterData: CommenterDataService;
  senderBlocks: SenderBlocks;
  clock: Clock;
}): Router {
  const emailOf = (req: Request) => {
    const parsed = commenterEmailSchema.safeParse(req.query);
    if (parsed.success) return { email: parsed.data.email, error: null };
    // The page opened bare asks for an address; anything else not one (empty, repeated, an object) is refused.
    const bare = req.query.email === undefined && !req.path.endsWith('/export');
    return {
      email: null,
      error: bare ? null : (parsed.error.issues[0]?.message ?? adminMessages.commenterEmailRequired),
    };
  };

  // GET /admin/commenters?email= — what is stored under the address, and the ways to hand it over or erase it
  const showCommenter: RequestHandler = async (req, res) => {
    const { email, error } = emailOf(req);
    const data = email ? await commenterData.exportData(email) : null;
    res.status(error ? 422 : 200).render('admin/commenters', {
      title: 'Commenter data',
      email: email ?? (typeof req.query.email === 'string' ? req.query.email.slice(0, 254) : ''),
      error,
      data,
      keepsAddresses: commenterData.keepsAddresses,
    });
  };

  // GET /admin/commenters/export?email= — the same as a JSON file to hand to the commenter
  const downloadExport: RequestHandler = async (req, res, next) => {
    const { email } = emailOf(req);
    if (!email) return showCommenter(req, res, next);
    const data = await commenterData.exportData(email);
    res.attachment(exportFileName(clock.now())).json(data);
  };

  // POST /admin/commenters/erase — email and mode (anonymize | delete), chosen on the page
  const erase: RequestHandler = async (req, res, next) => {
    const { email, mode } = validBody<z.output<typeof erasureSchema>>(res);
    const erased = await commenterData.erase(email, mode, actorOf(req));
    redirectWithFlash(
      req,
      res,
      next,
      `/admin/commenters?email=${encodeURIComponent(email)}`,
      adminMessages.erased(erased),
    );
  };

  const renderBlocks = async (
    res: Response,
    values: Record<string, string> = {},
    errors: Record<string, string> = {},
  ) => res.render('admin/blocks', { title: 'Blocked senders', blocks: await senderBlocks.list(), values, errors });

  // GET /admin/settings/blocks — the list, and a form to add one
  const showBlocks: RequestHandler = (_req, res) => renderBlocks(res);

  // POST /admin/settings/blocks — email or ip (and a note); back to `return` (the comment it was made from)
  const addBlock: RequestHandler = async (req, res, next) => {
    const block = await senderBlocks.add(validBody<BlockInput>(res), clock.now());
    redirectWithFlash(
      req,
      res,
      next,
      safeAdminReturn(typedValues(req.body).return, '/admin/settings/blocks'),
      adminMessages.blockAdded(block.value),
    );
  };

  // POST /admin/settings/blocks/:id/delete
  const removeBlock: RequestHandler<{ id: string }> = async (req, res, next) => {
    await senderBlocks.remove(numericId(req));
    redirectWithFlash(req, res, next, '/admin/settings/blocks', adminMessages.blockRemoved);
  };

  const router = Router();
  router.get('/commenters', showCommenter);
  router.get('/commenters/export', downloadExport);
  router.post(
    '/commenters/erase',
    adminFormBody,
    verifyAdminForm,
    validateBody(erasureSchema, 'The request could not be read.'),
    erase,
    showFormAgain(async (req, res, error) => {
      const typed = typedValues(req.body);
      const data = typed.email ? await commenterData.exportData(typed.email) : null;
      res.render('admin/commenters', {
        title: 'Commenter data',
        email: typed.email ?? '',
        error: error.fields.email ?? null,
        modeError: error.fields.mode ?? null,
        data,
        keepsAddresses: commenterData.keepsAddresses,
      });
    }),
  );
  router.get('/settings/blocks', showBlocks);
  router.post(
    '/settings/blocks',
    adminFormBody,
    verifyAdminForm,
    validateBody(blockInputSchema, 'The block could not be read.'),
    addBlock,
    showFormAgain((req, res, error) => renderBlocks(res, typedValues(req.body), error.fields)),
  );
  router.post('/settings/blocks/:id/delete', adminFormBody, verifyAdminForm, removeBlock);
  return router;
}
