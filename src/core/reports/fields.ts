/**
 * A report given as fields rather than a tool's output: "machine: 4090, model: qwen3 32b q4_k_m,
 * decode 38 tok/s, prefill 2100 tok/s, depth 8k", or a sentence of the same ("Prompt evaluation:
 * 3806.89 ± 15.44. Token generation: 111.95 ± 2.45."). One run; what the fields do not name, the
 * words around them may (the machine and model are read as `ask` reads a question).
 */
import { kTokens } from '../query/phrases.js';
import { emptyRun, llamaCppBuild, numberOf, runtimeNamed, speedOf, type RawReport } from './raw.js';

const DECODE = ['token generation', 'text generation', 'generation', 'generating', 'decoding', 'decode', 'eval rate'];
const PREFILL = ['prompt processing', 'prompt evaluation', 'prompt eval', 'prefilling', 'prefill', 'ingestion'];
/** Words that are a speed only with a unit after the number ("gen 4" is a PCIe generation). */
const NEED_UNIT = ['tg', 'gen', 'output', 'pp', 'prompt'];
const WORDS = [...DECODE, ...PREFILL, ...NEED_UNIT].join('|');
const UNIT = String.raw`(?:tok(?:en)?s?[ \t]*(?:\/|per)[ \t]*s(?:ec(?:ond)?)?\b|t\/s|tk\/s|tps\b)`;
const NUMBER = String.raw`(\d[\d,]{0,8}(?:\.\d{1,4})?)`;
/** Between a key and its value: spaces, then perhaps ":" / "is" / "of" and "~", each taking its own spaces
 * (two optional runs of spaces side by side would let a long run of blanks be split every way). */
const SEP = String.raw`[ \t]*(?:(?:[:=]|is\b|at\b|of\b)[ \t]*)?(?:~[ \t]*)?`;

/** "decode 38 tok/s", "Token generation: 111.95 ± 2.45", "Generation speed : 93 tokens per second". */
const WORD_FIRST = new RegExp(
  String.raw`\b(${WORDS})(?:[ \t]+(?:speed|rate|throughput))?${SEP}${NUMBER}(?:[ \t]*±[ \t]*[\d.]{1,10})?[ \t]*(${UNIT})?`,
  'gi',
);
/** "38 tok/s decode", "2100 t/s prefill". */
const NUMBER_FIRST = new RegExp(
  String.raw`${NUMBER}[ \t]*${UNIT}[ \t]*(?:for[ \t]+|of[ \t]+|in[ \t]+)?(${WORDS})\b`,
  'gi',
);

const kindOf = (word: string): 'decode' | 'prefill' => {
  const w = word.toLowerCase();
  return DECODE.includes(w) || w === 'tg' || w === 'gen' || w === 'output' ? 'decode' : 'prefill';
};

/** A count of tokens as people write it: "8192", "8k", "32,768". */
function tokens(n: string | undefined, k: string | undefined): number | null {
  const v = numberOf(n);
  if (v === null) return null;
  return k ? kTokens(v) : Math.round(v);
}

/** The value after "key:" or "key =", up to the next comma, semicolon or line end. */
function field(text: string, keys: string, max: number): string | null {
  const m = new RegExp(String.raw`\b(?:${keys})[ \t]*[:=][ \t]*([^,;\n]{1,${max}})`, 'i').exec(text);
  return m ? m[1]!.trim() || null : null;
}

export function readFields(text: string): RawReport | null {
  const run = emptyRun();
  for (const m of text.matchAll(WORD_FIRST)) {
    if (NEED_UNIT.includes(m[1]!.toLowerCase()) && !m[3]) continue;
    const speed = speedOf(m[2]);
    if (kindOf(m[1]!) === 'decode') run.decode ??= speed;
    else run.prefill ??= speed;
  }
  for (const m of text.matchAll(NUMBER_FIRST)) {
    const speed = speedOf(m[1]);
    if (kindOf(m[2]!) === 'decode') run.decode ??= speed;
    else run.prefill ??= speed;
  }
  if (run.decode === null && run.prefill === null) return null;

  const depth =
    new RegExp(
      String.raw`\b(?:context depth|ctx depth|kv depth|depth)${SEP}(\d[\d,]{0,8}(?:\.\d{1,3})?)(k\b)?`,
      'i',
    ).exec(text) ?? /(\d[\d,]{0,8}(?:\.\d{1,3})?)(k\b)?[ \t]*(?:tokens?[ \t]+)?(?:of[ \t]+)?depth\b/i.exec(text);
  const atDepth = /@[ \t]*d(\d{1,7})\b/.exec(text);
  run.depthTokens = depth ? tokens(depth[1], depth[2]) : atDepth ? Number(atDepth[1]) : null;

  const prompt =
    new RegExp(String.raw`\bprompt[ \t]+(?:tokens|length|size)${SEP}(\d[\d,]{0,8})(k\b)?`, 'i').exec(text) ??
    /(\d[\d,]{0,8})(k\b)?[ \t-]*tokens?[ \t-]+prompt\b/i.exec(text) ??
    new RegExp(String.raw`\bprompt${SEP}(\d[\d,]{0,8})(k\b)?[ \t]*tok(?:en)?s?\b(?![ \t]*(?:\/|per\b))`, 'i').exec(
      text,
    );
  run.promptTokens = prompt ? tokens(prompt[1], prompt[2]) : null;

  run.deviceText = field(text, 'machine|device|hardware|gpu|system|computer|rig|setup|mac', 80);
  run.modelRef = field(text, 'model', 120);
  run.quantText = /\b(?:quant|quantization|quantisation)[ \t]*[:=][ \t]*([\w.-]{1,30})/i.exec(text)?.[1] ?? null;
  const runtimeField = field(text, 'runtime|engine|backend|software|app', 60);
  const runtime = runtimeField ? (runtimeNamed(runtimeField) ?? runtimeField.toLowerCase()) : runtimeNamed(text);
  const version = /\bversion[ \t]*[:=][ \t]*v?([\w.-]{1,40})/i.exec(text)?.[1] ?? null;
  return {
    format: 'fields',
    runtime,
    runtimeVersion: version ?? (runtime === 'llama.cpp' ? llamaCppBuild(text) : null),
    runs: [run],
    deviceText: null,
    freeText: true,
    notes: [],
  };
}
