import { Router, type RequestHandler, type Response } from 'express';
import type { MailAction } from '../notifications/mail-links';
import type { MailLinkState, NotificationsService } from '../notifications/notifications-service';

const actionWords: Record<MailAction, { button: string; done: string }> = {
  approve: { button: 'Approve this comment', done: 'Approved.' },
  spam: { button: 'Mark this comment as spam', done: 'Marked as spam.' },
  trash: { button: 'Move this comment to the trash', done: 'Moved to the trash.' },
};

const statusLabels = { pending: 'awaiting moderation', approved: 'approved', spam: 'spam', trash: 'in the trash' };

/** What the page says for each state of a link, and its status code. */
function pageFor(found: MailLinkState) {
  switch (found.state) {
    case 'ready':
      return {
        status: 200,
        heading: 'Moderate a comment',
        message: 'This link from your mail acts once you press the button.',
        button: actionWords[found.action].button,
        comment: found.comment,
      };
    case 'done':
      return {
        status: 200,
        heading: actionWords[found.action].done,
        message: 'The comment has been moderated.',
        comment: found.comment,
      };
    case 'moved':
      return {
        status: 409,
        heading: 'Already moderated',
        message: `This comment has been moderated since the mail was sent (it is now ${statusLabels[found.comment.status]}); the mail's links no longer act.`,
        comment: found.comment,
      };
    case 'used':
      return {
        status: 410,
        heading: 'Link already used',
        message: 'A link from this mail has been used already: each mail acts once.',
        comment: found.comment,
      };
    case 'expired':
      return {
        status: 410,
        heading: 'Link expired',
        message: 'Links in moderator mail work for seven days; this one is older.',
      };
    case 'gone':
      return { status: 404, heading: 'Comment not found', message: 'The comment this link was for has been deleted.' };
    case 'invalid':
      return {
        status: 404,
        heading: 'Link not recognised',
        message: 'This address is not a link this blog sent; check that it was copied whole.',
      };
  }
}

/**
 * The pages behind a moderator mail's action links: a GET shows the comment and a button (mail
 * scanners open links, so a GET changes nothing); the button's POST acts, once. The token in the
 * address is the only credential: the pages are never cached and send no Referer onwards.
 */
export function createMailLinksRouter({ notifications }: { notifications: NotificationsService }): Router {
  const router = Router();
  const show = (res: Response, found: MailLinkState) => {
    const page = pageFor(found);
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'X-Robots-Tag': 'noindex' });
    res.status(page.status).render('notifications/moderate', {
      title: page.heading,
      button: null,
      comment: null,
      ...page,
      statusLabel: 'comment' in page && page.comment ? statusLabels[page.comment.status] : '',
    });
  };
  const open: RequestHandler<{ token: string }> = async (req, res) =>
    show(res, await notifications.readMailLink(req.params.token));
  const act: RequestHandler<{ token: string }> = async (req, res) =>
    show(res, await notifications.useMailLink(req.params.token));
  router.get('/moderate/:token', open);
  router.post('/moderate/:token', act);
  return router;
}
