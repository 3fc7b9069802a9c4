import type { Database } from '../../src/db/database';

/** Everything about the posts and comments of a database, with ids replaced by what they point at. */
export async function contentOf(db: Database, { withSourceIds = true } = {}) {
  const posts = await db.post.findMany({
    orderBy: { slug: 'asc' },
    include: { comments: { include: { statusChanges: true } } },
  });
  return posts.map(({ id: _id, createdAt: _c, updatedAt: _u, comments, sourceId, ...post }) => {
    const keyOf = new Map(
      comments.map((comment) => [comment.id, `${comment.createdAt.toISOString()} ${comment.text}`]),
    );
    return {
      ...post,
      ...(withSourceIds ? { sourceId } : {}),
      comments: comments
        .map(
          ({ id: _cid, postId: _p, updatedAt: _cu, parentId, statusChanges, sourceId: commentSource, ...comment }) => ({
            ...comment,
            ...(withSourceIds ? { sourceId: commentSource } : {}),
            parent: parentId === null ? null : keyOf.get(parentId),
            statusChanges: statusChanges.map(({ id: _sid, commentId: _sc, ...change }) => change),
          }),
        )
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.text.localeCompare(b.text)),
    };
  });
}
