/**
 * What each format reader hands back before names are resolved: the numbers as printed and the
 * names as the paste spells them. Shared text helpers for the readers live here too; every one is
 * a single pass over a bounded text (no pattern can backtrack on its own output).
 */
import type { ReportFormat } from './types.js';

export interface RawRun {
  /** A file, tag or repository the run names ("Llama-3.3-70B-Instruct-Q4_K_M.gguf", "gpt-oss:20b"). */
  modelRef: string | null;
  /** llama-bench's model type ("gpt-oss 120B MXFP4 MoE"): an architecture and a size, a weaker name. */
  modelType: string | null;
  /** The device this run names itself (llama-bench's CSV/JSON `gpu_info`, a "machine:" field). */
  deviceText: string | null;
  /** A quant named apart from the model ("quant: q4_k_m"). */
  quantText: string | null;
  depthTokens: number | null;
  promptTokens: number | null;
  decode: number | null;
  prefill: number | null;
}

export interface RawReport {
  format: Exclude<ReportFormat, 'unknown'>;
  runtime: string | null;
  runtimeVersion: string | null;
  runs: RawRun[];
  /** The device the paste names for all its runs (llama.cpp's "Device 0: NVIDIA GeForce RTX 4090"). */
  deviceText: string | null;
  /** Read a device or model the runs do not name from the words around them, as `ask` reads a question. */
  freeText: boolean;
  notes: string[];
}

export const emptyRun = (): RawRun => ({
  modelRef: null,
  modelType: null,
  deviceText: null,
  quantText: null,
  depthTokens: null,
  promptTokens: null,
  decode: null,
  prefill: null,
});

/** A positive finite number from its printed form ("1,234.5"), else null. */
export function numberOf(text: string | undefined): number | null {
  if (text === undefined) return null;
  const n = Number(text.replace(/,/g, ''));
  return Number.isFinite(n) && n > 0 ? n : null;
}

/** A speed as printed, rounded to what runtimes print (two decimals; llama-bench's CSV prints six). */
export const speedOf = (text: string | undefined): number | null => {
  const n = numberOf(text);
  return n === null ? null : Math.round(n * 100) / 100;
};

/**
 * The llama.cpp build a paste names: llama-bench's "build: 2f68ce7cf (6918)", "llama.cpp build
 * e9fd8dc (7825)", or `--version`'s "version: 6918 (2f68ce7cf)"; returned as llama-bench prints it.
 */
export function llamaCppBuild(text: string): string | null {
  const build = /\bbuild:?[ \t]+([0-9a-f]{6,40})[ \t]+\((\d{1,6})\)/i.exec(text);
  if (build) return `${build[1]} (${build[2]})`;
  const version = /\bversion:[ \t]*(\d{1,6})[ \t]+\(([0-9a-f]{6,40})\)/i.exec(text);
  return version ? `${version[2]} (${version[1]})` : null;
}

/** A GGUF shard's "-00001-of-00003" says which file of a split model, not which model. */
const SHARD = /-\d{5}-of-\d{5}(?=\.gguf$)/i;

/** The file a path names ("models/7B/x.gguf" -> "x.gguf"); a Hugging Face "org/repo" stays whole. */
export function fileOf(path: string): string {
  const cleaned = path.replace(/^["'`]+|["'`),.;]+$/g, '');
  if (!/\.gguf$/i.test(cleaned) && /^[\w.-]+\/[\w.-]+(?::[\w.-]+)?$/.test(cleaned)) return cleaned;
  return cleaned.slice(Math.max(cleaned.lastIndexOf('/'), cleaned.lastIndexOf('\\')) + 1).replace(SHARD, '');
}

/**
 * The models a paste names by file or repository, in order: `-m`/`--model` paths, Hugging Face
 * links and bare GGUF file names (a heading "### tinyllama-1.1b-1t-openorca.Q4_K_M.gguf").
 */
export function pastedModelRefs(text: string): string[] {
  const found: { at: number; ref: string }[] = [];
  for (const m of text.matchAll(/(?:^|\s)(?:-m|--model|-hf|--hf-repo)[ \t]+(\S{1,300})/g))
    found.push({ at: m.index, ref: fileOf(m[1]!) });
  for (const m of text.matchAll(/https?:\/\/(?:huggingface\.co|hf\.co)\/([\w.-]{1,100}\/[\w.-]{1,200})/g))
    found.push({ at: m.index, ref: m[1]! });
  for (const m of text.matchAll(/(?:^|[\s(`'"#])([\w.-]{1,200}\.gguf)\b/gim))
    found.push({ at: m.index, ref: m[1]!.replace(SHARD, '') });
  const refs: string[] = [];
  for (const { ref } of found.sort((a, b) => a.at - b.at)) {
    if (ref !== '' && !refs.some((r) => r.toLowerCase() === ref.toLowerCase())) refs.push(ref);
    if (refs.length >= 50) break;
  }
  return refs;
}

/** The runtime a text names in passing ("This is with llama.cpp build ...", "in LM Studio"). */
export function runtimeNamed(text: string): string | null {
  if (/\bllama[.\-_ ]?(?:cpp|server|bench|cli)\b/i.test(text)) return 'llama.cpp';
  if (/\bollama\b/i.test(text)) return 'ollama';
  if (/\blm[ -]?studio\b/i.test(text)) return 'lm-studio';
  if (/\bmlx[_-]lm\b|\bmlx\b/i.test(text)) return 'mlx';
  if (/\bvllm\b/i.test(text)) return 'vllm';
  return null;
}
