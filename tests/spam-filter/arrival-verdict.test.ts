import { decideArrivalStatus, type ArrivingComment } from '../../src/moderation/moderation-rules';
import { moderationModes, type ModerationSettings } from '../../src/moderation/moderation-settings';
import type { CommentStatus } from '../../src/shared/comment-status';
import type { SpamVerdict } from '../../src/spam-filter/spam-filter-service';

// The spam filter's verdict is one more input to decideArrivalStatus: it may send a comment to
// spam or hold it, never bring one nearer to being published than the rules alone would.

const published: Record<CommentStatus, number> = { spam: 0, trash: 0, pending: 1, approved: 2 };

let seed = 3;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

const texts = [
  'A quiet note on the second chapter.',
  'Cheap pills at https://pills.example.top and https://more.example.top',
  'casino bonus',
  'Three links: http://a.example http://b.example http://c.example',
];

const plainSettings: ModerationSettings = {
  mode: 'hold',
  maxLinks: 2,
  moderationWords: [],
  disallowedWords: [],
  wordMatch: 'substring',
  closeAfterDays: 0,
  spamFilter: true,
  trashTeaches: 'nothing',
};

function verdict(score: number, decides: boolean): SpamVerdict {
  return { score, decides, reasons: [{ token: 'casino', probability: 0.99 }], spamAt: 0.9, unsureAbove: 0.2 };
}

describe('decideArrivalStatus with the spam filter’s verdict', () => {
  it('never makes a comment more likely to be published than the rules alone', () => {
    for (let run = 0; run < 2000; run += 1) {
      const comment: ArrivingComment = {
        authorName: pick(['Ana', 'Casino King']),
        authorEmail: 'someone@example.com',
        authorUrl: pick([null, 'https://example.org/']),
        text: pick(texts),
        ipAddress: '203.0.113.4',
        userAgent: null,
      };
      const settings: ModerationSettings = {
        ...plainSettings,
        mode: pick(moderationModes),
        maxLinks: pick([0, 2, 5]),
        moderationWords: pick([[], ['pills']]),
        disallowedWords: pick([[], ['casino']]),
        wordMatch: pick(['substring', 'whole'] as const),
      };
      const known = random() < 0.5;
      const rules = decideArrivalStatus(comment, settings, known);
      const spam = verdict(random(), random() < 0.8);
      const withFilter = decideArrivalStatus(comment, settings, known, spam);
      expect(published[withFilter.status]).toBeLessThanOrEqual(published[rules.status]);
      if (!spam.decides) expect(withFilter).toEqual(rules);
    }
  });

  it('sends a spam score to spam, holds an unsure one the rules would approve, and says why', () => {
    const comment: ArrivingComment = {
      authorName: 'Ana',
      authorEmail: 'ana@example.com',
      authorUrl: null,
      text: 'Hello',
      ipAddress: null,
      userAgent: null,
    };
    const settings: ModerationSettings = { ...plainSettings, mode: 'approve' };
    expect(decideArrivalStatus(comment, settings, false, verdict(0.95, true))).toEqual({
      status: 'spam',
      note: 'the spam filter scored it as spam (0.95: casino)',
    });
    expect(decideArrivalStatus(comment, settings, false, verdict(0.5, true))).toEqual({
      status: 'pending',
      note: 'held: the spam filter is unsure of it (0.50: casino)',
    });
    expect(decideArrivalStatus(comment, settings, false, verdict(0.1, true)).status).toBe('approved');
    expect(decideArrivalStatus(comment, settings, false, verdict(0.95, false)).status).toBe('approved');
  });
});
