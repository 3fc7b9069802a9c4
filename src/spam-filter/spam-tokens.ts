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
// A bare host ("cheap-pills.top"), checked on one whitespace-separated piece at a time: a pattern
// run over the whole text would backtrack quadratically on input such as "a.a.a.a…".
const bareHost =
  /^(?:www\.)?((?:[a-z0-9-]{1,63}\.){1,8}(?:com|net|org|info|biz|ru|cn|xyz|top|io|co|me|us|uk|de|fr|online|site|shop|club))$/iu;
// Markup: [^<>] stops at the next "<", so a text of many "<a" is read once, not once for each.
const markup = /<\/?[a-z][^<>]*>/i;
const longestWord = 24;
const longestHost = 100;
/** Only the start of a very long comment is read: what it says there is as telling as the rest. */
export const tokenizedLength = 20_000;
/** At most this many tokens of one comment, so no comment can flood the model. */
export const maxTokensPerComment = 400;

/** A host as tokens: lower case, without www. or port, and its last label too; a very long one says so. */
function hostTokens(prefix: string, host: string): string[] {
  const plain = host
    .toLowerCase()
    .replace(/^www\./, '')
    .replace(/:\d+$/, '');
  if (plain.length > longestHost) return [`${prefix}:long`];
  const labels = plain.split('.').filter(Boolean);
  if (labels.length === 0) return [];
  return [`${prefix}:${plain}`, `${prefix}-tld:${labels.at(-1)!.slice(0, longestWord)}`];
}

/** A word as its token: a very long "word" (a hash, encoded junk) says its length, not its letters. */
const wordToken = (lower: string): string =>
  lower.length > longestWord ? `long:${Math.min(Math.floor(lower.length / 10) * 10, 100)}` : lower;

/** The tokens of a comment, each once; at most `maxTokensPerComment`, the shapes and fields first. */
export function spamTokensOf({ text: whole, name, url }: SpamInput): Set<string> {
  const text = whole.length > tokenizedLength ? whole.slice(0, tokenizedLength) : whole;
  const tokens = new Set<string>();
  const links = [...text.matchAll(link)];
  tokens.add(`links:${Math.min(links.length, 5)}`);
  tokens.add(`length:${Math.min(Math.floor(Math.log2(whole.length + 1)), 16)}`);
  const prose = text.replace(link, ' ');
  const letters = prose.replace(/[^\p{L}]/gu, '');
  if (letters.length >= 20) {
    const upper = letters.replace(/[^\p{Lu}]/gu, '').length / letters.length;
    if (upper > 0.5) tokens.add('shape:shouting');
  }
  if (/[$€£]\s?\d/.test(prose)) tokens.add('shape:money');
  if (/[!?]{3,}/.test(prose)) tokens.add('shape:!!!');
  if (markup.test(text)) tokens.add('shape:html');
  for (const [raw] of (name ?? '').matchAll(word)) tokens.add(`name:${wordToken(raw.toLowerCase())}`);
  if (url) {
    const host = URL.canParse(url) ? new URL(url).hostname : null;
    for (const token of host ? hostTokens('site', host) : []) tokens.add(token);
  } else tokens.add('site:none');
  const add = (token: string): boolean => {
    tokens.add(token);
    return tokens.size < maxTokensPerComment;
  };
  for (const match of links) for (const token of hostTokens('link', match[1] ?? '')) if (!add(token)) return tokens;
  for (const piece of prose.split(/\s+/)) {
    const host = bareHost.exec(piece.replace(/^[(<"']+|[)>"'.,;:!?]+$/g, ''))?.[1];
    if (host) for (const token of hostTokens('link', host)) if (!add(token)) return tokens;
  }
  for (const [raw] of prose.matchAll(word)) {
    const lower = raw.toLowerCase();
    if ((lower.length >= 2 || /\p{Script=Han}/u.test(lower)) && !add(wordToken(lower))) return tokens;
  }
  return tokens;
}
