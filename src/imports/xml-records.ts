import { createReadStream } from 'node:fs';
import { SaxesParser, type SaxesTagNS } from 'saxes';

// Export files are long lists of records (<item>s, <post>s) under one root. This reads such a file
// as a stream and hands over one record at a time as a small tree, waiting for each to be stored
// before reading on, so memory stays bounded by the largest record, not the file.

export interface XmlRecord {
  /** The element's name with a short prefix for its namespace (see `prefixes`), e.g. "wp:comment". */
  name: string;
  attributes: Record<string, string>;
  children: XmlRecord[];
  /** Its own text (text and CDATA directly inside it). */
  text: string;
  /** The line of the file where it starts. */
  line: number;
}

/** The file is not well-formed XML, or not the kind of export expected; the message says where. */
export class ExportFormatError extends Error {
  override name = 'ExportFormatError';
}

export interface RecordStreamOptions {
  /** Names a namespace URI (e.g. "wp" for http://wordpress.org/export/1.2/); "" for none. */
  prefixOf: (uri: string) => string;
  /** Whether an element (by name and depth, the root being 0) is a record to hand over. */
  isRecord: (name: string, depth: number) => boolean;
  /** Called with the root element's name before any record. */
  onRoot?: (name: string) => void;
}

/** The first child named `name`'s text, trimmed ("" when absent). */
export function childText(record: XmlRecord, name: string): string {
  return record.children.find((child) => child.name === name)?.text.trim() ?? '';
}

/** The first child named `name`'s attribute (e.g. Disqus's dsq:id). */
export function childAttribute(record: XmlRecord, name: string, attribute: string): string {
  return record.children.find((child) => child.name === name)?.attributes[attribute]?.trim() ?? '';
}

/**
 * The most characters a record, or any text between two tags, may take: far beyond any post or
 * comment within the forms' limits (the importers leave those out, reported), and the bound on
 * what the parser holds at once, whatever the file.
 */
export const maxRecordCharacters = 32 * 1024 * 1024;
/**
 * The most elements a record may hold: each costs the parser far more memory than its few
 * characters (`<a/>` is four). A WordPress post with 17,000 comments has about 240,000.
 */
export const maxRecordElements = 250_000;

const noAttributes: Readonly<Record<string, string>> = Object.freeze({});

export async function streamXmlRecords(
  file: string,
  options: RecordStreamOptions,
  onRecord: (record: XmlRecord) => Promise<void> | void,
): Promise<void> {
  const parser = new SaxesParser({ xmlns: true, fileName: file });
  const ready: XmlRecord[] = [];
  const open: XmlRecord[] = []; // the record being read and its open descendants
  let depth = -1;
  // Where (in characters) the record being read began, and where the parser last saw a tag.
  let recordStart = 0;
  let lastTag = 0;
  let recordElements = 0;
  const nameOf = (tag: { uri: string; local: string }): string => {
    const prefix = options.prefixOf(tag.uri);
    return prefix ? `${prefix}:${tag.local}` : tag.local;
  };

  parser.on('opentag', (tag: SaxesTagNS) => {
    depth += 1;
    lastTag = parser.position;
    const name = nameOf(tag);
    if (depth === 0) options.onRoot?.(name);
    if (open.length === 0 && !options.isRecord(name, depth)) return;
    const given = Object.values(tag.attributes);
    const attributes =
      given.length === 0
        ? noAttributes
        : Object.fromEntries(given.map((attribute) => [nameOf(attribute), attribute.value]));
    const element: XmlRecord = { name, attributes, children: [], text: '', line: parser.line };
    if (open.length === 0) {
      recordStart = parser.position;
      recordElements = 0;
    }
    recordElements += 1;
    open.at(-1)?.children.push(element);
    open.push(element);
  });
  const addText = (value: string): void => void (open.length && (open.at(-1)!.text += value));
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    depth -= 1;
    lastTag = parser.position;
    const element = open.pop();
    if (element && open.length === 0) ready.push(element);
  });

  try {
    for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 })) {
      parser.write(chunk as string);
      while (ready.length > 0) await onRecord(ready.shift()!);
      const held = Math.max(open.length > 0 ? parser.position - recordStart : 0, parser.position - lastTag);
      if (open.length > 0 && recordElements > maxRecordElements) {
        throw new ExportFormatError(
          `the item starting on line ${open[0]!.line} has more than ${maxRecordElements.toLocaleString('en-US')} elements, far beyond any post and its comments.`,
        );
      }
      if (held > maxRecordCharacters) {
        const where =
          open.length > 0 ? `the item starting on line ${open[0]!.line}` : `the text before line ${parser.line}`;
        throw new ExportFormatError(
          `${where} is larger than ${maxRecordCharacters / 1024 / 1024} MB, far beyond any post or comment.`,
        );
      }
    }
    parser.close();
  } catch (error) {
    // saxes says where: "<file>:<line>:<column>: <what>".
    if (/:\d+:\d+: /.test((error as Error).message ?? ''))
      throw new ExportFormatError(`The file is not well-formed XML: ${(error as Error).message}`);
    throw error;
  }
}
