import { createReadStream } from 'node:fs';

/** A line of a file, or the number of a line too long to be read (its text is never held). */
export type BoundedLine = { number: number; text: string } | { number: number; tooLong: true };

/**
 * The lines of a UTF-8 file, one at a time; a line longer than `maxBytes` is passed over as it
 * streams by and handed on as `tooLong`, so memory stays within `maxBytes` whatever the file holds.
 * (Node's readline holds a whole line, however long.)
 */
export async function* boundedLines(file: string, maxBytes: number): AsyncGenerator<BoundedLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overflowing = false;
  let number = 1;
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, end);
      if (overflowing || pendingBytes + piece.length > maxBytes) yield { number, tooLong: true };
      else yield { number, text: Buffer.concat([...pending, piece]).toString('utf8') };
      number += 1;
      pending = [];
      pendingBytes = 0;
      overflowing = false;
      start = end + 1;
    }
    const rest = chunk.subarray(start);
    if (overflowing || pendingBytes + rest.length > maxBytes) {
      overflowing = true;
      pending = [];
      pendingBytes = 0;
    } else if (rest.length > 0) {
      // A copy: the stream may reuse its chunk's memory.
      pending.push(Buffer.from(rest));
      pendingBytes += rest.length;
    }
  }
  if (overflowing) yield { number, tooLong: true };
  else if (pendingBytes > 0) yield { number, text: Buffer.concat(pending).toString('utf8') };
}
