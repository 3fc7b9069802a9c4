import { z } from 'zod';
import type { Clock } from '../shared/clock';
import type { SignedTokens } from './signed-tokens';
import type { SubscriberLinks } from './subscriber-mail';
import type { SubscriptionOfPost, SubscriptionsRepository } from './subscriptions-repository';

/** A confirmation link works for a week; an unsubscribe or manage link for as long as there is mail. */
const confirmLifetimeMs = 7 * 24 * 3_600_000;

const confirmSchema = z.object({ s: z.number().int().positive(), e: z.number().int() });
const unsubscribeSchema = z.object({ s: z.number().int().positive() });
const manageSchema = z.object({ k: z.string().regex(/^[0-9a-f]{64}$/) });

/** What a subscription link finds. */
export type SubscriptionLinkState =
  | { state: 'ready' | 'done'; subscription: Pick<SubscriptionOfPost, 'id' | 'post' | 'confirmedAt'> }
  | { state: 'invalid' | 'expired' | 'gone' };

export type ManageLinkState =
  | {
      state: 'ready';
      subscriptions: Pick<SubscriptionOfPost, 'id' | 'post' | 'confirmedAt'>[];
      unsubscribeTokens: string[];
    }
  | { state: 'invalid' };

export type SubscriptionsService = ReturnType<typeof createSubscriptionsService>;

/**
 * Reply subscriptions' links and what they do: confirm (double opt-in), unsubscribe (one click, RFC
 * 8058), and the page listing an address's subscriptions. The links carry ids and a keyed hash of
 * the address, never the address; every page shows post titles only.
 */
export function createSubscriptionsService({
  repo,
  tokens,
  publicUrl,
  clock,
}: {
  repo: SubscriptionsRepository;
  tokens: SignedTokens;
  /** PUBLIC_URL, for the links in mail. */
  publicUrl: string | null;
  clock: Clock;
}) {
  const unsubscribeToken = (id: number) => tokens.sign('unsubscribe', { s: id });
  const shown = ({ id, post, confirmedAt }: SubscriptionOfPost) => ({ id, post, confirmedAt });

  const links: SubscriberLinks = {
    confirmUrl: (id) =>
      `${publicUrl}/subscriptions/confirm/${tokens.sign('confirm-subscription', { s: id, e: clock.now().getTime() + confirmLifetimeMs })}`,
    unsubscribeUrl: (id) => `${publicUrl}/subscriptions/unsubscribe/${unsubscribeToken(id)}`,
    manageUrl: (emailKey) =>
      `${publicUrl}/subscriptions/manage/${tokens.sign('manage-subscriptions', { k: emailKey })}`,
  };

  async function readConfirm(token: string): Promise<SubscriptionLinkState> {
    const payload = tokens.read('confirm-subscription', token, confirmSchema);
    if (!payload) return { state: 'invalid' };
    if (payload.e <= clock.now().getTime()) return { state: 'expired' };
    const subscription = await repo.findById(payload.s);
    if (!subscription) return { state: 'gone' };
    return { state: subscription.confirmedAt ? 'done' : 'ready', subscription: shown(subscription) };
  }

  async function readUnsubscribe(token: string): Promise<SubscriptionLinkState> {
    const payload = tokens.read('unsubscribe', token, unsubscribeSchema);
    if (!payload) return { state: 'invalid' };
    const subscription = await repo.findById(payload.s);
    return subscription ? { state: 'ready', subscription: shown(subscription) } : { state: 'gone' };
  }

  async function readManage(token: string): Promise<ManageLinkState> {
    const payload = tokens.read('manage-subscriptions', token, manageSchema);
    if (!payload) return { state: 'invalid' };
    const subscriptions = (await repo.listForKey(payload.k)).map(shown);
    return { state: 'ready', subscriptions, unsubscribeTokens: subscriptions.map((s) => unsubscribeToken(s.id)) };
  }

  return {
    links,

    /** The key an address's subscriptions are filed under: its lower-cased form, hashed with this blog's key. */
    emailKeyOf: (email: string) => tokens.keyOf('subscriber', email.trim().toLowerCase()),

    readConfirm,
    async confirm(token: string): Promise<SubscriptionLinkState> {
      const found = await readConfirm(token);
      if (found.state !== 'ready') return found;
      await repo.confirm(found.subscription.id, clock.now());
      return { state: 'done', subscription: found.subscription };
    },

    readUnsubscribe,
    /** Ends the subscription: a POST from the page's button or a mail client's one-click. */
    async unsubscribe(token: string): Promise<SubscriptionLinkState> {
      const found = await readUnsubscribe(token);
      if (found.state !== 'ready') return found;
      await repo.remove(found.subscription.id);
      return { state: 'done', subscription: found.subscription };
    },

    readManage,
    async unsubscribeAll(token: string): Promise<ManageLinkState> {
      const payload = tokens.read('manage-subscriptions', token, manageSchema);
      if (!payload) return { state: 'invalid' };
      await repo.removeAllForKey(payload.k);
      return { state: 'ready', subscriptions: [], unsubscribeTokens: [] };
    },
  };
}
