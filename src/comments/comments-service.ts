import { isRowId } from '../shared/row-id';
import {
  AppError,
  ConflictError,
  DatabaseBusyError,
  ForbiddenError,
  TooManyRequestsError,
  ValidationError,
} from '../errors';
import {
  commentsAreOpen,
  commentsCloseAt,
  decideArrivalStatus,
  type ArrivalDecision,
} from '../moderation/moderation-rules';
import type { Clock } from '../shared/clock';
import { storedReasons } from '../spam-filter/naive-bayes';
import type { SpamFilter } from '../spam-filter/spam-filter-service';
import { noPageChanges, type PublicPageChanges } from '../shared/page-changes';
import type { ModerationSettingsRepository } from '../moderation/moderation-settings-repository';
import type { SenderBlocks } from '../moderation/sender-blocks';
import type { PostRecord } from '../posts/posts-repository';
import type { PostsService } from '../posts/posts-service';
import { renderCommentText } from '../shared/comment-text';
import { buildCommentThreads } from './comment-threads';
import { commentMessages as messages } from './comments-messages';
import type {
  CommentsRepository,
  NewCommentRecord,
  PublicComment,
  Sender,
  StoredComment,
  ThreadView,
} from './comments-repository';
import type { CommentSubmission } from './comments-schema';
import type { FormTimestamps } from './form-timestamp';

/** Who sent a comment, as the request showed it; kept for the moderator's spam decisions. */
export interface SubmitterContext {
  ipAddress: string | null;
  /** The network the address is in (an IPv4 address, or an IPv6 /56), as the rate limit counts clients. */
  network: string | null;
  userAgent: string | null;
  /** The sender's earlier comments (from their cookie): those awaiting moderation are on their pages too. */
  ownCommentIds: readonly number[];
}

/**
 * What the HTML form adds to a submission: its hidden honeypot field and its signed timestamp.
 * JSON clients send neither (`form` is undefined): the two bot traps apply to the form only.
 */
export interface FormSignals {
  honeypotFilled: boolean;
  stamp: string | undefined;
}

export interface CommentLimits {
  floodSeconds: number;
  minFormSeconds: number;
  formMaxAgeHours: number;
  perPage: number;
  maxThreadDepth: number;
}

export interface CommentsServiceOptions {
  repo: CommentsRepository;
  posts: PostsService;
  settings: ModerationSettingsRepository;
  formTimestamps: FormTimestamps;
  limits: CommentLimits;
  pageChanges?: PublicPageChanges;
  clock: Clock;
  /** The moderator's blocks: a blocked sender's comment goes to spam. */
  blocks: Pick<SenderBlocks, 'blocking'>;
  /** False with IP_RETENTION_DAYS=0: no IP address or user agent is stored (the rules still see them). */
  storesAddresses: boolean;
  /** Scores each arriving comment (from the model it keeps in memory: no query). */
  spamFilter: Pick<SpamFilter, 'assess'>;
}

const maxUserAgentLength = 512;

/**
 * Up to this many approved comments, a post's comments are read at once (one query) and threaded
 * here. Past it, that read stops at this many plus one and the page's threads are read alone, in
 * SQL, with the counts the page shows (two more queries).
 */
const wholePostMaxComments = 100;

/** 422: the form is too old to trust; it is shown again with a fresh one and everything typed. */
export class FormExpiredError extends AppError {
  constructor(maxAgeHours: number) {
    super(422, 'form_expired', messages.formExpired(maxAgeHours));
  }
}

export type CommentsService = ReturnType<typeof createCommentsService>;

/**
 * The public side of comments: posting one, and what a reader sees under a post.
 *
 * A submission passes these checks in order (the first that fails decides the answer):
 * post exists (404) → comments open (403) → form not older than a day (422, form only) →
 * reply target approved in this post (422) → not a duplicate (409) → not a flood (429).
 * Then its status: honeypot filled → spam; moderation rules (disallowed words → spam; moderation
 * words or too many links → held; then the mode); a form sent within seconds of being served,
 * or with a missing or forged timestamp, is held even if the rules would approve it.
 */
export function createCommentsService({
  repo,
  posts,
  settings,
  formTimestamps,
  limits,
  pageChanges = noPageChanges,
  clock,
  blocks,
  storesAddresses,
  spamFilter,
}: CommentsServiceOptions) {
  /** The comment a reader may reply to: an approved comment of this post, or null. */
  async function findReplyTarget(postId: number, commentId: number | null | undefined): Promise<PublicComment | null> {
    if (!commentId || !isRowId(commentId)) return null;
    const comment = await repo.findInPost(commentId, postId);
    return comment?.status === 'approved' && !comment.erased ? comment : null;
  }

  /** Why a submission was refused as a repeat: a duplicate (409) first, then a flood (429). */
  async function refusalOf(
    record: NewCommentRecord,
    sender: Sender,
    floodSince: Date | null,
  ): Promise<AppError | null> {
    if (await repo.hasDuplicate(record.postId, record.text, sender))
      return new ConflictError(messages.duplicate, 'duplicate_comment');
    const last = floodSince && (await repo.lastCommentTime(sender, floodSince));
    if (!last) return null;
    const wait = Math.max(1, Math.ceil(limits.floodSeconds - (clock.now().getTime() - last.getTime()) / 1000));
    return new TooManyRequestsError(messages.tooFast(wait), wait);
  }

  /** What a viewer with these comments of their own sees of a post's threads. */
  function viewOf(postId: number, ownIds: readonly number[]): ThreadView {
    return { postId, ownIds, threaded: limits.maxThreadDepth > 1 };
  }

  /**
   * Stores the comment unless its sender already said it, or is flooding; the checks are part of
   * the INSERT, and look only at the sender's own earlier comments.
   */
  async function storeUnlessRepeated(record: NewCommentRecord, sender: Sender): Promise<StoredComment> {
    const now = clock.now();
    const floodSince = limits.floodSeconds > 0 ? new Date(now.getTime() - limits.floodSeconds * 1000) : null;
    // A second attempt only if what refused the first was trashed or deleted in between.
    for (let attempt = 1; ; attempt += 1) {
      const stored = await repo.createUnlessRepeated(
        record,
        now,
        { sender, floodSince },
        viewOf(record.postId, sender.ownIds),
      );
      if (stored) return stored;
      const refusal = await refusalOf(record, sender, floodSince);
      if (refusal) throw refusal;
      // Refused twice with nothing found to blame: ask for the same again, the form shown with it.
      if (attempt === 2) throw new DatabaseBusyError(messages.sendAgain);
    }
  }

  /** The number of pages of so many threads, and the page asked for brought within them. */
  function pagesOf(threads: number, page: number): { pages: number; current: number } {
    const pages = Math.max(1, Math.ceil(threads / limits.perPage));
    return { pages, current: Math.min(Math.max(1, page), pages) };
  }

  /** One page of a long post's threads, read alone: its threads whole, and the counts the page shows. */
  async function readPageOfThreads(view: ThreadView, page: number) {
    const counts = await repo.countThreads(view);
    const { pages, current } = pagesOf(counts.threads, page);
    const comments = await repo.listThreadsOfView(view, (current - 1) * limits.perPage, limits.perPage);
    return {
      threads: buildCommentThreads(comments, limits.maxThreadDepth),
      approvedCount: counts.approved,
      page: current,
      pages,
    };
  }

  /** The page of comments that shows a thread with this many threads before it. */
  function pageFor(threadsBefore: number): number {
    return Math.floor(threadsBefore / limits.perPage) + 1;
  }

  /** The two bot traps of the form, applied over the rules' decision. */
  function applyFormTraps(
    decision: ArrivalDecision,
    form: FormSignals | undefined,
    formAgeMs: number | null,
  ): ArrivalDecision {
    if (!form) return decision;
    if (form.honeypotFilled) return { status: 'spam', note: 'filled in the hidden honeypot field' };
    if (decision.status === 'spam') return decision;
    if (formAgeMs === null)
      return { status: 'pending', note: 'held as likely spam: the form timestamp was missing or forged' };
    if (formAgeMs < limits.minFormSeconds * 1000) {
      return {
        status: 'pending',
        note: `held as likely spam: sent ${(formAgeMs / 1000).toFixed(1)} s after the form was served`,
      };
    }
    return decision;
  }

  let sharedStamp = { second: Number.NaN, value: '', period: 0 };
  let pinnedPosts: Promise<Set<number>> | null = null;

  return {
    findReplyTarget,

    /** Whether the post takes comments now (its own switch, and the automatic closing age). */
    async isOpen(post: PostRecord): Promise<boolean> {
      return commentsAreOpen(post, await settings.current(), clock.now());
    },

    /** When the post's comments will close by age, if they are open now and will. */
    async closesAt(post: PostRecord): Promise<Date | null> {
      const closing = commentsCloseAt(post, await settings.current());
      return closing && closing.getTime() > clock.now().getTime() ? closing : null;
    },

    /** How many pages of threads the post has for this viewer (at least one), from the post's counts. */
    async pageCount(postId: number, ownCommentIds: readonly number[]): Promise<number> {
      return pagesOf((await repo.countThreads(viewOf(postId, ownCommentIds))).threads, 1).pages;
    },

    /** A fresh signed timestamp for the comment form on a page rendered for one visitor. */
    issueFormStamp(): string {
      return formTimestamps.issue(clock.now());
    },

    /**
     * The form timestamp on shared pages: one per second, the start of that second, for everyone
     * served in it, so a kept page is compressed once a second rather than for every reader. A
     * form can look up to a second older than it is, never younger: no person is held for it.
     * With it, the quarter of the form's allowed age it was issued in: a shared page's validator
     * changes with it, so a browser's copy is not confirmed unchanged once its form is old.
     */
    issueSharedFormStamp(): { value: string; period: number } {
      const second = Math.floor(clock.now().getTime() / 1000);
      if (second !== sharedStamp.second) {
        const period = Math.floor((second * 1000) / ((limits.formMaxAgeHours * 3600 * 1000) / 4));
        sharedStamp = { second, value: formTimestamps.issue(new Date(second * 1000)), period };
      }
      return { value: sharedStamp.value, period: sharedStamp.period };
    },

    /** Stores a validated submission on the post at `slug`, with the status the checks give it. */
    async postComment(slug: string, submission: CommentSubmission, submitter: SubmitterContext, form?: FormSignals) {
      const post = await posts.getPublished(slug);
      const rules = await settings.current();
      if (!commentsAreOpen(post, rules, clock.now())) throw new ForbiddenError(messages.closed, 'comments_closed');
      const formAgeMs = form ? formTimestamps.ageOf(form.stamp, clock.now()) : null;
      if (formAgeMs !== null && formAgeMs > limits.formMaxAgeHours * 3600 * 1000)
        throw new FormExpiredError(limits.formMaxAgeHours);
      const parentId = submission.comment_parent;
      if (parentId !== null && !(await findReplyTarget(post.id, parentId))) {
        throw new ValidationError({ comment_parent: messages.parentInvalid }, messages.parentInvalid);
      }
      if (parentId !== null && (await repo.isInLockedThread(parentId)))
        throw new ValidationError({ comment_parent: messages.repliesLocked }, messages.repliesLocked);
      const arriving = {
        authorName: submission.author,
        authorEmail: submission.email,
        authorUrl: submission.url,
        text: submission.comment,
        ipAddress: submitter.ipAddress,
        userAgent: submitter.userAgent?.slice(0, maxUserAgentLength) ?? null,
      };
      const sender = { network: submitter.network, ownIds: submitter.ownCommentIds };
      // Known only to the network or browser that wrote the approved comment: anyone can type a name and address.
      const isKnown =
        rules.mode === 'known' && (await repo.hasApprovedComment(arriving.authorEmail, arriving.authorName, sender));
      const block = await blocks.blocking(arriving.authorEmail, arriving.ipAddress);
      const spam = await spamFilter.assess({ text: arriving.text, name: arriving.authorName, url: arriving.authorUrl });
      // Answered as any held comment is: nothing tells the sender they are blocked.
      const decision: ArrivalDecision = block
        ? {
            status: 'spam',
            // The block by its number: the note outlives the IP address (retention, erasure).
            note: `the sender is blocked (block ${block.id}: ${block.kind === 'email' ? 'their email address' : 'an IP range'})`,
          }
        : applyFormTraps(decideArrivalStatus(arriving, rules, isKnown, spam), form, formAgeMs);
      const { comment, threadsBefore } = await storeUnlessRepeated(
        {
          ...arriving,
          ...(storesAddresses ? {} : { ipAddress: null, userAgent: null }),
          postId: post.id,
          parentId,
          textHtml: renderCommentText(submission.comment),
          status: decision.status,
          statusNote: decision.note,
          clientNetwork: submitter.network,
          wantsReplies: submission.subscribe_comments,
          spamScore: spam?.score ?? null,
          spamReasons: spam ? storedReasons(spam.reasons) : null,
        },
        sender,
      );
      if (comment.status === 'approved') pageChanges.postChanged(post.slug);
      // A thread of its own is placed by the INSERT, from the post's counts. A reply is on its
      // thread's page, the page the form was on (`cpage`); without it (another form, the API),
      // null: the comment's permalink finds the page when opened, so no comment waits for a count.
      const page = threadsBefore !== null ? pageFor(threadsBefore) : submission.cpage;
      return { post, comment, page };
    },

    /** The comment a reply form may name: a reply target whose thread is not locked. */
    async findOpenReplyTarget(postId: number, commentId: number | null | undefined): Promise<PublicComment | null> {
      const target = await findReplyTarget(postId, commentId);
      return target && !(await repo.isInLockedThread(target.id)) ? target : null;
    },

    /**
     * The post's pinned comments, approved, earliest pinned first (shown again atop its first page).
     * Which posts have any is kept in memory, so a page of a post without one asks nothing more.
     */
    async pinnedOf(postId: number): Promise<PublicComment[]> {
      pinnedPosts ??= repo.postsWithPinnedComments().catch((error: unknown) => {
        pinnedPosts = null;
        throw error;
      });
      return (await pinnedPosts).has(postId) ? repo.pinnedOf(postId) : [];
    },

    /** A comment's pin or visibility may have changed (any post change says so): read the pinned posts again. */
    forgetPins(): void {
      pinnedPosts = null;
    },

    /** One page of the threads under a post: approved comments, plus the viewer's own awaiting moderation. */
    async threadsForPost(postId: number, ownCommentIds: readonly number[], page = 1) {
      const comments = await repo.listVisibleForPostUpTo(postId, ownCommentIds, wholePostMaxComments);
      if (!comments) return readPageOfThreads(viewOf(postId, ownCommentIds), page);
      const threads = buildCommentThreads(comments, limits.maxThreadDepth);
      const { pages, current } = pagesOf(threads.length, page);
      return {
        threads: threads.slice((current - 1) * limits.perPage, current * limits.perPage),
        approvedCount: comments.filter((comment) => comment.status === 'approved').length,
        page: current,
        pages,
      };
    },

    /** The page of the post at `slug` that shows this comment, or null if the viewer cannot see it. */
    async locate(slug: string, commentId: number, ownCommentIds: readonly number[]): Promise<number | null> {
      const post = await posts.getPublished(slug);
      const before = await repo.countThreadsBefore(viewOf(post.id, ownCommentIds), commentId);
      return before === null ? null : pageFor(before);
    },

    /** The approved comments of the post at `slug`, oldest first. */
    async listApproved(slug: string): Promise<PublicComment[]> {
      const post = await posts.getPublished(slug);
      return repo.listVisibleForPost(post.id);
    },
  };
}
