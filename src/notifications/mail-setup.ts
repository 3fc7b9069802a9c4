/** What mail needs from the environment, and what is missing for it. */
export interface MailSetup {
  /** Set when mail can be sent. */
  ready: { smtpUrl: string; from: string; publicUrl: string } | null;
  /** Why mail is off, for the log and the admin area (names of variables, never values). */
  missing: string[];
  moderators: readonly string[];
}

export function mailSetupOf(config: {
  PUBLIC_URL?: string;
  SMTP_URL?: string;
  MAIL_FROM?: string;
  MODERATOR_EMAIL?: readonly string[];
}): MailSetup {
  const missing = (['PUBLIC_URL', 'SMTP_URL', 'MAIL_FROM'] as const).filter((key) => !config[key]);
  return {
    ready:
      config.SMTP_URL && config.MAIL_FROM && config.PUBLIC_URL
        ? { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, publicUrl: config.PUBLIC_URL }
        : null,
    missing,
    moderators: config.MODERATOR_EMAIL ?? [],
  };
}

/** One line on why mail is off, or who hears of comments. */
export function describeMailSetup(setup: MailSetup): string {
  if (!setup.ready) return `Mail is off: set ${setup.missing.join(', ')} (see README, "Notifications").`;
  if (setup.moderators.length === 0)
    return 'Mail is on, but MODERATOR_EMAIL is not set: no moderator hears of new comments.';
  return `Mail is on: ${setup.moderators.length === 1 ? 'one moderator hears' : `${setup.moderators.length} moderators hear`} of new comments.`;
}
