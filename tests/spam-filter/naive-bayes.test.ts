import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { emptySpamCounts, learn, prune, score, type SpamCounts } from '../../src/spam-filter/naive-bayes';
import { crossValidate, mailAsComment, type LabeledExample } from '../../src/spam-filter/spam-evaluation';
import { maxTokensPerComment, spamTokensOf, type SpamInput } from '../../src/spam-filter/spam-tokens';
import { runBuiltTool } from '../helpers/built-tool';

// The spam filter's classifier (issue 24, first part): what it reads of a comment, how learning
// and unlearning move a score, what it says weighed, and its evaluation by cross-validation.

const legitimate: SpamInput[] = [
  { text: 'The second paragraph on tides reminded me of my grandfather’s boat.', name: 'Inês Duarte' },
  { text: 'Do you have the recipe for the almond cake you mentioned?', name: 'Rui' },
  { text: 'I walked that coast path last spring; the cliffs near the lighthouse are steep.', name: 'Mara' },
  { text: 'Thanks for the notes on the book, I had missed the chapter about the harbour.', name: 'Tom Webb' },
  { text: 'Which edition of the atlas were you reading? Mine has different maps.', name: 'Aiko' },
];
const spammy: SpamInput[] = [
  {
    text: 'CHEAP pills online!!! Buy now at https://pills.example.xyz/buy discount $9.99',
    name: 'Best Pharmacy',
    url: 'https://pills.example.xyz',
  },
  {
    text: 'Earn $5000 a week from home, click https://money.example.top/now!!!',
    name: 'Rich Quick',
    url: 'https://money.example.top',
  },
  { text: 'Buy followers cheap: https://followers.example.xyz/cheap best prices online', name: 'Promo Team' },
  { text: 'Casino bonus: click https://casino.example.top/bonus and win $1000 now!!!', name: 'Lucky Casino' },
  { text: 'Discount replica watches online, buy now https://watches.example.xyz', name: 'Watch Deals' },
];

function trained(): SpamCounts {
  const counts = emptySpamCounts();
  for (const example of legitimate) learn(counts, spamTokensOf(example), 'ham');
  for (const example of spammy) learn(counts, spamTokensOf(example), 'spam');
  return counts;
}

describe('tokens', () => {
  it('reads words once, and marks the name, website and link hosts apart from the text', () => {
    const tokens = spamTokensOf({
      text: 'Tides, tides and TIDES. See https://www.Charts.example.org/a?b=1 and maps.example.com',
      name: 'Tide Watcher',
      url: 'https://watcher.example.net/about',
    });
    for (const token of ['tides', 'see', 'link:charts.example.org', 'link-tld:org', 'link:maps.example.com', 'links:1'])
      expect(tokens).toContain(token);
    for (const token of ['name:tide', 'name:watcher', 'site:watcher.example.net', 'site-tld:net'])
      expect(tokens).toContain(token);
    expect([...tokens].filter((token) => token === 'tides')).toHaveLength(1);
    expect(tokens).not.toContain('https');
    const shapes = spamTokensOf({ text: 'BUY THIS NOW, ONLY $10 TODAY, REALLY!!!' });
    for (const token of ['shape:shouting', 'shape:money', 'shape:!!!', 'site:none']) expect(shapes).toContain(token);
  });

  it('reads no more than a bounded number of tokens of any comment, however long its words, hosts or names', () => {
    const many = Array.from({ length: 5000 }, (_, i) => `word${i.toString(36)}`).join(' ');
    const tokens = spamTokensOf({ text: many, name: 'Ann', url: null });
    expect(tokens.size).toBe(maxTokensPerComment);
    // The shapes and the fields are read first, so the cap never drops them.
    expect([...tokens].slice(0, 4)).toEqual(['links:0', 'length:15', 'name:ann', 'site:none']);
    const long = spamTokensOf({
      text: `https://${'a'.repeat(5000)}.com/ and ${'b'.repeat(300)}.top`,
      name: 'c'.repeat(200),
      url: `https://${'d'.repeat(150)}.example/`,
    });
    expect([...long].filter((token) => token.length > 40)).toEqual([]);
    expect(long).toEqual(
      new Set(['links:1', 'length:12', 'name:long:100', 'site:long', 'link:long', 'and', 'long:100', 'top']),
    );
  });

  it('reads text built to make a pattern backtrack in one pass (65,000 characters each)', async () => {
    // Patterns run over the whole text took seconds for each of these (quadratic): forty of them
    // then outlast the test's own timeout (a minute), which a turn of the event loop after each lets fire.
    for (const unit of ['a.', '<a', 'a-', '.a']) {
      for (let i = 0; i < 10; i += 1) {
        expect(spamTokensOf({ text: unit.repeat(32_500) }).size).toBeGreaterThan(0);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  });
});

describe('the classifier', () => {
  it('scores spam high and legitimate comments low once it has learned, and says which tokens weighed', () => {
    const counts = trained();
    const pills = score(
      counts,
      spamTokensOf({ text: 'Buy cheap pills now https://pills.example.xyz', name: 'Pharmacy' }),
    );
    const note = score(
      counts,
      spamTokensOf({ text: 'The chapter about the harbour and the lighthouse', name: 'Mara' }),
    );
    expect(pills.score).toBeGreaterThan(0.9);
    expect(note.score).toBeLessThan(0.2);
    // The explanation names tokens the comment holds, strongest first.
    const tokens = spamTokensOf({ text: 'Buy cheap pills now https://pills.example.xyz', name: 'Pharmacy' });
    expect(pills.evidence.length).toBeGreaterThan(0);
    for (const { token } of pills.evidence) expect(tokens).toContain(token);
    expect(pills.evidence.map(({ token }) => token)).toContain('link:pills.example.xyz');
    const strengths = pills.evidence.map(({ probability }) => Math.abs(probability - 0.5));
    expect(strengths).toEqual([...strengths].sort((a, b) => b - a));
  });

  it('moves a score toward spam as it learns spam, and back when the decision is reversed', () => {
    const counts = trained();
    const comment = spamTokensOf({
      text: 'Lovely photographs of the garden, where can I buy prints?',
      name: 'Visitor',
    });
    const before = score(counts, comment).score;
    learn(counts, comment, 'spam');
    const asSpam = score(counts, comment).score;
    expect(asSpam).toBeGreaterThan(before);
    // The moderator changes their mind: unlearned as spam, learned as legitimate.
    learn(counts, comment, 'spam', -1);
    expect(score(counts, comment).score).toBeCloseTo(before, 10);
    learn(counts, comment, 'ham');
    expect(score(counts, comment).score).toBeLessThan(before);
    // Unlearning everything leaves nothing behind.
    learn(counts, comment, 'ham', -1);
    for (const example of legitimate) learn(counts, spamTokensOf(example), 'ham', -1);
    for (const example of spammy) learn(counts, spamTokensOf(example), 'spam', -1);
    expect(counts).toEqual(emptySpamCounts());
  });

  it('knows nothing before it has learned: every comment is unsure', () => {
    expect(score(emptySpamCounts(), spamTokensOf(spammy[0]!))).toEqual({ score: 0.5, evidence: [] });
  });

  it('keeps its memory bounded by dropping the rarest tokens, no more of them than it must', () => {
    const counts = trained();
    const seenIn = new Map([...counts.tokens].map(([token, seen]) => [token, seen.spam + seen.ham]));
    const dropped = prune(counts, 20);
    expect(counts.tokens.size).toBe(20);
    expect(dropped).toBe(seenIn.size - 20);
    const keptLeast = Math.min(...[...counts.tokens.keys()].map((token) => seenIn.get(token)!));
    const droppedMost = Math.max(...[...seenIn].filter(([token]) => !counts.tokens.has(token)).map(([, n]) => n));
    expect(keptLeast).toBeGreaterThanOrEqual(droppedMost);
    expect(prune(counts, 20)).toBe(0);
  });

  it('forgets a flood of a quarter of a million one-off tokens down to its bound, keeping the newest', () => {
    const counts = emptySpamCounts();
    for (let i = 0; i < 250_000; i += 1) counts.tokens.set(`junk${i}`, { spam: 1, ham: 0, lastSeen: 1 + (i % 7) });
    counts.tokens.set('aardvark', { spam: 0, ham: 1, lastSeen: 9 });
    expect(prune(counts, 100_000)).toBe(150_001);
    expect(counts.tokens.size).toBe(100_000);
    expect(counts.tokens.has('aardvark')).toBe(true);
  });
});

describe('evaluation', () => {
  const corpus: LabeledExample[] = [
    ...Array.from({ length: 4 }, () => legitimate.map((example) => ({ ...example, label: 'ham' as const }))).flat(),
    ...Array.from({ length: 4 }, () => spammy.map((example) => ({ ...example, label: 'spam' as const }))).flat(),
  ];

  it('cross-validates: every example scored once by a model that never saw it', () => {
    const result = crossValidate(corpus, 4);
    expect(result).toMatchObject({ folds: 4, spam: 20, ham: 20 });
    const counted =
      result.spamAsSpam + result.hamAsSpam + result.hamAsHam + result.spamAsHam + result.unsureSpam + result.unsureHam;
    expect(counted).toBe(40);
    expect(result.falsePositiveRate).toBe(0);
    expect(result.recall).toBe(1);
  });

  it('reads a mail as a comment: the body as typed, without markup, the sender’s name', () => {
    const mail =
      'From: "Ana Lima" <ana@example.org>\nSubject: hi\n\n<html><body><p>Hello=\n there =3D <b>friend</b></p><style>p{}</style></body></html>';
    expect(mailAsComment(mail)).toEqual({ text: 'Hello there =  friend', name: 'Ana Lima', url: null });
  });

  it('is a command that prints its figures for a labeled corpus, and says what is wrong with one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'marginalia-spam-'));
    try {
      const file = path.join(dir, 'corpus.jsonl');
      writeFileSync(file, corpus.map((example) => JSON.stringify(example)).join('\n'));
      const run = await runBuiltTool(
        'spam-filter/spam-cli.js',
        ['evaluate', file, '--folds', '4'],
        'file:./none.db',
        dir,
      );
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('20 spam, 20 legitimate; 4-fold cross-validation');
      expect(run.stdout).toMatch(/false positives \(legitimate as spam\)\s+0\.00 %/);
      writeFileSync(file, '{"label":"maybe","text":"x"}\n');
      const broken = await runBuiltTool('spam-filter/spam-cli.js', ['evaluate', file], 'file:./none.db', dir);
      expect(broken.code).toBe(1);
      expect(broken.stderr).toContain('corpus.jsonl:1: each line needs "label"');
      expect((await runBuiltTool('spam-filter/spam-cli.js', ['judge'], 'file:./none.db', dir)).code).toBe(2);
      const badFolds = await runBuiltTool(
        'spam-filter/spam-cli.js',
        ['evaluate', file, '--folds', '1'],
        'file:./none.db',
        dir,
      );
      expect(badFolds).toMatchObject({ code: 2, stderr: '--folds must be a whole number from 2 to 100.\n' });
      // Too few of a kind for the folds asked: fewer folds, and a word that the figures are rough.
      writeFileSync(
        file,
        [
          ...corpus.slice(0, 3).map((example) => ({ ...example, label: 'spam' })),
          ...corpus.slice(3, 30).map((example) => ({ ...example, label: 'ham' })),
        ]
          .map((example) => JSON.stringify(example))
          .join('\n'),
      );
      const few = await runBuiltTool('spam-filter/spam-cli.js', ['evaluate', file], 'file:./none.db', dir);
      expect(few.code).toBe(0);
      expect(few.stdout).toContain('3 spam, 27 legitimate; 3-fold cross-validation');
      expect(few.stdout).toContain('few comments: the filter acts only from 50 of each');
      writeFileSync(file, JSON.stringify({ ...corpus[0], label: 'spam' }));
      const one = await runBuiltTool('spam-filter/spam-cli.js', ['evaluate', file], 'file:./none.db', dir);
      expect(one).toMatchObject({ code: 1 });
      expect(one.stderr).toContain('1 spam and 0 legitimate comments are too few to evaluate');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
