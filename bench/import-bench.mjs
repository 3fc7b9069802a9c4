// npm run bench:import [-- <comments>]
// Generates a WordPress export (WXR 1.2) with 50,000 comments by default (500 posts × 100, in
// threads, mixed statuses, some pingbacks), imports it with `npm run import` into a fresh temp
// database, and reports the time and the importer's peak memory (VmHWM, from /proc). Not a test.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const total = Number(process.argv[2] ?? 50_000);
const perPost = 100;
const dir = mkdtempSync(path.join(tmpdir(), 'marginalia-import-bench-'));
const file = path.join(dir, 'export.xml');

async function generate() {
  const out = createWriteStream(file);
  const write = (text) => (out.write(text) ? Promise.resolve() : new Promise((resolve) => out.once('drain', resolve)));
  await write(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench blog</title><wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://bench.example</wp:base_site_url>
`);
  const statuses = ['1', '1', '1', '1', '1', '1', '0', 'spam', 'trash'];
  let commentId = 0;
  for (let post = 1; post <= Math.ceil(total / perPost); post += 1) {
    await write(`<item><title>Bench post ${post}</title><dc:creator>bench</dc:creator>
<content:encoded><![CDATA[<p>Post ${post}: a paragraph with <em>emphasis</em> and a <a href="https://example.com/${post}">link</a>.</p>]]></content:encoded>
<wp:post_id>${post}</wp:post_id><wp:post_date_gmt>2024-01-01 00:00:00</wp:post_date_gmt><wp:comment_status>open</wp:comment_status>
<wp:post_name>bench-post-${post}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
`);
    const first = commentId + 1;
    for (let i = 0; i < perPost && commentId < total; i += 1) {
      commentId += 1;
      const parent = i > 0 && i % 3 !== 0 ? first + Math.floor((i - 1) / 2) : 0;
      const second = String(commentId % 60).padStart(2, '0');
      await write(`<wp:comment><wp:comment_id>${commentId}</wp:comment_id><wp:comment_author><![CDATA[Reader ${commentId}]]></wp:comment_author>
<wp:comment_author_email>reader${commentId}@example.com</wp:comment_author_email><wp:comment_author_url></wp:comment_author_url><wp:comment_author_IP>198.51.100.${commentId % 250}</wp:comment_author_IP>
<wp:comment_date_gmt>2024-01-02 10:${String(i % 60).padStart(2, '0')}:${second}</wp:comment_date_gmt>
<wp:comment_content><![CDATA[<p>Comment ${commentId}, with a few words &amp; a second sentence.</p><p>And a paragraph — café.</p>]]></wp:comment_content>
<wp:comment_approved>${statuses[commentId % statuses.length]}</wp:comment_approved><wp:comment_type>${commentId % 97 === 0 ? 'pingback' : 'comment'}</wp:comment_type><wp:comment_parent>${parent}</wp:comment_parent></wp:comment>
`);
    }
    await write('</item>\n');
  }
  await write('</channel></rss>\n');
  await new Promise((resolve) => out.end(resolve));
}

async function main() {
  await generate();
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(root, 'dist', 'imports', 'import-cli.js'), 'wordpress', file], {
    cwd: dir,
    env: { PATH: process.env.PATH, DATABASE_URL: `file:${path.join(dir, 'imported.db')}` },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let report = '';
  child.stdout.on('data', (chunk) => (report += chunk));
  let peakKb = 0;
  const sample = setInterval(() => {
    try {
      peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]));
    } catch {
      // the importer has just exited
    }
  }, 20);
  const code = await new Promise((resolve) => child.on('exit', resolve));
  clearInterval(sample);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(report.trim());
  console.log(
    `\nimport of ${(statSync(file).size / 1024 / 1024).toFixed(1)} MB, ${total.toLocaleString('en-US')} comments: exit ${code}, ${seconds} s, peak memory ${(peakKb / 1024).toFixed(0)} MB (VmHWM)`,
  );
  rmSync(dir, { recursive: true, force: true });
  process.exit(code === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
