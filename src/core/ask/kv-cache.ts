/**
 * A quantized KV cache said in a question: "q8 kv cache", "kv cache q4_0", "-ctk q8_0",
 * "--cache-type-k q8_0", "OLLAMA_KV_CACHE_TYPE=q8_0", vLLM's "--kv-cache-dtype fp8". It sets how
 * the cache is stored, not the weights: "llama 3.3 70b q8 kv cache" is not Q8_0 weights.
 */

const TYPE = String.raw`(q8_0|q8|q4_0|q4_1|q4|q5_0|q5_1|f16|fp16|bf16|fp8(?:_e[45]m[23])?|int8|int4|8[- ]?bit|4[- ]?bit)`;
const KV = String.raw`(?:kv|k\/v|k-v)(?:[ -]?cache)?`;
const PATTERNS = [
  // "kv cache q8_0", "KV cache at q4", "kv cache type: q8_0", "kv-cache quantized to 8 bit"
  new RegExp(
    String.raw`\b${KV}\s*(?:type|quant(?:ization|ized)?|dtype|precision)?\s*(?:at|in|=|:|to|of|as)?\s*${TYPE}\b`,
    'gi',
  ),
  // "q8 kv cache", "q4_0 KV", "8-bit kv cache"
  new RegExp(String.raw`\b${TYPE}\s*(?:quantized\s+)?${KV}\b`, 'gi'),
  // llama.cpp flags, Ollama's variable, vLLM's flag
  new RegExp(
    String.raw`(?:--cache-type-[kv]|-ct[kv]|ollama_kv_cache_type\s*=|--kv-cache-dtype)\s*=?\s*${TYPE}\b`,
    'gi',
  ),
];

export interface KvCacheSaid {
  /** The cache type as said, normalized: q8_0, q4_0, f16, fp8, ... */
  type: string;
  /** Where it was said (in the text with its whitespace runs made single spaces), to keep it from being read as the weights' quant. */
  spans: [number, number][];
}

const normal = (t: string) =>
  t
    .toLowerCase()
    .replace(/^q([48])$/, 'q$1_0')
    .replace(/^([48])[- ]?bit$/, 'q$1_0')
    .replace(/^int([48])$/, 'q$1_0')
    .replace(/^fp16$/, 'f16')
    .replace(/^fp8_.*$/, 'fp8');

/** The KV-cache type a question states, or null. */
export function readKvCache(raw: string): KvCacheSaid | null {
  // One space between words (as readQuestion gives it): the optional words between the cache and
  // its type then cannot make the patterns backtrack over long runs of whitespace.
  const text = raw.replace(/\s+/g, ' ');
  const spans: [number, number][] = [];
  let type: string | null = null;
  for (const re of PATTERNS)
    for (const m of text.matchAll(re)) {
      spans.push([m.index, m.index + m[0].length]);
      type ??= normal(m[1]!);
    }
  return type ? { type, spans } : null;
}
