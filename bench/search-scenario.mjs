// The moderator's search on the seeded 100,000 comments (bench/seed.mjs: 40 words, "Reader N",
// "readerN@example.com"): GET /admin/api/comments?q= for kinds of search from a word in half the
// comments to one in none, each timed alone (one request at a time, so a time is the server's
// own), then the kept article page under load alone, while a moderator searches words of three
// letters or more without pause, and while one searches one or two letters (shorter than the
// index's trigrams, read a range of ids at a time): on SQLite the server does a query's work on
// its one thread, and a page waits for it.
import autocannon from 'autocannon';

/** What a moderator looks for, by kind (each chosen for how many of the seeded comments hold it). */
export const searchKinds = {
  'a word in half the comments ("river")': 'river',
  'two words in 2 % ("quiet garden")': 'quiet garden',
  'a name ("Reader 4242": 11)': 'Reader 4242',
  'an address ("reader77777@example.com": 1)': 'reader77777@example.com',
  'a word in none ("xylophone")': 'xylophone',
  'two letters in most ("er")': 'er',
  'two letters in none ("zq")': 'zq',
};

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** One search; its time in ms and how many comments it found. */
async function searchOnce(url, apiToken, q) {
  const started = performance.now();
  const res = await fetch(`${url}/admin/api/comments?q=${encodeURIComponent(q)}`, {
    headers: { Authorization: `Bearer ${apiToken}` },
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`search for ${q}: ${res.status} ${JSON.stringify(body)}`);
  return { ms: performance.now() - started, total: body.total };
}

/** Asks one server for `q` again and again for `seconds`, one request at a time. */
async function timeSearches(url, apiToken, q, seconds) {
  const times = [];
  let total;
  for (const until = Date.now() + seconds * 1000; Date.now() < until;) {
    const search = await searchOnce(url, apiToken, q);
    times.push(search.ms);
    total = search.total;
  }
  return { times, total };
}

/** Searches every kind on every server, round by round, then the page under load; see the top. */
export async function measureSearch(servers, { apiToken, rounds, duration, warmUp, articlePath, connections }) {
  // Unmeasured first, as every contender of the bench: the index read into memory, the code compiled.
  for (const q of Object.values(searchKinds))
    for (const url of Object.values(servers)) await timeSearches(url, apiToken, q, warmUp);
  const samples = {};
  for (let round = 0; round < rounds; round += 1) {
    for (const [kind, q] of Object.entries(searchKinds)) {
      for (const [name, url] of Object.entries(servers)) {
        const { times, total } = await timeSearches(url, apiToken, q, duration);
        const seen = (samples[kind] ??= {})[name] ?? { times: [], total };
        samples[kind][name] = { times: [...seen.times, ...times], total };
      }
    }
  }
  const kinds = {};
  for (const [kind, byServer] of Object.entries(samples)) {
    kinds[kind] = {};
    for (const [name, { times, total }] of Object.entries(byServer)) {
      const sorted = times.sort((a, b) => a - b);
      kinds[kind][name] = {
        total,
        searches: sorted.length,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted.at(-1),
      };
    }
  }
  const pages = {};
  for (const [name, url] of Object.entries(servers))
    pages[name] = await pageWhileSearching(url, apiToken, { rounds, duration, articlePath, connections });
  console.error('  search: done');
  return { kinds, pages };
}

const pageLoad = (url, duration, connections) =>
  new Promise((resolve, reject) =>
    autocannon({ url, duration, connections }, (error, result) =>
      error
        ? reject(error)
        : resolve({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 }),
    ),
  );

const words = Object.values(searchKinds).filter((q) => q.length >= 3);
const letters = Object.values(searchKinds).filter((q) => q.length < 3);

/**
 * The kept page's rate and p99, alone, while one moderator searches for each word in turn, and
 * while one searches for each short search in turn.
 */
async function pageWhileSearching(url, apiToken, { rounds, duration, articlePath, connections }) {
  const alone = [];
  const searching = { words: [], letters: [] };
  const searches = { words: 0, letters: 0 };
  for (let round = 0; round < rounds; round += 1) {
    alone.push(await pageLoad(`${url}${articlePath}`, duration, connections));
    for (const [kind, list] of Object.entries({ words, letters })) {
      let stop = false;
      const moderator = (async () => {
        for (let i = 0; !stop; i += 1) {
          await searchOnce(url, apiToken, list[i % list.length]);
          searches[kind] += 1;
        }
      })();
      searching[kind].push(await pageLoad(`${url}${articlePath}`, duration, connections));
      stop = true;
      await moderator;
    }
  }
  const medianOf = (list, key) => list.map((item) => item[key]).sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const summary = (list) => ({ rps: medianOf(list, 'rps'), p50: medianOf(list, 'p50'), p99: medianOf(list, 'p99') });
  return {
    alone: summary(alone),
    whileSearching: { ...summary(searching.words), searches: searches.words },
    whileSearchingLetters: { ...summary(searching.letters), searches: searches.letters },
  };
}

/** The scenario's lines of the bench's table (markdown), one server or several side by side. */
export function searchReport({ kinds, pages }) {
  const names = Object.keys(Object.values(kinds)[0]);
  const ms = (value) => value.toFixed(1);
  const lines = [
    `| search (GET /admin/api/comments?q=), one at a time | ${names.map((name) => `${name}: found, p50 / p99 / max ms (searches)`).join(' | ')} |`,
    `| --- | ${names.map(() => '---').join(' | ')} |`,
  ];
  for (const [kind, byServer] of Object.entries(kinds)) {
    const cells = names.map((name) => {
      const s = byServer[name];
      return `${s.total.toLocaleString('en-US')}, ${ms(s.p50)} / ${ms(s.p99)} / ${ms(s.max)} (${s.searches})`;
    });
    lines.push(`| ${kind} | ${cells.join(' | ')} |`);
  }
  const page = (p) => `${Math.round(p.rps).toLocaleString('en-US')}/s, p50 ${p.p50} / p99 ${p.p99} ms`;
  lines.push(`| kept article page, alone | ${names.map((name) => page(pages[name].alone)).join(' | ')} |`);
  lines.push(
    `| the same while a moderator searches words without pause | ${names
      .map((name) => `${page(pages[name].whileSearching)} (${pages[name].whileSearching.searches} searches)`)
      .join(' | ')} |`,
  );
  lines.push(
    `| the same while a moderator searches one or two letters without pause | ${names
      .map(
        (name) => `${page(pages[name].whileSearchingLetters)} (${pages[name].whileSearchingLetters.searches} searches)`,
      )
      .join(' | ')} |`,
  );
  return lines.join('\n');
}
