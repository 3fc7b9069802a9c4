import { waitText } from '../shared/wait-text';

/** Everything the moderator is told, in one place for review. */
export const adminMessages = {
  embedRetitled: (title: string) => `The thread is now called “${title}”.`,
  embedMoved: (url: string) => `The thread now belongs to ${url}; its old address still finds it.`,
  embedsMerged: (url: string) =>
    `The comments were moved to the thread of ${url}; the other page’s address now finds it.`,
  searchOnce: 'Search for one thing at a time: give q once, as text.',
  searchTooLong: (max: number) =>
    `A search is at most ${max.toLocaleString('en-US')} characters: search for a shorter part of the comment.`,
  notConfigured:
    'The admin area is not set up yet. In the .env file (see the README), set ADMIN_USER, and ' +
    'ADMIN_PASSWORD_HASH to the line printed by "npm run -s admin:hash-password", then restart the server.',
  apiNotConfigured:
    'The admin API is closed. Set ADMIN_API_TOKEN (32 or more characters) and restart the server to open it.',
  apiUnauthorized: 'Send the admin API token as "Authorization: Bearer <token>".',
  signInFailed: 'The user name or password is incorrect.',
  signInRequired: 'Please enter your user name and password.',
  tooManySignIns: (retryAfterSeconds: number) =>
    `Too many sign-in attempts from your address. Please wait ${waitText(retryAfterSeconds)} and try again.`,
  tooManySignInsOnSite: (retryAfterSeconds: number) =>
    `Too many failed sign-ins on this site lately, so signing in is paused. Please try again in ${waitText(retryAfterSeconds)}.`,
  costlyPasswordHash:
    'ADMIN_PASSWORD_HASH was made with a costlier setting than today’s (more memory per sign-in, checked one at a time). ' +
    'It still works; `npm run -s admin:hash-password` makes one that takes a quarter of the memory.',
  signInBusy: 'Many sign-ins are being checked at this moment. Please try again in a few seconds.',
  csrfFailed: 'This form has expired or did not come from this site. Please go back, reload the page and try again.',
  signedOut: 'You have signed out.',
  noneSelected: 'Select at least one comment first.',
  unknownAction: 'That action is not available.',
  settingsSaved: 'Settings saved.',
  webhookNeedsSecret: 'A webhook needs a secret of at least 16 characters: it signs every call.',
  deliveryQueuedAgain: 'Queued again: it will be sent within a few seconds.',
  postSavedAs: (status: 'draft' | 'scheduled' | 'published') =>
    ({
      draft: 'Draft saved. Only you can see it, through “Preview”.',
      scheduled: 'Post scheduled. It will be published at the time you chose.',
      published: 'Post saved and published.',
    })[status],
  postDeleted: (title: string, comments: number) =>
    `Deleted “${title}”${comments === 0 ? '.' : comments === 1 ? ' and its comment.' : ` and its ${comments.toLocaleString('en-US')} comments.`}`,
  commentSaved: 'Comment saved.',
  commentDeleted: 'Comment deleted permanently.',
  uploadOnly: 'Send the export file as a form upload (multipart/form-data) in a field named "file".',
  uploadTooLarge: (megabytes: number) =>
    `That file is larger than ${megabytes} MB; import it from the command line instead (npm run import).`,
  uploadUnreadable: 'The upload could not be read. Send one file, in a field named "file".',
  noFile: 'Choose the export file to import.',
  unknownFormat: 'Choose what the file is: a WordPress export, a Disqus export, or a marginalia (JSON) export.',
  commenterEmailRequired: 'Enter the email address the commenter wrote under.',
  commenterEmailTooLong: 'That is too long for an email address (at most 254 characters).',
  erasureModeRequired: 'Choose how to erase: anonymize the comments, or delete them.',
  erased: (erasure: { anonymized: number; deleted: number; keptAsPlaceholders: number; subscriptions: number }) =>
    [
      erasure.anonymized > 0
        ? `${erasure.anonymized} ${erasure.anonymized === 1 ? 'comment' : 'comments'} anonymized`
        : '',
      erasure.deleted > 0 ? `${erasure.deleted} deleted` : '',
      erasure.keptAsPlaceholders > 0
        ? `${erasure.keptAsPlaceholders} kept as ${erasure.keptAsPlaceholders === 1 ? 'a “deleted comment” placeholder' : '“deleted comment” placeholders'} for their replies`
        : '',
      erasure.subscriptions > 0
        ? `${erasure.subscriptions} ${erasure.subscriptions === 1 ? 'subscription' : 'subscriptions'} ended`
        : '',
    ]
      .filter(Boolean)
      .join(', ')
      .replace(/^./, (first) => first.toUpperCase())
      .concat('.')
      .replace(/^\.$/, 'Nothing was stored under that address.'),
  blockAdded: (value: string) => `Blocked ${value}: their next comments go to spam.`,
  blockRemoved: 'The block is removed.',
  commentsClosed: 'Comments on the post are closed.',
  commentsOpened: 'Comments on the post are open.',
} as const;
