import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { importWordPress } from '../../src/imports/wordpress-import';
import { ExportFormatError } from '../../src/imports/xml-records';
import { elementsOf } from '../helpers/html';
import { runBuiltTool } from '../helpers/built-tool';
import { importFixture } from '../helpers/import-fixtures';
import { buildTestApp, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
beforeEach(async () => {
  ctx = await buildTestApp();
});
afterEach(() => ctx.close());

const commentsOf = (slug: string) =>
  ctx.db.comment.findMany({
    where: { post: { slug } },
    orderBy: { createdAt: 'asc' },
    select: {
      sourceId: true,
      authorName: true,
      authorEmail: true,
      authorUrl: true,
      ipAddress: true,
      text: true,
      status: true,
      parentId: true,
      id: true,
      createdAt: true,
    },
  });

describe('importing a WordPress export (WXR 1.2)', () => {
  it('brings published posts and pages with every comment, status and thread, and reports what it left out', async () => {
    await ctx.db.post.create({
      data: {
        slug: 'welcome-to-the-margins',
        title: 'Here first',
        bodyMarkdown: '',
        bodyHtml: '',
        excerpt: '',
        authorName: 'Me',
        publishedAt: new Date(),
      },
    });
    const report = await importWordPress(ctx.db, importFixture('wxr-1.2.xml'));
    expect(report).toEqual({
      format: 'wordpress',
      version: '1.2',
      dryRun: false,
      dropped: {},
      posts: { created: 3, alreadyImported: 0 },
      terms: { categories: 1, tags: 0 },
      comments: { created: { approved: 4, pending: 1, spam: 1, trash: 1 }, alreadyImported: 0 },
      skipped: { pingbacks: 1, trackbacks: 1, 'attachment items': 1 },
      reattachedReplies: 2,
      spamFilterLearned: 0,
      renamedSlugs: [{ from: 'welcome-to-the-margins', to: 'welcome-to-the-margins-2' }],
      orphans: [],
      errors: [],
    });

    const post = await ctx.db.post.findUniqueOrThrow({ where: { slug: 'frost-on-the-reeds' } });
    expect(post).toMatchObject({
      title: 'Frost on the reeds',
      authorName: 'wren',
      commentsOpen: true,
      sourceId: 'wordpress:https://fieldnotes.example#post-11',
      publishedAt: new Date('2025-01-14T08:30:00Z'),
    });
    expect(post.bodyMarkdown).toBe(
      'The reeds by the mill pond were **white to the tip** this morning.\n\nA heron stood there as if it had been carved — [see the heron notes](https://birds.example/heron).',
    );
    const page = await ctx.db.post.findUniqueOrThrow({ where: { slug: 'welcome-to-the-margins-2' } });
    expect(page).toMatchObject({
      title: 'About these notes',
      commentsOpen: false,
      publishedAt: new Date('2024-06-01T11:00:00Z'),
    });
    expect(page.bodyMarkdown).toBe('## Why\n\nBecause walking is thinking.');

    const comments = await commentsOf('frost-on-the-reeds');
    const byName = Object.fromEntries(comments.map((comment) => [comment.authorName, comment]));
    expect(byName['Ada Brook']).toMatchObject({
      sourceId: 'wordpress:https://fieldnotes.example#comment-101',
      authorEmail: 'ada@brook.example',
      authorUrl: 'https://brook.example/',
      ipAddress: '198.51.100.7',
      status: 'approved',
      parentId: null,
      createdAt: new Date('2025-01-14T09:00:00Z'),
      // Paragraphs, line breaks and links kept; tags (and what a script held) gone; entities decoded.
      text: 'Lovely. Was the pond frozen too?\n\nSecond thought & a link about ice (https://ice.example/pond).\nNew line here.',
    });
    expect(byName.wren).toMatchObject({ parentId: byName['Ada Brook']!.id, status: 'approved' });
    // Its parent was a pingback (not imported): attached to the pingback's parent instead.
    expect(byName.Noor).toMatchObject({
      parentId: byName['Ada Brook']!.id,
      text: 'A reply to the pingback: صباح الخير 👩🏽‍🌾 — café',
    });
    // Its parent is not in the file at all: the top level.
    expect(byName['Held Hal']).toMatchObject({ parentId: null, status: 'pending' });
    expect(byName['Cheap Pills']).toMatchObject({ status: 'spam', authorUrl: 'http://spam.example/' });
    expect(byName['Binned Ben']).toMatchObject({ status: 'trash' });
    // Dated before its parent, and still under it.
    expect(byName['Early Eve']).toMatchObject({ parentId: byName['Held Hal']!.id, status: 'approved' });
    expect(Object.keys(byName).sort()).toEqual([
      'Ada Brook',
      'Binned Ben',
      'Cheap Pills',
      'Early Eve',
      'Held Hal',
      'Noor',
      'wren',
    ]);

    // On the page: the thread, with the imported HTML shown as text, and nothing unapproved.
    const html = (await request(ctx.app).get('/posts/frost-on-the-reeds').expect(200)).text;
    expect(html).toContain('4 Comments on “Frost on the reeds”');
    expect(html).toContain('A reply dated before its parent');
    expect(html).not.toContain('Waiting for a moderator.');
    expect(html).not.toContain('Buy now!');
    expect(
      elementsOf(html)
        .filter((element) => element.tag === 'script')
        .map((element) => element.attrs.src),
    ).toEqual([expect.stringMatching(/^\/assets\/comment-reply\.[\w-]+\.js$/)]);
    expect(html).toContain('<a href="https://ice.example/pond"');
  });

  it('is idempotent: the same file again creates nothing new', async () => {
    await importWordPress(ctx.db, importFixture('wxr-1.2.xml'));
    const counts = { posts: await ctx.db.post.count(), comments: await ctx.db.comment.count() };
    const again = await importWordPress(ctx.db, importFixture('wxr-1.2.xml'));
    expect(again.posts).toEqual({ created: 0, alreadyImported: 3 });
    expect(again.comments).toEqual({ created: { approved: 0, pending: 0, spam: 0, trash: 0 }, alreadyImported: 7 });
    expect({ posts: await ctx.db.post.count(), comments: await ctx.db.comment.count() }).toEqual(counts);
  });

  it('a dry run reports the same and writes nothing', async () => {
    const dry = await importWordPress(ctx.db, importFixture('wxr-1.2.xml'), { dryRun: true });
    expect(dry).toMatchObject({
      dryRun: true,
      posts: { created: 3 },
      comments: { created: { approved: 4, pending: 1, spam: 1, trash: 1 } },
    });
    expect(await ctx.db.post.count()).toBe(0);
    expect(await ctx.db.comment.count()).toBe(0);
  });
});

describe('older and broken files', () => {
  it.each([
    ['wxr-1.0.xml', '1.0', 'http://oldshed.example'],
    ['wxr-1.1.xml', '1.1', 'http://middleshed.example'],
  ])('reads %s (WXR %s)', async (file, version, site) => {
    const report = await importWordPress(ctx.db, importFixture(file));
    expect(report).toMatchObject({ version, posts: { created: 1 }, comments: { created: { approved: 1 } } });
    const post = await ctx.db.post.findUniqueOrThrow({
      where: { slug: 'mending-a-fork' },
      include: { comments: true },
    });
    expect(post.bodyMarkdown).toBe('A plain body, from the days before blocks.\n\nTwo paragraphs of it.');
    expect(post.comments).toEqual([
      expect.objectContaining({
        authorName: 'Gran',
        text: 'Ash handles last longest.',
        sourceId: `wordpress:${site}#comment-1`,
      }),
    ]);
  });

  it('a file broken halfway fails with its line and column, and writes nothing', async () => {
    const error = await importWordPress(ctx.db, importFixture('malformed.xml')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ExportFormatError);
    expect((error as Error).message).toMatch(/^The file is not well-formed XML: .*malformed\.xml:160:\d+: /);
    // The first item was read and written before the break; the transaction took it back.
    expect(await ctx.db.post.count()).toBe(0);
    expect(await ctx.db.comment.count()).toBe(0);
  });

  it('an item it cannot place is left out and reported with its line; the rest is imported', async () => {
    const file = path.join(ctx.dir, 'no-id.xml');
    writeFileSync(
      file,
      readFileSync(importFixture('wxr-1.0.xml'), 'utf8')
        .replace('<wp:post_id>5</wp:post_id>', '')
        .replace(
          '</channel>',
          `<item><title>Second</title><wp:post_id>6</wp:post_id><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>\n</channel>`,
        ),
    );
    const report = await importWordPress(ctx.db, file);
    expect(report.errors).toEqual(['line 9: an item without a wp:post_id was left out (“Mending a fork”)']);
    expect(report.posts.created).toBe(1);
    expect(await ctx.db.post.findMany({ select: { title: true } })).toEqual([{ title: 'Second' }]);
  });

  it('a feed that is not a WordPress export is refused', async () => {
    await expect(importWordPress(ctx.db, importFixture('not-wxr.xml'))).rejects.toThrow(
      'is not a WordPress export (WXR 1.0, 1.1 or 1.2)',
    );
  });
});

describe('npm run import', () => {
  const run = (...args: string[]) => runBuiltTool('imports/import-cli.js', args, ctx.config.DATABASE_URL, ctx.dir);

  it('prints the report, and says how to use it', async () => {
    const dry = await run('wordpress', importFixture('wxr-1.2.xml'), '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Dry run (nothing written): would import a WordPress export (WXR 1.2):');
    const real = await run('wordpress', importFixture('wxr-1.2.xml'));
    expect(real.code).toBe(0);
    expect(real.stdout).toBe(
      [
        'Imported a WordPress export (WXR 1.2):',
        '  posts: 3 new, 0 already imported',
        '  categories and tags set on them: 1 categories, 0 tags',
        '  comments: 4 approved, 1 pending, 1 spam, 1 trash; 0 already imported',
        '  replies re-attached to the nearest imported ancestor (or the top level): 2',
        '  the spam filter learned from 5 of them (approved as legitimate, spam as spam)',
        '  skipped: 1 pingbacks, 1 trackbacks, 1 attachment items',
        '',
      ].join('\n'),
    );
    expect(await ctx.db.comment.count()).toBe(7);
    const usage = await run('disqus-or-something');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Usage: npm run import -- wordpress|disqus|json <file> [--dry-run]');
    const broken = await run('wordpress', importFixture('malformed.xml'));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('Import failed, nothing was written: The file is not well-formed XML:');
  });
});

describe('what a WordPress blog keeps when it moves', () => {
  /** A WXR 1.2 file of the given items (each its inner XML). */
  function wxrOf(items: string[]): string {
    const file = path.join(ctx.dir, 'moving.xml');
    writeFileSync(
      file,
      `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Old</title><link>https://old.example</link><wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://old.example</wp:base_site_url>
${items.map((item) => `<item>${item}</item>`).join('\n')}
</channel></rss>`,
    );
    return file;
  }
  const item = (id: number, fields: Record<string, string>) =>
    [
      `<title>${fields.title ?? `Item ${id}`}</title>`,
      `<link>${fields.link ?? ''}</link>`,
      `<dc:creator>wren</dc:creator>`,
      `<content:encoded><![CDATA[${fields.html ?? '<p>Text.</p>'}]]></content:encoded>`,
      `<wp:post_id>${id}</wp:post_id>`,
      `<wp:post_date>2023-05-10 09:00:00</wp:post_date>`,
      `<wp:post_date_gmt>${fields.gmt ?? '2023-05-10 08:00:00'}</wp:post_date_gmt>`,
      `<wp:comment_status>open</wp:comment_status>`,
      `<wp:post_name>${fields.name ?? ''}</wp:post_name>`,
      `<wp:status>${fields.status ?? 'publish'}</wp:status>`,
      `<wp:post_type>${fields.type ?? 'post'}</wp:post_type>`,
    ].join('');

  it('answers the old permalinks and ?p= addresses with a redirect to the post', async () => {
    const report = await importWordPress(
      ctx.db,
      wxrOf([
        item(123, {
          title: 'A week in Lisbon',
          name: 'a-week-in-lisbon',
          link: 'https://old.example/2023/05/a-week-in-lisbon/',
        }),
        item(124, { title: 'Plain', name: 'plain', link: 'https://old.example/?p=124' }),
        item(7, { title: 'About', name: 'about', type: 'page', link: 'https://old.example/about/' }),
      ]),
    );
    expect(report.errors).toEqual([]);
    for (const [address, slug] of [
      ['/2023/05/a-week-in-lisbon/', 'a-week-in-lisbon'],
      ['/2023/05/a-week-in-lisbon', 'a-week-in-lisbon'],
      ['/?p=123', 'a-week-in-lisbon'],
      ['/?p=124', 'plain'],
    ] as const) {
      const res = await request(ctx.app).get(address);
      expect([address, res.status, res.headers.location]).toEqual([address, 301, `/posts/${slug}`]);
    }
    // The page is a page, at its own address (as it was there); its ?page_id= address leads to it.
    expect((await request(ctx.app).get('/about/').expect(200)).text).toContain('<h1 class="entry-title">About</h1>');
    const byId = await request(ctx.app).get('/?page_id=7').expect(301);
    expect(byId.headers.location).toBe('/about');
  });

  it('answers permalinks with accents or spaces, and skips only a malformed one', async () => {
    const report = await importWordPress(
      ctx.db,
      wxrOf([
        item(30, { title: 'Café', name: 'cafe-com-leite', link: 'https://old.example/2023/05/caf%c3%a9-com-leite/' }),
        item(31, { title: 'Spaced', name: 'spaced', link: 'https://old.example/2023/05/a b/' }),
        item(32, { title: 'Cut short', name: 'cut-short', link: 'https://old.example/%E0%A4%A/x' }),
      ]),
    );
    expect(report.errors).toEqual([]);
    expect(report.posts.created).toBe(3);
    for (const [address, slug] of [
      ['/2023/05/caf%C3%A9-com-leite/', 'cafe-com-leite'],
      ['/2023/05/caf%c3%a9-com-leite', 'cafe-com-leite'],
      ['/2023/05/a%20b/', 'spaced'],
      ['/?p=32', 'cut-short'],
    ] as const) {
      const res = await request(ctx.app).get(address);
      expect([address, res.status, res.headers.location]).toEqual([address, 301, `/posts/${slug}`]);
    }
  });

  it('keeps drafts and scheduled posts as such, off the site', async () => {
    await importWordPress(
      ctx.db,
      wxrOf([
        item(1, { title: 'Undated draft', name: 'undated', status: 'draft', gmt: '0000-00-00 00:00:00' }),
        item(2, { title: 'Private', name: 'private', status: 'private' }),
        item(3, { title: 'Coming', name: 'coming', status: 'future', gmt: '2099-01-01 00:00:00' }),
        item(4, { title: 'Binned', name: 'binned', status: 'trash' }),
      ]),
    );
    const posts = await ctx.db.post.findMany({
      select: { slug: true, status: true, dateChosen: true, publishedAt: true },
      orderBy: { slug: 'asc' },
    });
    expect(posts).toEqual([
      { slug: 'coming', status: 'scheduled', dateChosen: true, publishedAt: new Date('2099-01-01T00:00:00Z') },
      { slug: 'private', status: 'draft', dateChosen: true, publishedAt: new Date('2023-05-10T08:00:00Z') },
      { slug: 'undated', status: 'draft', dateChosen: false, publishedAt: new Date('2023-05-10T09:00:00Z') },
    ]);
    for (const slug of ['coming', 'private', 'undated']) await request(ctx.app).get(`/posts/${slug}`).expect(404);
  });

  it('turns a figure with a caption into a figure with that caption', async () => {
    await importWordPress(
      ctx.db,
      wxrOf([
        item(9, {
          title: 'Herons',
          name: 'herons',
          html: '<figure class="wp-block-image"><img src="https://old.example/heron (1).jpg" alt="A grey heron"/><figcaption>The heron, at "dawn"</figcaption></figure><p>After.</p>',
        }),
      ]),
    );
    const post = await ctx.db.post.findUniqueOrThrow({ where: { slug: 'herons' } });
    expect(post.bodyHtml).toContain('<figure><img src="https://old.example/heron%20(1).jpg" alt="A grey heron"');
    expect(post.bodyHtml).toContain('<figcaption>The heron, at “dawn”</figcaption></figure>');
    expect(post.bodyHtml).toContain('<p>After.</p>');
  });
});
