import { LinkifyIt } from 'linkify-it';
import MarkdownIt from 'markdown-it';

// A comment is plain text. It is shown escaped, so nothing a commenter types is ever interpreted
// as HTML; blank lines separate paragraphs, single line breaks are kept, and web addresses
// starting with http:// or https:// become links that pass no search-engine credit.

const { escapeHtml } = new MarkdownIt().utils;
const linkify = new LinkifyIt().set({ fuzzyLink: false, fuzzyEmail: false });
const linkRel = 'nofollow ugc noopener';

function linkifyLine(line: string): string {
  const matches = (linkify.match(line) ?? []).filter((match) => /^https?:\/\//i.test(match.url));
  let html = '';
  let position = 0;
  for (const match of matches) {
    html += escapeHtml(line.slice(position, match.index));
    html += `<a href="${escapeHtml(match.url)}" rel="${linkRel}">${escapeHtml(match.text)}</a>`;
    position = match.lastIndex;
  }
  return html + escapeHtml(line.slice(position));
}

/** The HTML shown for a comment's text. */
export function renderCommentText(text: string): string {
  return text
    .split(/\n[ \t]*\n\s*/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => `<p>${paragraph.split('\n').map(linkifyLine).join('<br>\n')}</p>`)
    .join('\n');
}
