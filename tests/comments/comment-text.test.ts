import { renderCommentText } from '../../src/shared/comment-text';
import { buildCommentThreads } from '../../src/comments/comment-threads';
import type { PublicComment } from '../../src/comments/comments-repository';

describe('renderCommentText', () => {
  it('escapes HTML, keeps paragraphs and line breaks', () => {
    expect(renderCommentText('a <i>b</i> & "c"\nd\n\n\ne')).toBe(
      '<p>a &lt;i&gt;b&lt;/i&gt; &amp; &quot;c&quot;<br>\nd</p>\n<p>e</p>',
    );
  });

  it('links http(s) addresses with rel="nofollow ugc noopener", and nothing else', () => {
    expect(renderCommentText('see https://example.com/a?b=1&c=2.')).toBe(
      '<p>see <a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc noopener">https://example.com/a?b=1&amp;c=2</a>.</p>',
    );
    // Scheme-less names stay text: "file.txt" or "e.g." must not turn into links.
    expect(renderCommentText('javascript:alert(1) mailto:a@b.co ftp://x.example example.com www.example.org')).toBe(
      '<p>javascript:alert(1) mailto:a@b.co ftp://x.example example.com www.example.org</p>',
    );
  });

  it('cannot be tricked into an attribute by a quote inside a URL', () => {
    expect(renderCommentText('https://example.com/"onmouseover="alert(1)')).not.toMatch(/"onmouseover="/);
  });
});

describe('buildCommentThreads', () => {
  const comment = (id: number, parentId: number | null): PublicComment => ({
    id,
    parentId,
    authorName: `c${id}`,
    authorUrl: null,
    byPostAuthor: false,
    repliesLocked: false,
    erased: false,
    text: '',
    textHtml: '',
    status: 'approved',
    createdAt: new Date(id * 1000),
  });

  it('nests replies and attaches those deeper than the maximum at the last level', () => {
    const threads = buildCommentThreads(
      [comment(1, null), comment(2, 1), comment(3, 2), comment(4, 3), comment(5, null)],
      3,
    );
    expect(threads.map((t) => t.id)).toEqual([1, 5]);
    const level3 = threads[0]!.replies[0]!.replies[0]!;
    expect(level3.id).toBe(3);
    expect(level3.depth).toBe(3);
    expect(threads[0]!.replies[0]!.replies.map((c) => c.id)).toEqual([3, 4]);
  });

  it('shows a reply whose parent is not visible at the top level', () => {
    expect(buildCommentThreads([comment(7, 6)], 5).map((t) => [t.id, t.depth])).toEqual([[7, 1]]);
  });
});
