import express, { Router, type RequestHandler, type Response } from 'express';
import type {
  ManageLinkState,
  SubscriptionLinkState,
  SubscriptionsService,
} from '../notifications/subscriptions-service';

interface Page {
  status: number;
  heading: string;
  message: string;
  button?: string;
  posts?: { post: { slug: string; title: string }; confirmedAt: Date | null; token: string }[];
  manageUrl?: string;
}

const notRecognised: Page = {
  status: 404,
  heading: 'Link not recognised',
  message: 'This address is not a link this blog sent; check that it was copied whole.',
};
const noSuchSubscription: Page = {
  status: 404,
  heading: 'No such subscription',
  message: 'This subscription has ended: no more mail about new comments will come from it.',
};

function confirmPage(found: SubscriptionLinkState, acted: boolean): Page {
  if (found.state === 'invalid') return notRecognised;
  if (found.state === 'gone') return noSuchSubscription;
  if (found.state === 'expired' || !('subscription' in found))
    return {
      status: 410,
      heading: 'Link expired',
      message: 'Confirmation links work for seven days. Tick the box again with your next comment to get a new one.',
    };
  const title = found.subscription.post.title;
  if (found.state === 'ready')
    return {
      status: 200,
      heading: 'Confirm your subscription',
      message: `Press the button to get a mail whenever a new comment appears on “${title}”.`,
      button: 'Yes, mail me new comments',
    };
  return {
    status: 200,
    heading: acted ? 'Subscription confirmed' : 'Already confirmed',
    message: `You will get a mail for each new comment on “${title}”. Every one of them has a link to stop.`,
  };
}

function unsubscribePage(found: SubscriptionLinkState): Page {
  if (found.state === 'invalid') return notRecognised;
  if (found.state !== 'ready' && found.state !== 'done') return noSuchSubscription;
  const title = found.subscription.post.title;
  return found.state === 'ready'
    ? {
        status: 200,
        heading: 'Unsubscribe',
        message: `Stop the mail about new comments on “${title}”?`,
        button: 'Unsubscribe',
      }
    : { status: 200, heading: 'Unsubscribed', message: `No more mail about new comments on “${title}” will be sent.` };
}

function managePage(found: ManageLinkState, endedAll: boolean): Page {
  if (found.state === 'invalid') return notRecognised;
  if (endedAll)
    return {
      status: 200,
      heading: 'All subscriptions ended',
      message: 'No more mail about new comments will be sent to this address.',
    };
  if (found.subscriptions.length === 0)
    return { status: 200, heading: 'Your subscriptions', message: 'This address follows no post.' };
  return {
    status: 200,
    heading: 'Your subscriptions',
    message: 'This address gets a mail for each new comment on these posts:',
    posts: found.subscriptions.map((subscription, index) => ({
      post: subscription.post,
      confirmedAt: subscription.confirmedAt,
      token: found.unsubscribeTokens[index]!,
    })),
    button: 'Unsubscribe from all of them',
  };
}

/**
 * The pages behind the links in subscription mail: confirming (double opt-in), unsubscribing (a
 * GET shows a button; a POST, from it or from a mail client's one-click per RFC 8058, ends the
 * subscription, with no cookie or sign-in), and every post an address follows. The token in the
 * address is the only credential: never cached, no Referer sent onwards, not indexed.
 */
export function createSubscriptionsRouter({ subscriptions }: { subscriptions: SubscriptionsService }): Router {
  const router = Router();
  const show = (res: Response, page: Page) => {
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'X-Robots-Tag': 'noindex' });
    res.status(page.status).render('notifications/subscription', {
      title: page.heading,
      button: null,
      posts: null,
      manageUrl: null,
      ...page,
    });
  };
  // A one-click POST's body is "List-Unsubscribe=One-Click": read (and bounded), then not needed.
  const oneClickBody = express.urlencoded({ extended: false, limit: '1kb' });

  const openConfirm: RequestHandler<{ token: string }> = async (req, res) =>
    show(res, confirmPage(await subscriptions.readConfirm(req.params.token), false));
  const confirm: RequestHandler<{ token: string }> = async (req, res) =>
    show(res, confirmPage(await subscriptions.confirm(req.params.token), true));
  const openUnsubscribe: RequestHandler<{ token: string }> = async (req, res) =>
    show(res, unsubscribePage(await subscriptions.readUnsubscribe(req.params.token)));
  const unsubscribe: RequestHandler<{ token: string }> = async (req, res) =>
    show(res, unsubscribePage(await subscriptions.unsubscribe(req.params.token)));
  const openManage: RequestHandler<{ token: string }> = async (req, res) =>
    show(res, managePage(await subscriptions.readManage(req.params.token), false));
  const endAll: RequestHandler<{ token: string }> = async (req, res) =>
    show(res, managePage(await subscriptions.unsubscribeAll(req.params.token), true));

  router.get('/subscriptions/confirm/:token', openConfirm);
  router.post('/subscriptions/confirm/:token', confirm);
  router.get('/subscriptions/unsubscribe/:token', openUnsubscribe);
  router.post('/subscriptions/unsubscribe/:token', oneClickBody, unsubscribe);
  router.get('/subscriptions/manage/:token', openManage);
  router.post('/subscriptions/manage/:token', endAll);
  return router;
}
