import { createSenderBlocks } from '../../src/moderation/sender-blocks';
import { systemClock } from '../../src/shared/clock';
import { createCommentsRepository, type CommentsRepository } from '../../src/comments/comments-repository';
import { commentMessages } from '../../src/comments/comments-messages';
import { createCommentsService } from '../../src/comments/comments-service';
import { createSpamFilter } from '../../src/spam-filter/spam-filter-service';
import { createSpamModelRepository } from '../../src/spam-filter/spam-model-repository';
import { createFormTimestamps } from '../../src/comments/form-timestamp';
import { DatabaseBusyError } from '../../src/errors';
import { moderationDefaults } from '../../src/moderation/moderation-settings';
import { createModerationSettingsRepository } from '../../src/moderation/moderation-settings-repository';
import { createPostsRepository } from '../../src/posts/posts-repository';
import { createPostsService } from '../../src/posts/posts-service';
import { addComment, addPost } from '../helpers/factories';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// A submission is one INSERT that refuses a repeat; only a refused one then looks up why. These
// tests stage what a moderator could do between those two statements (bin the comment that was
// repeated) through the service's repository, which stays the real one on the real database.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(() => ctx.close());

/** The comments service as the app builds it, over `repo`. */
function commentsServiceOver(repo: CommentsRepository) {
  const settings = createModerationSettingsRepository({ db: ctx.db, defaults: moderationDefaults(ctx.config) });
  return createCommentsService({
    repo,
    posts: createPostsService({ repo: createPostsRepository(ctx.db), clock: systemClock }),
    settings,
    spamFilter: createSpamFilter({ repo: createSpamModelRepository(ctx.db), settings: () => settings.current() }),
    formTimestamps: createFormTimestamps('race-test-secret-at-least-32-characters'),
    limits: { floodSeconds: 0, minFormSeconds: 0, formMaxAgeHours: 24, perPage: 50, maxThreadDepth: 5 },
    clock: systemClock,
    blocks: createSenderBlocks(ctx.db),
    storesAddresses: true,
  });
}

/** The real repository, with `before` and `after` run around each lookup of why an INSERT was refused. */
function withStepsAroundRefusalLookup(
  before: () => Promise<unknown>,
  after: () => Promise<unknown> = async () => {},
): CommentsRepository {
  const repo = createCommentsRepository(ctx.db);
  return {
    ...repo,
    hasDuplicate: async (...args: Parameters<CommentsRepository['hasDuplicate']>) => {
      await before();
      const found = await repo.hasDuplicate(...args);
      await after();
      return found;
    },
  };
}

const setStatus = (id: number, status: string) => ctx.db.comment.update({ where: { id }, data: { status } });
const submitter = { ipAddress: '198.51.100.30', network: '198.51.100.30', userAgent: 'race test', ownCommentIds: [] };

async function repeatOfAComment() {
  const post = await addPost(ctx.db);
  const first = await addComment(ctx.db, post.id, {
    status: 'approved',
    authorEmail: 'twice@example.com',
    text: 'Said once, then again.',
    ipAddress: submitter.ipAddress,
  });
  const submission = {
    comment: 'Said once, then again.',
    author: 'Twice',
    email: 'twice@example.com',
    url: null,
    comment_parent: null,
    cpage: null,
    'wp-comment-cookies-consent': false,
    subscribe_comments: false,
  };
  return { post, first, submission };
}

describe('a repeated comment whose original is binned while the refusal is looked up', () => {
  it('is stored on the second attempt, since nothing repeats it any more', async () => {
    const { post, first, submission } = await repeatOfAComment();
    const service = commentsServiceOver(withStepsAroundRefusalLookup(() => setStatus(first.id, 'trash')));
    const { comment } = await service.postComment(post.slug, submission, submitter);
    expect(comment.id).not.toBe(first.id);
    const stored = await ctx.db.comment.findMany({
      where: { postId: post.id },
      select: { id: true, status: true },
      orderBy: { id: 'asc' },
    });
    expect(stored).toEqual([
      { id: first.id, status: 'trash' },
      { id: comment.id, status: expect.any(String) },
    ]);
  });

  it('is refused with "send it again", storing nothing, when the original comes back each time', async () => {
    const { post, first, submission } = await repeatOfAComment();
    let lookups = 0;
    // Binned before each lookup and restored straight after it: the INSERT is refused both times,
    // and the lookup never finds what refused it.
    const repo = withStepsAroundRefusalLookup(
      () => {
        lookups += 1;
        return setStatus(first.id, 'trash');
      },
      () => setStatus(first.id, 'approved'),
    );
    const attempt = commentsServiceOver(repo).postComment(post.slug, submission, submitter);
    await expect(attempt).rejects.toBeInstanceOf(DatabaseBusyError);
    await expect(attempt).rejects.toMatchObject({ status: 503, message: commentMessages.sendAgain });
    expect(lookups).toBe(2);
    expect(await ctx.db.comment.count({ where: { postId: post.id } })).toBe(1);
  });
});
