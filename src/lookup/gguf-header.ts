/**
 * The GGUF header of a remote file, read by @huggingface/gguf through HTTP Range requests and
 * nothing more: its fetch is ours, so every ranged read has the lookup's deadline, all of them
 * together stop at `limits.ggufBytes`, a server that ignores Range is read only as far as the range
 * asked, and a Content-Range that states another size than the listing is refused as BAD_DATA.
 */
import { gguf } from '@huggingface/gguf';
import { describe, statusFailure, type Http } from './http.js';
import { LookupFailure, type LookupLimits, type LookupStats } from './lookup-types.js';

export interface GgufHeader {
  /** Metadata key/values fit for JSON: numbers, short strings, short arrays (see plainMetadata). */
  metadata: Record<string, unknown>;
  /** Parameters counted from the tensor shapes. */
  parameters: number;
}

/** Arrays longer than this (the tokenizer's vocabulary, merges, scores) are left out of the facts. */
const MAX_ARRAY = 1024;
/** Strings longer than this (chat templates) are left out too. */
const MAX_STRING = 1024;
const MAX_KEYS = 2000;

/**
 * Reads the header of the GGUF file at `url`. `expectedBytes` is the size the listing gave (tree,
 * manifest); a server whose Content-Range states another is lying about one of them.
 */
export async function readGgufHeader(
  http: Http,
  url: URL,
  o: { limits: LookupLimits; stats: LookupStats; expectedBytes?: number | undefined },
): Promise<GgufHeader> {
  const rangedFetch = async (_input: unknown, init?: RequestInit): Promise<Response> => {
    const asked = /^bytes=(\d+)-(\d+)$/.exec(new Headers(init?.headers).get('range') ?? '');
    if (!asked) throw new LookupFailure('BAD_DATA', 'the GGUF reader asked for no byte range');
    const start = Number(asked[1]);
    if (start >= o.limits.ggufBytes)
      throw new LookupFailure(
        'TOO_LARGE',
        `the GGUF header of ${describe(url)} runs past ${o.limits.ggufBytes / 1048576} MiB; reading stopped there`,
      );
    const end = Math.min(Number(asked[2]), o.limits.ggufBytes - 1);
    const length = end - start + 1;
    const reply = await http.get(url, {
      headers: { range: `bytes=${start}-${end}` },
      cap: length,
      range: { start, length },
    });
    if (reply.status === 416) return new Response(new Uint8Array(0), { status: 206 });
    if (reply.status !== 206 && reply.status !== 200) throw statusFailure(reply, `the GGUF file ${describe(url)}`);
    o.stats.ggufBytes += reply.body.byteLength;
    const total = statedSize(reply, start, url);
    if (total !== undefined && o.expectedBytes !== undefined && total !== o.expectedBytes)
      throw new LookupFailure(
        'BAD_DATA',
        `${describe(reply.url)} states ${total} bytes for a file listed at ${o.expectedBytes}; the sizes contradict each other`,
      );
    const size = total ?? o.expectedBytes;
    return new Response(reply.body, {
      status: 206,
      headers: size !== undefined ? { 'content-range': `bytes ${start}-${start + length - 1}/${size}` } : {},
    });
  };
  try {
    const parsed = await gguf(url.href, { fetch: rangedFetch as typeof fetch, computeParametersCount: true });
    return { metadata: plainMetadata(parsed.metadata as Record<string, unknown>), parameters: parsed.parameterCount };
  } catch (e) {
    if (e instanceof LookupFailure) throw e;
    const why = (e as Error).message?.slice(0, 200) ?? String(e);
    throw new LookupFailure('BAD_DATA', `the GGUF header of ${describe(url)} could not be read: ${why}`);
  }
}

/** The file's full size as the answer states it (Content-Range of a 206, Content-Length of a 200). */
function statedSize(
  reply: { status: number; headers: Headers; url: URL },
  start: number,
  url: URL,
): number | undefined {
  if (reply.status === 200) {
    const n = Number(reply.headers.get('content-length') ?? NaN);
    return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  }
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(reply.headers.get('content-range')?.trim() ?? '');
  if (!m) return undefined;
  if (Number(m[1]) !== start)
    throw new LookupFailure('BAD_DATA', `${describe(url)} answered another byte range than the one asked`);
  const total = Number(m[3]);
  return Number.isSafeInteger(total) ? total : undefined;
}

/**
 * Header metadata as plain JSON: bigints as numbers (dropped past 2^53), long strings and arrays
 * left out. The vocabulary is the one long array the core reads (its length is the vocab size), so
 * its length is kept as llama.cpp's own `{arch}.vocab_size` key when the header has none.
 */
export function plainMetadata(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let keys = 0;
  for (const [key, value] of Object.entries(raw)) {
    if (keys >= MAX_KEYS) break;
    if (key.length > 200) continue;
    const v = plainValue(value);
    if (v === undefined) continue;
    out[key] = v;
    keys++;
  }
  const arch = out['general.architecture'];
  const tokens = raw['tokenizer.ggml.tokens'];
  if (typeof arch === 'string' && Array.isArray(tokens) && out[`${arch}.vocab_size`] === undefined)
    out[`${arch}.vocab_size`] = tokens.length;
  return out;
}

function plainValue(v: unknown, depth = 0): unknown {
  if (typeof v === 'bigint')
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length <= MAX_STRING ? v : undefined;
  if (Array.isArray(v)) {
    if (depth > 0 || v.length > MAX_ARRAY) return undefined;
    const items = v.map((x) => plainValue(x, depth + 1));
    return items.every((x) => x !== undefined) ? items : undefined;
  }
  return undefined;
}
