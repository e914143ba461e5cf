/**
 * JSON Lines from a stream: a line ends at `\n` and nowhere else (a bare `\r` is part of its line,
 * and JSON.parse reads it as whitespace between tokens), as the format says. readline, used
 * before, also ended lines at a bare `\r`, so 3,000 hostile lines gave 3,194 results.
 */

/** A line longer than this is not a query: it is reported as one bad line and skipped. */
export const MAX_LINE_CHARS = 1 << 20;

export type JsonLine = { text: string } | { tooLong: true };

export async function* jsonLines(input: AsyncIterable<unknown>, maxChars = MAX_LINE_CHARS): AsyncGenerator<JsonLine> {
  const decoder = new TextDecoder();
  let pending = '';
  let overflow = false;
  const take = function* (chunk: string, last: boolean): Generator<JsonLine> {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, nl);
      start = nl + 1;
      if (overflow || pending.length + piece.length > maxChars) yield { tooLong: true };
      else yield { text: pending + piece };
      pending = '';
      overflow = false;
    }
    const tail = chunk.slice(start);
    if (!overflow && pending.length + tail.length > maxChars) {
      overflow = true;
      pending = '';
    } else if (!overflow) pending += tail;
    if (last && (overflow || pending !== '')) yield overflow ? { tooLong: true } : { text: pending };
  };
  for await (const chunk of input) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true });
    yield* take(text, false);
  }
  yield* take(decoder.decode(), true);
}
