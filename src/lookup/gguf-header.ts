/**
 * The GGUF header of a remote file, read by HTTP Range requests and nothing more: 2 MB ranges in
 * order until the header ends, all of them together stopping at `limits.ggufBytes`, each through
 * Http (the lookup's deadline, a server that ignores Range read only as far as the range asked), and
 * a Content-Range that states another size than the listing refused as BAD_DATA.
 *
 * Why not @huggingface/gguf's `gguf()` (it was the first version): it decodes every string of the
 * vocabulary and merges with a new TextDecoder each, in one synchronous call, and starts an array
 * over when it crosses a range. A 151,936-token vocabulary took 700 ms of blocked event loop on the
 * 2-core machine, so a real Qwen or Gemma header (vocabulary, merges, scores: 4-6 MB) would not fit
 * the 2.5 s lookup and would stall every other answer meanwhile. This reader skips long arrays by
 * their lengths (a few ms) and keeps only what fits in the facts.
 */
import { describe, statusFailure, type Http } from './http.js';
import { LookupFailure, type LookupLimits, type LookupStats } from './lookup-types.js';

export interface GgufHeader {
  /** Metadata key/values fit for JSON: numbers, booleans, short strings, short arrays. */
  metadata: Record<string, unknown>;
  /** Parameters counted from the tensor shapes. */
  parameters: number;
  /** Where the header ends (tensor data starts at the next alignment). */
  headerBytes: number;
}

/** Arrays longer than this (the vocabulary, merges, scores) are left out of the facts. */
const MAX_ARRAY = 1024;
/** Strings longer than this (chat templates) are left out too. */
const MAX_STRING = 1024;
const MAX_KEYS = 2000;
const MAX_KV_COUNT = 100_000;
const MAX_TENSORS = 1_000_000;
const MAX_DIMS = 8;
/** No real dimension is near this (the largest are vocabularies of ~10^5). */
const MAX_DIM = 2 ** 32;
const RANGE_BYTES = 2_000_000;

/**
 * Reads the header of the GGUF file at `url`. `expectedBytes` is the size the listing gave (tree,
 * manifest); a server whose Content-Range states another is lying about one of them.
 */
export async function readGgufHeader(
  http: Http,
  url: URL,
  o: { limits: LookupLimits; stats: LookupStats; expectedBytes?: number | undefined },
): Promise<GgufHeader> {
  let buffer = new Uint8Array(0);
  let fileSize = o.expectedBytes;
  let ended = false;
  for (;;) {
    const parsed = parseGgufHeader(buffer, { complete: ended, fileSize });
    if (!('needMore' in parsed)) return parsed;
    if (ended) throw new LookupFailure('BAD_DATA', `the GGUF header of ${describe(url)} ends before it is complete`);
    const start = buffer.byteLength;
    if (start >= o.limits.ggufBytes)
      throw new LookupFailure(
        'TOO_LARGE',
        `the GGUF header of ${describe(url)} runs past ${o.limits.ggufBytes / 1048576} MiB; reading stopped there`,
      );
    const end = Math.min(start + RANGE_BYTES, o.limits.ggufBytes) - 1;
    const chunk = await readRange(http, url, start, end, o.expectedBytes);
    o.stats.ggufBytes += chunk.bytes.byteLength;
    fileSize ??= chunk.total;
    if (chunk.bytes.byteLength < end - start + 1) ended = true;
    const grown = new Uint8Array(start + chunk.bytes.byteLength);
    grown.set(buffer);
    grown.set(chunk.bytes, start);
    buffer = grown;
  }
}

async function readRange(
  http: Http,
  url: URL,
  start: number,
  end: number,
  expected: number | undefined,
): Promise<{ bytes: Uint8Array; total?: number | undefined }> {
  const length = end - start + 1;
  const reply = await http.get(url, {
    headers: { range: `bytes=${start}-${end}` },
    cap: length,
    range: { start, length },
  });
  if (reply.status === 416) return { bytes: new Uint8Array(0) };
  if (reply.status !== 206 && reply.status !== 200) throw statusFailure(reply, `the GGUF file ${describe(url)}`);
  let total: number | undefined;
  if (reply.status === 200) {
    const n = Number(reply.headers.get('content-length') ?? NaN);
    total = Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  } else {
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(reply.headers.get('content-range')?.trim() ?? '');
    if (m && Number(m[1]) !== start)
      throw new LookupFailure('BAD_DATA', `${describe(reply.url)} answered another byte range than the one asked`);
    const n = Number(m?.[3]);
    total = Number.isSafeInteger(n) ? n : undefined;
  }
  if (total !== undefined && expected !== undefined && total !== expected)
    throw new LookupFailure(
      'BAD_DATA',
      `${describe(reply.url)} states ${total} bytes for a file listed at ${expected}; the sizes contradict each other`,
    );
  return { bytes: reply.body, total };
}

/** Thrown inside the parser when the bytes so far end before the header does. */
class NeedMore extends Error {}

const decoder = new TextDecoder();

/**
 * Parses a GGUF header from its first bytes: the header, or `{ needMore: true }` when they end
 * before it does (and `complete` is false). Throws LookupFailure BAD_DATA for what no GGUF writer
 * produces. Pure and synchronous; its cost is linear in the header with no per-string allocation
 * for arrays it leaves out.
 */
export function parseGgufHeader(
  bytes: Uint8Array,
  o: { complete?: boolean; fileSize?: number | undefined } = {},
): GgufHeader | { needMore: true } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string) => new LookupFailure('BAD_DATA', `not a GGUF header: ${why}`);
  let at = 0;
  const need = (n: number) => {
    if (at + n > bytes.byteLength) throw new NeedMore();
  };
  try {
    need(8);
    if (bytes[0] !== 0x47 || bytes[1] !== 0x47 || bytes[2] !== 0x55 || bytes[3] !== 0x46) throw bad('no GGUF magic');
    // A big-endian file has its version in the high bytes when read little-endian.
    const le = (view.getUint32(4, true) & 0xffff) !== 0;
    const version = view.getUint32(4, le);
    if (version < 1 || version > 3) throw bad(`version ${version}`);
    at = 8;
    const u32 = () => (need(4), (at += 4), view.getUint32(at - 4, le));
    const u64 = () => {
      need(8);
      at += 8;
      const v = view.getBigUint64(at - 8, le);
      return v > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(v);
    };
    const size = () => (version === 1 ? u32() : u64());
    const string = (keep: boolean): string | undefined => {
      const n = size();
      if (n > 100_000_000) throw bad(`a string of ${n} bytes`);
      need(n);
      at += n;
      return keep && n <= MAX_STRING * 4 ? decoder.decode(bytes.subarray(at - n, at)) : undefined;
    };
    const FIXED: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
    const scalar = (type: number): unknown => {
      const width = FIXED[type];
      if (width === undefined) throw bad(`value type ${type}`);
      need(width);
      at += width;
      const p = at - width;
      switch (type) {
        case 0:
          return view.getUint8(p);
        case 1:
          return view.getInt8(p);
        case 2:
          return view.getUint16(p, le);
        case 3:
          return view.getInt16(p, le);
        case 4:
          return view.getUint32(p, le);
        case 5:
          return view.getInt32(p, le);
        case 6:
          return view.getFloat32(p, le);
        case 7:
          return view.getUint8(p) !== 0;
        case 10: {
          const v = view.getBigUint64(p, le);
          return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
        }
        case 11: {
          const v = view.getBigInt64(p, le);
          return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
        }
        default:
          return view.getFloat64(p, le);
      }
    };
    /** A value; undefined when it is left out of the facts (it is still stepped over). */
    const value = (type: number): { v: unknown; count?: number } => {
      if (type === 8) {
        const s = string(true);
        return { v: s !== undefined && s.length <= MAX_STRING ? s : undefined };
      }
      if (type !== 9) {
        const v = scalar(type);
        return { v: typeof v === 'number' && !Number.isFinite(v) ? undefined : v };
      }
      const sub = u32();
      const count = size();
      if (sub === 9) throw bad('an array of arrays');
      if (sub !== 8 && FIXED[sub] === undefined) throw bad(`array element type ${sub}`);
      if (count > 100_000_000) throw bad(`an array of ${count} values`);
      if (count > MAX_ARRAY) {
        if (sub === 8) for (let i = 0; i < count; i++) string(false);
        else {
          need(count * FIXED[sub]!);
          at += count * FIXED[sub]!;
        }
        return { v: undefined, count };
      }
      const items: unknown[] = [];
      let keep = true;
      for (let i = 0; i < count; i++) {
        const x = value(sub).v;
        if (x === undefined) keep = false;
        items.push(x);
      }
      return { v: keep ? items : undefined, count };
    };

    const tensorCount = size();
    const kvCount = size();
    if (tensorCount > MAX_TENSORS) throw bad(`${tensorCount} tensors`);
    if (kvCount > MAX_KV_COUNT) throw bad(`${kvCount} metadata keys`);
    const metadata: Record<string, unknown> = {};
    let kept = 0;
    let tokens: number | undefined;
    for (let i = 0; i < kvCount; i++) {
      const key = string(true);
      if (key === undefined || key.length > 200) throw bad('a metadata key past 200 characters');
      const type = u32();
      const { v, count } = value(type);
      if (key === 'tokenizer.ggml.tokens') tokens = count;
      if (v !== undefined && kept < MAX_KEYS && key !== '__proto__') {
        metadata[key] = v;
        kept++;
      }
    }
    let parameters = 0;
    for (let i = 0; i < tensorCount; i++) {
      string(false);
      const dims = u32();
      if (dims > MAX_DIMS) throw bad(`a tensor of ${dims} dimensions`);
      let n = 1;
      for (let d = 0; d < dims; d++) {
        const dim = size();
        if (dim > MAX_DIM) throw bad(`a tensor dimension of ${dim}`);
        n *= dim;
      }
      u32();
      u64();
      parameters += n;
    }
    if (!Number.isFinite(parameters)) throw bad('tensor shapes past any model');
    // Even at 1 bit a parameter, a file of N bytes holds at most 8N of them.
    if (o.fileSize !== undefined && parameters > o.fileSize * 8)
      throw bad(`tensor shapes of ${parameters} parameters in a ${o.fileSize}-byte file`);
    const arch = metadata['general.architecture'];
    if (typeof arch === 'string' && tokens !== undefined && metadata[`${arch}.vocab_size`] === undefined)
      metadata[`${arch}.vocab_size`] = tokens;
    return { metadata, parameters, headerBytes: at };
  } catch (e) {
    if (e instanceof NeedMore) {
      if (o.complete) throw new LookupFailure('BAD_DATA', 'not a GGUF header: the file ends inside it');
      return { needMore: true };
    }
    throw e;
  }
}
