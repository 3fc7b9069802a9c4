import { ElementType, parseDocument } from 'htmlparser2';
import type { ChildNode } from 'domhandler';

// Comments elsewhere are HTML; here a comment is plain text (shown escaped, with its web addresses
// made links). The conversion keeps what a reader sees as structure: paragraphs, line breaks, and
// links (as their address, so they become links again). Every other tag is dropped, its text kept.

const blocks = new Set([
  'p',
  'div',
  'blockquote',
  'ul',
  'ol',
  'li',
  'pre',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'table',
  'tr',
]);

function textOf(nodes: ChildNode[]): string {
  let out = '';
  for (const node of nodes) {
    if (node.type === ElementType.Text) out += node.data;
    // Never the contents of <script> or <style> (their own node types).
    else if (node.type === ElementType.Tag) {
      if (node.name === 'br') out += '\n';
      else if (node.name === 'a') {
        const label = textOf(node.children).trim();
        const href = node.attribs.href?.trim() ?? '';
        const isWeb = /^https?:\/\//i.test(href);
        out += isWeb && label && label !== href ? `${label} (${href})` : isWeb ? href : label;
      } else if (blocks.has(node.name)) out += `\n\n${textOf(node.children)}\n\n`;
      else out += textOf(node.children);
    }
  }
  return out;
}

/** The plain text of a comment written in HTML (WordPress and Disqus both store it so). */
export function commentHtmlToText(html: string): string {
  // WordPress stores paragraphs as blank lines (wpautop adds <p> on display), so those stay.
  const text = textOf(parseDocument(html, { decodeEntities: true }).children);
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
