import { LRUCache } from 'lru-cache';
import { waitText } from '../shared/wait-text';

// One formatter (toLocaleString builds a new one on every call), and its text kept per count:
// formatting is most of what the heading costs, and it is written on every page render.
const countFormat = new Intl.NumberFormat('en-US');
const countTexts = new LRUCache<number, string>({ max: 1_000, memoMethod: (count) => countFormat.format(count) });

/** A title as it reads inside double quotes: its own double quotes made single (“ ” → ‘ ’, " → ‘ or ’). */
function quotedWithin(title: string): string {
  let opening = true;
  return title
    .replace(/“/g, '‘')
    .replace(/”/g, '’')
    .replace(/"/g, () => {
      const quote = opening ? '‘' : '’';
      opening = !opening;
      return quote;
    });
}

/** "an hour", "2 hours", "a day", "3 days". */
function durationText(hours: number): string {
  const [count, unit] = hours % 24 === 0 ? [hours / 24, 'day'] : [hours, 'hour'];
  return count === 1 ? `${unit === 'hour' ? 'an' : 'a'} ${unit}` : `${count} ${unit}s`;
}

/** Everything commenters are told, in one place for review. */
export const commentMessages = {
  summary: 'Your comment could not be posted. Please correct the fields marked below.',
  malformed: 'Your comment could not be read: some fields were sent in a form this site does not accept.',
  notAnObject: 'The request body must be a JSON object with the fields comment, author and email.',
  commentRequired: 'Please type your comment.',
  authorRequired: 'Please enter your name.',
  emailRequired: 'Please enter your email address. It will not be published.',
  emailInvalid: 'Please enter a valid email address, like name@example.com.',
  urlInvalid: 'Please enter a web address starting with http:// or https://, or leave the field empty.',
  urlHasCredentials: 'Please leave the user name and password out of the web address.',
  urlIsEmail:
    'That looks like an email address: it goes in the Email field. Website is for a web address, like example.org.',
  parentInvalid: 'The comment you are replying to could not be found. It may have been removed.',
  repliesLocked: 'Replies to this comment are closed.',
  tooFast: (retryAfterSeconds: number) =>
    `You are posting comments too quickly. Please wait ${waitText(retryAfterSeconds)} before posting again.`,
  duplicate: 'Duplicate comment detected; it looks as though you’ve already said that!',
  sendAgain: 'Your comment could not be saved just now. Please send it again in a few seconds.',
  formExpired: (hours: number) =>
    `This form was open for more than ${durationText(hours)}. Please check your comment and post it again.`,
  notYours: 'Only the browser that posted this comment can edit or delete it.',
  editWaitsForModerator:
    'Once you save a change, your comment waits for the site owner to approve it again, and is not shown to others until then.',
  notFromThisSite: 'Your comment can be changed only from this site’s own pages. Please open the post and try again.',
  editWindowOver: (minutes: number) =>
    `Comments can be edited or deleted only for ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} after posting. Please contact the site owner instead.`,
  commentNotFound: 'That comment does not exist, or is not visible yet.',
  awaitingModeration: 'Your comment is awaiting moderation.',
  closed: 'Comments are closed.',
  notSavedTitle: 'Your comment was not saved yet',
  closedKeepYourText: 'Here is what you wrote, so you can keep a copy:',
  /**
   * The heading above the comment list: "Be First to Comment", "1 Comment on “Title”", "3 Comments
   * on “Title”" ("Comments on “Title”" when the only ones shown are the reader's own, still held).
   * Double quotes inside the title become single ones, as quotes within quotes are written.
   */
  countHeading: (count: number, postTitle: string, ownHeldShown = false) =>
    count === 0
      ? ownHeldShown
        ? `Comments on “${quotedWithin(postTitle)}”`
        : 'Be First to Comment'
      : `${countTexts.memo(count)} ${count === 1 ? 'Comment' : 'Comments'} on “${quotedWithin(postTitle)}”`,
} as const;
