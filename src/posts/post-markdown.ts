import MarkdownIt from 'markdown-it';
import implicitFigures from 'markdown-it-implicit-figures';

// Posts are written in Markdown by the site owner and rendered once, when saved. Raw HTML stays
// off even for the owner: a post body is never a way to put script on the page.
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: true }).use(implicitFigures, {
  // ![alt](src "caption") alone in a paragraph becomes <figure> with the title as <figcaption>.
  figcaption: 'title',
  lazyLoading: true,
});

// markdown-it aligns table columns with a style attribute, which the page's Content-Security-Policy
// (no inline styles) would refuse: a class says the same (site.css).
for (const cell of ['th_open', 'td_open'] as const) {
  markdown.renderer.rules[cell] = (tokens, idx, options, _env, self) => {
    const token = tokens[idx]!;
    const align = /text-align:(left|center|right)/.exec(String(token.attrGet('style') ?? ''))?.[1];
    token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'style');
    if (align) token.attrJoin('class', `align-${align}`);
    return self.renderToken(tokens, idx, options);
  };
}

const excerptLength = 240;

/** A post body as it is stored: the Markdown, its HTML and its excerpt. */
export function renderedPostBody(bodyMarkdown: string): { bodyMarkdown: string; bodyHtml: string; excerpt: string } {
  return { bodyMarkdown, bodyHtml: renderPostBody(bodyMarkdown), excerpt: excerptOf(bodyMarkdown) };
}

/** The HTML of a post body. */
export function renderPostBody(bodyMarkdown: string): string {
  return markdown.render(bodyMarkdown);
}

/** The first paragraph of a post as plain text, cut at a word boundary near 240 characters. */
export function excerptOf(bodyMarkdown: string): string {
  const tokens = markdown.parse(bodyMarkdown, {});
  const firstParagraph = tokens.findIndex((token) => token.type === 'paragraph_open');
  const inline = firstParagraph >= 0 ? tokens[firstParagraph + 1] : undefined;
  const text = (inline?.children ?? [])
    .filter((child) => child.type === 'text' || child.type === 'code_inline' || child.type === 'softbreak')
    .map((child) => (child.type === 'softbreak' ? ' ' : child.content))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length <= excerptLength) return text;
  const cut = text.slice(0, excerptLength);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), excerptLength / 2)).trimEnd()}…`;
}
