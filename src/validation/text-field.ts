import { z } from 'zod';

// The text rules every form field shares (comments, posts, admin edits): a value must be one
// string, well-formed Unicode, NFC, without control characters, and within a limit counted in
// UTF-8 bytes, as WordPress counts its column sizes.

// C0 and C1 control characters and DEL. Multi-line fields keep newline and tab; one-line fields neither.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const controlCharacters = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
const lineBreaksAndTabs = /[\t\n]/g;

export const textMessages = {
  notText: (label: string) => `${label} must be a single piece of text, not a list or a group of values.`,
  invalidCharacters: (label: string) =>
    `${label} contains characters that are not valid text (broken Unicode). Please retype it.`,
  tooLong: (label: string, bytes: number, maxBytes: number) =>
    `${label} is too long: ${bytes.toLocaleString('en-US')} bytes, and the limit is ${maxBytes.toLocaleString('en-US')}. ` +
    '(Plain letters take 1 byte, accented letters 2, emoji 4.)',
} as const;

// Characters that change how a line reads without being seen: bidi embeddings, overrides,
// isolates and marks, the zero-width space, word joiner and invisible operators, the BOM, and the
// blank Hangul fillers. A name or web address has no use for them, and they let one pass for
// another ("Admin" followed by a reversed tail, a link whose end reads backwards). A multi-line
// text keeps them: right-to-left writing needs its marks.
const invisibleFormatting =
  /[\u061C\u115F\u1160\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\u3164\uFEFF\uFFA0]/g;
// The zero-width joiner and non-joiner shape emoji sequences and many scripts (Persian, Indic):
// they stay between two such characters, and go anywhere else.
const joiners = new Set(['\u200C', '\u200D']);
const takesJoiners = /^[\p{Extended_Pictographic}\p{Emoji_Component}\p{M}\p{L}]$/u;
const joinable = (character: string | undefined): boolean =>
  character !== undefined && character > '\u007F' && takesJoiners.test(character);

function withoutInvisibleFormatting(line: string): string {
  const characters = Array.from(line.replace(invisibleFormatting, ''));
  return characters
    .filter(
      (character, at) => !joiners.has(character) || (joinable(characters[at - 1]) && joinable(characters[at + 1])),
    )
    .join('');
}

/** NFC, CRLF → LF, control characters removed, trimmed; one-line text also loses invisible formatting. */
export function normaliseText(value: string, multiline: boolean): string {
  const text = value.normalize('NFC').replace(/\r\n?/g, '\n').replace(controlCharacters, '');
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
