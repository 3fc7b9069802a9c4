import { systemClock } from '../../src/shared/clock';
import { renderCommentText } from '../../src/shared/comment-text';
import type { CommentStatus } from '../../src/shared/comment-status';
import type { Database } from '../../src/db/database';
import { createPostsRepository } from '../../src/posts/posts-repository';
import { createPostsService, type NewPost } from '../../src/posts/posts-service';

let sequence = 0;
const next = (): number => ++sequence;

/** Adds a post through the posts service (so its Markdown is rendered as in production). */
export async function addPost(db: Database, overrides: Partial<NewPost> = {}) {
  const n = next();
  return createPostsService({ repo: createPostsRepository(db), clock: systemClock }).createPost({
    slug: `post-${n}`,
    title: `Post number ${n}`,
    bodyMarkdown: `The body of post ${n}.\n\nA second paragraph.`,
    authorName: 'Test Author',
    // An hour apart, in the order made, and all in the past.
    publishedAt: new Date(Date.UTC(2026, 0, 1) + n * 3_600_000),
    ...overrides,
  });
}

export interface CommentOverrides {
  status?: CommentStatus;
  parentId?: number | null;
  authorName?: string;
  authorEmail?: string;
  authorUrl?: string | null;
  text?: string;
  ipAddress?: string | null;
  clientNetwork?: string | null;
  createdAt?: Date;
}

/** Adds a comment directly (for pages and lists that need existing comments in a given status). */
export async function addComment(db: Database, postId: number, overrides: CommentOverrides = {}) {
  const n = next();
  const text = overrides.text ?? `Comment text ${n}`;
  return db.comment.create({
    data: {
      postId,
      parentId: overrides.parentId ?? null,
      authorName: overrides.authorName ?? `Commenter ${n}`,
      authorEmail: overrides.authorEmail ?? `commenter${n}@example.com`,
      authorUrl: overrides.authorUrl ?? null,
      text,
      textHtml: renderCommentText(text),
      status: overrides.status ?? 'approved',
      ipAddress: overrides.ipAddress === undefined ? '203.0.113.9' : overrides.ipAddress,
      clientNetwork:
        overrides.clientNetwork === undefined ? (overrides.ipAddress ?? '203.0.113.9') : overrides.clientNetwork,
      userAgent: 'factory',
      ...(overrides.createdAt ? { createdAt: overrides.createdAt } : {}),
    },
  });
}
