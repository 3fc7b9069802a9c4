import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { Clock } from '../shared/clock';
import { withoutEmailAddresses } from '../shared/email-addresses';
import type { MailSetup } from './mail-setup';
import type { NotificationSettingsRepository } from './notification-settings-repository';
import type { Delivery, OutboxRepository } from './outbox-repository';
import type { WrittenMail } from './subscriber-mail';
import { webhookSignature } from './webhook-signature';

/** After the first attempt fails, the next ones come after about 1 min, 5, 30, 2 h and 12 h; then it has failed. */
export const retryDelaysMs = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 12 * 3_600_000];

/** How long a server holds a claimed delivery before another may take it (it may have died). */
const claimMs = 5 * 60_000;
const webhookTimeoutMs = 10_000;

export interface DeliverySender {
  /** Sends what is due now (after queuing what is new); never throws. */
  runOnce(): Promise<void>;
  /** Runs every `intervalMs` until the returned function is called, which also closes the mail connections. */
  start(intervalMs: number): () => void;
  /** Closes the mail connections kept open between sends. */
  close(): void;
}

/**
 * Sends the outbox's deliveries: mail through nodemailer (SMTP_URL), webhooks as signed JSON
 * POSTs. A failure is retried after growing delays, then marked failed with its error; a crash
 * loses nothing, since a delivery is marked sent only after its server said yes (so it may, rarely,
 * go twice: each mail has a Message-ID from its row, by which a mail system recognises it).
 */
export function createDeliverySender({
  outbox,
  settings,
  queueNew,
  writeReplyMail,
  mail,
  siteId,
  clock,
  logger,
}: {
  outbox: OutboxRepository;
  settings: NotificationSettingsRepository;
  /** Queues what is new: the outbox's waiting events as deliveries, a digest that is due (notifications-service.ts). */
  queueNew: () => Promise<void>;
  /** Writes a reply mail at the time it is sent (its row holds no text), or says why it is not to be sent. */
  writeReplyMail: (delivery: Delivery) => Promise<WrittenMail | { cancelled: string }>;
  mail: MailSetup;
  /** Makes each mail's Message-ID unique to this blog. */
  siteId: string;
  clock: Clock;
  logger: Logger;
}): DeliverySender {
  const transport = mail.ready
    ? nodemailer.createTransport({
        url: mail.ready.smtpUrl,
        pool: true,
        maxConnections: 2,
        connectionTimeout: 15_000,
        greetingTimeout: 15_000,
        socketTimeout: 60_000,
      })
    : null;
  const messageDomain = mail.ready ? new URL(mail.ready.publicUrl).hostname : 'localhost';
  const blogMark = createHash('sha256').update(siteId).digest('hex').slice(0, 12);

  /** Sends a mail; false when it is not to be sent after all (marked cancelled). */
  async function sendMail(delivery: Delivery): Promise<boolean> {
    if (!transport || !mail.ready) throw new Error('mail is off: PUBLIC_URL, SMTP_URL or MAIL_FROM is not set');
    let written: WrittenMail = {
      subject: delivery.subject ?? '',
      text: delivery.body,
      html: delivery.html ?? '',
      headers: delivery.headers ? (JSON.parse(delivery.headers) as Record<string, string>) : {},
    };
    if (delivery.kind === 'reply') {
      const now = await writeReplyMail(delivery);
      if ('cancelled' in now) {
        await outbox.markCancelled(delivery.id, `Not sent: ${now.cancelled}.`);
        return false;
      }
      written = now;
    }
    await transport.sendMail({
      from: mail.ready.from,
      to: delivery.recipient,
      subject: written.subject,
      text: written.text,
      ...(written.html ? { html: written.html } : {}),
      headers: written.headers,
      messageId: `<delivery-${delivery.id}.${blogMark}@${messageDomain}>`,
      date: delivery.createdAt,
    });
    return true;
  }

  async function callWebhook(delivery: Delivery): Promise<void> {
    const { webhookSecret } = await settings.get();
    if (!webhookSecret) throw new Error('no webhook secret is set');
    const response = await fetch(delivery.recipient, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'marginalia-webhook',
        'x-marginalia-event': delivery.kind,
        'x-marginalia-delivery': String(delivery.id),
        'x-marginalia-signature': webhookSignature(webhookSecret, delivery.body, clock.now()),
      },
      body: delivery.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(webhookTimeoutMs),
    });
    await response.body?.cancel();
    if (response.status < 200 || response.status > 299) throw new Error(`the receiver answered ${response.status}`);
  }

  async function deliver(delivery: Delivery): Promise<void> {
    try {
      const sent = delivery.channel === 'mail' ? await sendMail(delivery) : (await callWebhook(delivery), true);
      if (sent) await outbox.markSent(delivery.id, clock.now());
    } catch (error) {
      const delay = retryDelaysMs[delivery.attempts - 1];
      const retryAt = delay === undefined ? null : new Date(clock.now().getTime() + delay);
      const message = describeFailure(error);
      await outbox.markAttemptFailed(delivery.id, message, retryAt);
      logger.warn(
        {
          delivery: delivery.id,
          channel: delivery.channel,
          kind: delivery.kind,
          attempts: delivery.attempts,
          error: withoutEmailAddresses(message),
        },
        retryAt ? 'a delivery failed; it will be tried again' : 'a delivery failed for the last time',
      );
    }
  }

  let running: Promise<void> | null = null;
  async function work(): Promise<void> {
    await queueNew();
    for (;;) {
      const due = await outbox.claimDue(clock.now(), 10, claimMs);
      if (due.length === 0) return;
      await Promise.all(due.map(deliver));
    }
  }

  const sender: DeliverySender = {
    runOnce() {
      // One run at a time: a tick that comes while one runs waits for it instead of starting another.
      running ??= work()
        .catch((error: unknown) =>
          logger.error({ err: error }, 'the notification sender stopped short; it tries again shortly'),
        )
        .finally(() => {
          running = null;
        });
      return running;
    },
    start(intervalMs) {
      const timer = setInterval(() => void sender.runOnce(), intervalMs);
      timer.unref();
      void sender.runOnce();
      return () => {
        clearInterval(timer);
        sender.close();
      };
    },
    close() {
      transport?.close();
    },
  };
  return sender;
}

/** An error as one line for the moderator: the mail server's or receiver's own words, no stack. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const reason = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${reason}`.replace(/\s+/g, ' ').slice(0, 500);
}
