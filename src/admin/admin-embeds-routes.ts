import { Router, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { EmbedsService } from '../embeds/embeds-service';
import { numericParam } from '../http/route-params';
import { validateBody, validBody } from '../http/validate';
import { adminFormBody, numericId, redirectWithFlash, showFormAgain, typedValues } from './admin-http';
import { adminMessages } from './admin-messages';
import { verifyAdminForm } from './admin-session';

const titleSchema = z.object({ title: z.string({ error: 'Give the thread a title.' }).max(2000) });
const addressSchema = z.object({ url: z.string({ error: 'Give the page’s new address.' }).max(2000) });
const choosePage = 'Choose the page whose thread takes these comments.';
const mergeSchema = z.object({ into: z.coerce.number({ error: choosePage }).int(choosePage).positive(choosePage) });

/**
 * /admin/embeds/:id: an embedded page's thread (listed with the posts): its page's address, a new
 * one when the site moved, or its comments moved into another page's thread (one page, two
 * addresses).
 */
export function createAdminEmbedsRouter({ embeds }: { embeds: EmbedsService }): Router {
  const render = async (
    res: Response,
    id: number,
    values: Record<string, string> = {},
    errors: Record<string, string> = {},
  ) => {
    const thread = await embeds.get(id);
    const others = (await embeds.list()).filter((other) => other.id !== id);
    res.render('admin/embed', { title: thread.title, thread, others, values, errors });
  };

  // GET /admin/embeds/:id
  const show: RequestHandler<{ id: string }> = (req, res) => render(res, numericId(req));

  // POST /admin/embeds/:id/address — url
  const changeUrl: RequestHandler<{ id: string }> = async (req, res, next) => {
    const thread = await embeds.changeUrl(numericId(req), validBody<{ url: string }>(res).url);
    redirectWithFlash(req, res, next, `/admin/embeds/${thread.id}`, adminMessages.embedMoved(thread.embedUrl));
  };

  // POST /admin/embeds/:id/title — title
  const retitle: RequestHandler<{ id: string }> = async (req, res, next) => {
    const thread = await embeds.retitle(numericId(req), validBody<{ title: string }>(res).title);
    redirectWithFlash(req, res, next, `/admin/embeds/${thread.id}`, adminMessages.embedRetitled(thread.title));
  };

  // POST /admin/embeds/:id/merge — into (another thread's id)
  const merge: RequestHandler<{ id: string }> = async (req, res, next) => {
    const into = await embeds.merge(numericId(req), validBody<{ into: number }>(res).into);
    redirectWithFlash(req, res, next, `/admin/embeds/${into.id}`, adminMessages.embedsMerged(into.embedUrl));
  };

  const again = showFormAgain((req, res, error) =>
    render(res, numericParam(String(req.params.id)), typedValues(req.body), error.fields),
  );
  const router = Router();
  router.get('/embeds/:id', show);
  router.post(
    '/embeds/:id/title',
    adminFormBody,
    verifyAdminForm,
    validateBody(titleSchema, 'The title could not be read.'),
    retitle,
    again,
  );
  router.post(
    '/embeds/:id/address',
    adminFormBody,
    verifyAdminForm,
    validateBody(addressSchema, 'The address could not be read.'),
    changeUrl,
    again,
  );
  router.post(
    '/embeds/:id/merge',
    adminFormBody,
    verifyAdminForm,
    validateBody(mergeSchema, 'The choice could not be read.'),
    merge,
    again,
  );
  return router;
}
