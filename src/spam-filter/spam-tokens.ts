// What the spam filter reads of a comment: its tokens, each counted once (a word said ten times
// is as telling as once, in the spirit of Paul Graham's "A Plan for Spam"). Ours, for comments:
// the words of the text; the name's words and the website's host, marked so they weigh apart
// from the same words in the text; the hosts of links and how many there are; a few shapes that
// spam has (shouting, money, long runs of punctuation, HTML).

/** What the filter is given of a comment. */
export interface SpamInput {
  text: string;
  name?: string | null;
  url?: string | null;
}

const word = /[\p{L}\p{N}][\p{L}\p{N}'’_-]*/gu;
const link = /\bhttps?:\/\/([^\s/?#<>"')\]]+)[^\s<>"')\]]*/giu;
const bareHost =
  /\b(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|info|biz|ru|cn|xyz|top|io|co|me|us|uk|de|fr|online|site|shop|club)\b/giu;
const longestWord = 24;

/** A host as a token: lower case, without www., and its last label too. */
function hostTokens(prefix: string, host: string): string[] {
  const plain = host
    .toLowerCase()
    .replace(/^www\./, '')
    .replace(/:\d+$/, '');
  const labels = plain.split('.').filter(Boolean);
  if (labels.length === 0) return [];
  return [`${prefix}:${plain}`, `${prefix}-tld:${labels.at(-1)}`];
}

/** The tokens of a comment, each once. */
export function spamTokensOf({ text, name, url }: SpamInput): Set<string> {
  const tokens = new Set<string>();
  const links = [...text.matchAll(link)];
  for (const match of links) for (const token of hostTokens('link', match[1] ?? '')) tokens.add(token);
  for (const match of text.replace(link, ' ').matchAll(bareHost))
    for (const token of hostTokens('link', match[0])) tokens.add(token);
  tokens.add(`links:${Math.min(links.length, 5)}`);
  const prose = text.replace(link, ' ');
  for (const [raw] of prose.matchAll(word)) {
    const lower = raw.toLowerCase();
    // Very long "words" (hashes, encoded junk) say their length, not their letters.
    if (lower.length > longestWord) tokens.add(`long:${Math.min(Math.floor(lower.length / 10) * 10, 100)}`);
    else if (lower.length >= 2 || /\p{Script=Han}/u.test(lower)) tokens.add(lower);
  }
  const letters = prose.replace(/[^\p{L}]/gu, '');
  if (letters.length >= 20) {
    const upper = letters.replace(/[^\p{Lu}]/gu, '').length / letters.length;
    if (upper > 0.5) tokens.add('shape:shouting');
  }
  if (/[$€£]\s?\d/.test(prose)) tokens.add('shape:money');
  if (/[!?]{3,}/.test(prose)) tokens.add('shape:!!!');
  if (/<\/?[a-z][^>]*>/i.test(text)) tokens.add('shape:html');
  tokens.add(`length:${Math.min(Math.floor(Math.log2(text.length + 1)), 16)}`);
  for (const [raw] of (name ?? '').matchAll(word)) tokens.add(`name:${raw.toLowerCase()}`);
  if (url) {
    const host = URL.canParse(url) ? new URL(url).hostname : null;
    for (const token of host ? hostTokens('site', host) : []) tokens.add(token);
  } else tokens.add('site:none');
  return tokens;
}
