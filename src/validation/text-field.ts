import { z } from 'zod';

// The text rules every form field shares (comments, posts, admin edits): a value must be one
// string, well-formed Unicode, NFC, without control characters, and within a limit counted in
// UTF-8 bytes, as WordPress counts its column sizes.

// C0 and C1 control characters and DEL. Multi-line fields keep newline and tab; one-line fields neither.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const controlCharacters = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
// Unicode's noncharacters (U+FDD0–U+FDEF, and the last two of every plane): never text, and U+FFFE
// and U+FFFF are not allowed in XML at all, so one would break every feed that carried it.
const noncharacters = /\p{Noncharacter_Code_Point}/gu;
// Unicode's line and paragraph separators too: a mail client may break a line at them.
const lineBreaksAndTabs = /[\t\n\u2028\u2029]/g;

export const textMessages = {
  notText: (label: string) => `${label} must be a single piece of text, not a list or a group of values.`,
  invalidCharacters: (label: string) =>
    `${label} contains characters that are not valid text (broken Unicode). Please retype it.`,
  tooLong: (label: string, bytes: number, maxBytes: number) =>
    `${label} is too long: ${bytes.toLocaleString('en-US')} bytes, and the limit is ${maxBytes.toLocaleString('en-US')}. ` +
    '(Plain letters take 1 byte, accented letters 2, emoji 4.)',
} as const;

// Characters that change how a line reads without being seen: every default-ignorable and format
// character (bidi embeddings, overrides, isolates and marks, zero-width spaces, soft hyphens,
// invisible operators, variation selectors, tag characters, the BOM, the Hangul fillers), the
// blank braille pattern and the object replacement character, and combining marks with nothing
// to combine with. A name or web address has no use for them, and they let one pass for another
// ("Admin" followed by a reversed tail, a link whose end reads backwards). A multi-line text keeps
// them: right-to-left writing needs its marks.
const invisible = /^[\p{Default_Ignorable_Code_Point}\p{Cf}\u2800\uFFFC]$/u;
const combiningMark = /^\p{M}$/u;
// Kept where they do a visible job: the zero-width joiner and non-joiner between two characters
// they shape (emoji sequences, Persian, Indic scripts), an emoji's text or emoji presentation
// selector, and the tags that spell a subdivision flag after the black flag.
const takesJoiners = /^[\p{Extended_Pictographic}\p{Emoji_Component}\p{M}\p{L}]$/u;
const joinable = (character: string | undefined): boolean =>
  character !== undefined && character > '\u007F' && takesJoiners.test(character);
const pictographic = /^\p{Extended_Pictographic}$/u;
const blackFlag = '\u{1F3F4}';
const isTag = (character: string | undefined): boolean =>
  character !== undefined && character >= '\u{E0020}' && character <= '\u{E007F}';

function keptInvisible(character: string, before: string | undefined, after: string | undefined): boolean {
  if (character === '\u200C' || character === '\u200D') return joinable(before) && joinable(after);
  if (character === '\uFE0E' || character === '\uFE0F') return before !== undefined && pictographic.test(before);
  if (isTag(character)) return before === blackFlag || isTag(before);
  return false;
}

function withoutInvisibleFormatting(line: string): string {
  const characters = Array.from(line);
  const kept: string[] = [];
  characters.forEach((character, at) => {
    const before = kept[kept.length - 1];
    if (invisible.test(character)) {
      if (keptInvisible(character, before, characters[at + 1])) kept.push(character);
    } else if (!combiningMark.test(character) || (before !== undefined && before !== ' ')) {
      kept.push(character);
    }
  });
  return kept.join('');
}

/** NFC, CRLF → LF, control characters removed, trimmed; one-line text also loses invisible formatting. */
export function normaliseText(value: string, multiline: boolean): string {
  const text = value.normalize('NFC').replace(/\r\n?/g, '\n').replace(controlCharacters, '').replace(noncharacters, '');
  return multiline ? text.trim() : withoutInvisibleFormatting(text.replace(lineBreaksAndTabs, ' ')).trim();
}

export const byteLength = (value: string): number => Buffer.byteLength(value, 'utf8');

export interface TextRule {
  label: string;
  maxBytes: number;
  /** The message for an empty value; without one the field is optional. */
  requiredMessage?: string;
  multiline?: boolean;
}

/**
 * A text field: anything but a string (a list from `a=1&a=2`, an object from JSON) is a type error,
 * which `validateBody` answers with 400; a missing field counts as empty.
 */
export function textField({ label, maxBytes, requiredMessage, multiline = false }: TextRule) {
  return z
    .preprocess((value) => value ?? '', z.string({ error: textMessages.notText(label) }))
    .superRefine((value, ctx) => {
      if (!value.isWellFormed())
        ctx.addIssue({ code: 'custom', message: textMessages.invalidCharacters(label), abort: true });
    })
    .transform((value) => normaliseText(value, multiline))
    .superRefine((value, ctx) => {
      if (requiredMessage && value === '') ctx.addIssue({ code: 'custom', message: requiredMessage });
      const bytes = byteLength(value);
      if (bytes > maxBytes) ctx.addIssue({ code: 'custom', message: textMessages.tooLong(label, bytes, maxBytes) });
    });
}

/** A checkbox: "yes"/"on"/"1" from a form, or a boolean from JSON; absent is false. */
export function checkboxField(label: string) {
  return z
    .preprocess((value) => value ?? false, z.union([z.string(), z.boolean()], { error: textMessages.notText(label) }))
    .transform((value) => value === true || value === 'yes' || value === 'on' || value === '1');
}
