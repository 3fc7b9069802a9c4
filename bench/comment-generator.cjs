// Comments for the bench and the spam filter's tests: legitimate ones, in the words a reader of a
// blog about books and notes might use, and spam, in the shapes comment spam takes (praise that
// fits any post, a shop's link, money, shouting). All of it written here; a seeded generator, so a
// run is the same each time.

const readerWords = (
  'margin note pencil reader page ink paper book chapter line question answer idea thought word ' +
  'sentence story letter window morning evening river garden lamp desk shelf quiet careful bright ' +
  'small long open second early late simple honest curious gentle remember disagree agree reread ' +
  'paragraph footnote translation edition library notebook draft'
).split(' ');
const openings = [
  'I read this twice and',
  'The part about the',
  'My grandmother kept a',
  'I disagree a little:',
  'Thank you for the note on',
  'This reminded me of a',
  'Has anyone tried the',
];
const spamWords = (
  'cheap discount replica watches pills casino bonus loan crypto investment profit guaranteed ' +
  'free offer deal bestseller wholesale outlet viagra seo backlinks traffic followers'
).split(' ');
const spamOpenings = [
  'Great post! Very informative, check my site for',
  'Nice article thanks for sharing, we offer',
  'Hello admin, I found your blog very useful. Buy',
  'BEST PRICES ON',
  'Earn $500 a day with',
  'Amazing content!!! Visit us for',
];
const spamHosts = ['best-deals-outlet.top', 'cheap-replica.shop', 'quickloan-now.xyz', 'seo-boost.click'];

/** A generator of comments from a seed: `legitimate()` and `spam()` each give { name, url, text }. */
function createCommentGenerator(seed = 7) {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = (list) => list[Math.floor(random() * list.length)];
  const words = (list, n) => Array.from({ length: n }, () => pick(list)).join(' ');
  let people = 0;
  return {
    legitimate() {
      people += 1;
      const sentences = 1 + Math.floor(random() * 3);
      const text = Array.from(
        { length: sentences },
        () => `${pick(openings)} ${words(readerWords, 6 + Math.floor(random() * 10))}.`,
      ).join(' ');
      return { name: `Reader ${people}`, url: random() < 0.2 ? `https://reader${people}.example.org/` : null, text };
    },
    spam() {
      const host = pick(spamHosts);
      const shout = random() < 0.3;
      const body = `${pick(spamOpenings)} ${words(spamWords, 5 + Math.floor(random() * 8))} https://${host}/${words(spamWords, 1)}`;
      return {
        name: `${words(spamWords, 2)}`,
        url: random() < 0.7 ? `https://${host}/` : null,
        text: shout ? body.toUpperCase() : body,
      };
    },
  };
}

module.exports = { createCommentGenerator };
